export { createStylizer } from './stylizer.js';
export type { Stylizer, StylizerOptions, StylizeOptions, WeightsSource } from './stylizer.js';
export { adaptiveInstanceNorm, channelMoments, ADAIN_EPS } from './adain.js';
export { AdainWeightsError, ENCODER_STEPS, DECODER_STEPS } from './layers.js';
export type { Step } from './layers.js';
export { coral, CORAL_EPS } from './coral.js';
