/**
 * How a checkpoint's decision-level summary joins its result lines: every representational
 * line of the checkpoint carries it in `cue`; without a probe set there is one decision line.
 */
import type { ResultRecord } from '../types.js';
import type { CueCheckpoint } from './score.js';

export function withCue(records: readonly ResultRecord[], entry: { epoch: number | null; checkpoint: string }, cue: CueCheckpoint): ResultRecord[] {
  if (records.length > 0) return records.map((r) => ({ ...r, cue: cue.summary }));
  return [{
    epoch: entry.epoch, checkpoint: entry.checkpoint, tap: 'logits', method: 'decision', D: cue.numClasses,
    factors: [], dims: [], fractions: [], scores: [], percent: [], deadUnits: 0, pairs: [], cue: cue.summary,
  }];
}

/** One summary per checkpoint (its first line's), in the order of `records`. */
export function cueByCheckpoint(records: readonly ResultRecord[]): { epoch: number | null; checkpoint: string; cue: NonNullable<ResultRecord['cue']> }[] {
  const seen = new Set<string>();
  const out: { epoch: number | null; checkpoint: string; cue: NonNullable<ResultRecord['cue']> }[] = [];
  for (const r of records) {
    if (!r.cue || seen.has(r.checkpoint)) continue;
    seen.add(r.checkpoint);
    out.push({ epoch: r.epoch, checkpoint: r.checkpoint, cue: r.cue });
  }
  return out;
}
