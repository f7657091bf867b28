export { movingAverage } from './smooth.js';
export { splitPhases, thresholdIndices, extremaIndices } from './phases.js';
export { phaseCorrelations, pearsonOrNull, NOISE_WIDTH_DEFAULT } from './correlate.js';
export { fisherInterval, bootstrapScoreInterval, Z_95 } from './interval.js';
export type { ScoreBootstrapOptions } from './interval.js';
export { readErrorCsv, parseErrorCsv } from './errors-csv.js';
export { AnalysisError } from './errors.js';
export type {
  ErrorCurve,
  Phase,
  PhaseName,
  PhaseMethod,
  PhaseSplit,
  SplitPhasesOptions,
  PhaseCorrelation,
  PhaseCorrelationOptions,
  BiasNoise,
} from './types.js';
export { analyzeDynamics, INTERVALS } from './analyze.js';
export type { AnalyzeOptions, DynamicsAnalysis, DynamicsGroup } from './analyze.js';
