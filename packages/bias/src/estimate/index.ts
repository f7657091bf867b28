export { estimateDimensions, estimateFromPairs } from './estimate.js';
export { softmaxWithResidual, dimsFromFractions, percentFromDims } from './dims.js';
export { percentile, EXACT_BOOTSTRAP_BUDGET } from './bootstrap.js';
export type { Estimate, EstimateOptions, EstimateFromPairsOptions, EstimateInterval, EstimatorMethod, BootstrapMethod } from './types.js';
export type { FeatureArray } from './moments.js';
