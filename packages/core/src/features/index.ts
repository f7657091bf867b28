export { extractFeatures } from './extract.js';
export type { TapFeatures, ExtractOptions } from './extract.js';
