export { samplePairs, isSvocPairing } from './sample.js';
export type { Pairs, SamplePairsOptions } from './types.js';
