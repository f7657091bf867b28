export { parseCueFileName, formatCueFileName } from './names.js';
export type { CueFileName } from './names.js';
export { readCueConflictSet } from './read.js';
export type { CueConflictSet, CueImage } from './read.js';
