export { readCheckpoint, readCheckpointEpoch, readRefusedGlobals, readStateDict, detectCheckpointFormat } from './read.js';
export type { Checkpoint, StateDictFormat } from './read.js';
export { CheckpointError } from './errors.js';
export { CheckpointMemoryError, CHECKPOINT_MEMORY_ALLOWANCE, CHECKPOINT_MEMORY_FACTOR } from './budget.js';
export { PickleGlobal, PickleObject } from './pickle-values.js';
export { NumpyArray } from './numpy.js';
export { findStateDict, isTensorEntry, STATE_DICT_KEYS } from './state-dict.js';
export { halfToFloat, bfloat16ToFloat } from './tensor.js';
export type { DType, TensorData, TensorEntry, StateDict, ReadOptions } from './types.js';
