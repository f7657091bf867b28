/**
 * @shapetex/svoc — probe sets: Stylized PASCAL VOC built with AdaIN, and synthetic sets.
 */
export * from './types.js';
export { SVOC_DEFAULTS } from './defaults.js';
export * from './probe/index.js';
export * from './synth/index.js';
export * from './adain/index.js';
export * from './builder/index.js';
export * from './cue/index.js';
