/**
 * What an output folder already holds, for a run that resumes in it: the records kept, the
 * checkpoints still to score, and the earlier failures that still stand.
 */
import { mkdir } from 'node:fs/promises';
import type { ResultRecord } from '../types.js';
import type { CheckpointEntry } from './discover.js';
import { readFailures, readResults, writeFailures, writeResults } from './outputs.js';
import type { CheckpointFailure, FailureLine } from './types.js';

export interface ResumeState {
  /** The complete, distinct records of results.jsonl. */
  kept: ResultRecord[];
  /** Checkpoints that have records. */
  done: Set<string>;
  /** This shard's checkpoints without records, in order. */
  todo: CheckpointEntry[];
  /** Checkpoint failures of earlier runs that this run does not retry (other shards'). */
  oldFailures: (CheckpointFailure & FailureLine)[];
  resumed: number;
}

/**
 * Reads `out`'s results and failures for the shard's checkpoints `mine` and rewrites both files
 * with what stands (an interrupted last line and duplicate rows dropped).
 */
export async function resumeOutput(out: string, mine: readonly CheckpointEntry[], factors: string[], log: (line: string) => void): Promise<ResumeState> {
  await mkdir(out, { recursive: true });
  const { records: kept, dropped, duplicates } = await readResults(out);
  const done = new Set(kept.map((r) => r.checkpoint));
  if (dropped) log(`bias-score: results.jsonl ended in an interrupted write; ${dropped} will be scored again`);
  if (duplicates > 0) log(`bias-score: results.jsonl held ${duplicates} duplicate row(s) (two writers at once); dropped`);
  const todo = mine.filter((c) => !done.has(c.checkpoint));
  const todoNames = new Set(todo.map((c) => c.checkpoint));
  // Failures are records of the run that met them. A checkpoint failure stands until that
  // checkpoint is retried (every run retries those of its shard) or scored; a failure of an
  // earlier run's inputs, analysis or plots does not outlive that run: if its cause remains,
  // this run meets it again and records it anew.
  const oldFailures = (await readFailures(out)).filter((f): f is CheckpointFailure & FailureLine =>
    'checkpoint' in f && typeof f.checkpoint === 'string' && !todoNames.has(f.checkpoint) && !done.has(f.checkpoint));
  const resumed = mine.length - todo.length;
  if (resumed > 0) log(`bias-score: resuming in ${out}: ${resumed} of ${mine.length} checkpoint(s) already scored`);
  await writeResults(out, kept, factors);
  await writeFailures(out, oldFailures);
  return { kept, done, todo, oldFailures, resumed };
}
