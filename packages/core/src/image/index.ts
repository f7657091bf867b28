export { resizeBilinear } from './resample.js';
export { parseNorm, NORM_PRESETS } from './norm.js';
export type { Normalization, NormPreset } from './norm.js';
export { decodeImage, prepareImage, ImageError } from './decode.js';
export type { DecodedImage, PrepareOptions } from './decode.js';
export { loadImages, prepareImages, batchImages } from './load.js';
export type { LoadImagesOptions, ImageBatch, BatchOptions } from './load.js';
