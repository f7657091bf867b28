/**
 * @shapetex/core — tensors, images and weights. Knows nothing of shape, texture, VOC or phases.
 */
export * from './backend/index.js';
export * from './util/index.js';
export * from './image/index.js';
export * from './io/index.js';
export * from './zoo/index.js';
export * from './features/index.js';
export * from './pool/index.js';
export { VERSION } from './version.js';
