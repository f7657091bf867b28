export { createFeaturePool } from './pool.js';
export type { FeaturePool, FeaturePoolOptions, ModelSource } from './pool.js';
export { splitRows } from './split.js';
