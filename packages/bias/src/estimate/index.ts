export { estimateDimensions, estimateFromPairs } from './estimate.js';
export { softmaxWithResidual, dimsFromFractions, percentFromDims, roundHalfEven1, ROUNDINGS } from './dims.js';
export { ESTIMATOR_METHODS, DEFAULT_ESTIMATOR, isEstimatorMethod } from './estimators.js';
export { percentile, EXACT_BOOTSTRAP_BUDGET } from './bootstrap.js';
export type { Estimate, EstimateOptions, EstimateFromPairsOptions, EstimateInterval, EstimatorMethod, BootstrapMethod, PercentRounding } from './types.js';
export type { FeatureArray } from './moments.js';
