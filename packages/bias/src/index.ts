/**
 * @shapetex/bias — pairs, dimensionality estimation, checkpoint-folder scoring, learning
 * dynamics and reports.
 */
export * from './types.js';
export { BIAS_DEFAULTS } from './defaults.js';
export { EstimateError, OutputFolderError } from './errors.js';
export * from './pairs/index.js';
export * from './estimate/index.js';
export * from './score/index.js';
export * from './dynamics/index.js';
export * from './report/index.js';
export * from './compare/index.js';
export * from './filters/index.js';
// Decision-level shape bias on cue-conflict images: class maps and decisions (cue/), their
// phase correlations (dynamics/), figures and report section (report/), scoring hooks (score/).
export { IMAGENET16 } from './cue/imagenet16.js';
export { CLASS_MAP_NAMES, builtinClassMap, defaultClassMap, parseClassMap, readClassMapFile, loadClassMap, classMapFor } from './cue/class-map.js';
export type { ClassMap } from './cue/class-map.js';
export { categoryProbabilities, decideCategories } from './cue/decide.js';
export { cueOutcomes, cueSummary } from './cue/score.js';
export type { CueSummary, CueImageCategories, CueCheckpoint } from './cue/score.js';
export { CUE_COLUMNS, CUE_CI_COLUMNS, cueCsvHeader, cueCsvCells, checkCueSummary } from './cue/columns.js';
export { withCue, cueByCheckpoint } from './cue/records.js';
export { analyzeCueDynamics, cueVersusShapeFraction } from './dynamics/cue.js';
export type { CueDynamics } from './dynamics/cue.js';
export { cuePoints, cueSpec, HUMAN_SHAPE_BIAS } from './report/cue-plot.js';
export type { CuePoint } from './report/cue-plot.js';
export { forwardLogits, scoreCue } from './score/cue-forward.js';
export type { CueRun } from './score/cue-forward.js';
export { MVH_HEADER, mvhCsv, mvhFileName, mvhModelName } from './score/cue-mvh.js';
export { MVH_DIR, loadCueClassMap, cueSetHash, cueRunInfo, writeMvhCsv, mergeMvhCsvs } from './score/cue-run.js';
export type { CueRunInfo } from './score/cue-run.js';
