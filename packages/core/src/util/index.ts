export { createRng } from './random.js';
export type { Rng } from './random.js';
