export { toFeatureModel, resolveTaps, pooledTaps, UnknownTapError, NoLogitsError } from './feature-model.js';
export type { FeatureModel } from './feature-model.js';
export { extractFeatures } from './extract.js';
export type { TapFeatures, ExtractOptions } from './extract.js';
