export { samplePairs, isSvocPairing } from './sample.js';
export type { Pairs, SamplePairsOptions, Pairing } from './types.js';
export { pairsCsv, PAIRS_CSV_HEADER } from './csv.js';
