export { movingAverage } from './smooth.js';
export { splitPhases, thresholdIndices, extremaIndices } from './phases.js';
export { phaseCorrelations, pearsonOrNull } from './correlate.js';
export { readErrorCsv, parseErrorCsv } from './errors-csv.js';
export type {
  ErrorCurve,
  Phase,
  PhaseName,
  PhaseMethod,
  PhaseSplit,
  SplitPhasesOptions,
  PhaseCorrelation,
  PhaseCorrelationOptions,
} from './types.js';
export { analyzeDynamics } from './analyze.js';
export type { AnalyzeOptions, DynamicsAnalysis, DynamicsGroup } from './analyze.js';
