/**
 * @shapetex/bias — pairs, dimensionality estimation, checkpoint-folder scoring, learning
 * dynamics and reports.
 */
export * from './types.js';
export * from './pairs/index.js';
export * from './estimate/index.js';
export * from './score/index.js';
export * from './dynamics/index.js';
export * from './report/index.js';
export * from './compare/index.js';
export * from './filters/index.js';
export * from './cue/index.js';
