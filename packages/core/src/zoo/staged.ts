/**
 * What the staged families share when their layout is read: the stage tap names and the size of
 * a weight's axis read from a possibly damaged state_dict (graph/staged.ts runs the stages).
 */
import type { StateDict } from '../io/types.js';

export const STAGE_TAPS = ['stage1', 'stage2', 'stage3', 'stage4'] as const;

/**
 * Size of axis `axis` of a weight, or `fallback` when the key is absent or of another rank (the
 * key check that follows reports it); lets a layout be read from a damaged state_dict.
 */
export function dimOf(sd: StateDict, key: string, rank: number, axis: number, fallback: number): number {
  const e = sd.get(key);
  return e && e.shape.length === rank ? e.shape[axis]! : fallback;
}
