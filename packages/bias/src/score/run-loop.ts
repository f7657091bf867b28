/**
 * The scoring loop of a run: every checkpoint still to do through `scoreCheckpoints`, each one's
 * lines saved as it finishes (results.jsonl appended, results.csv and run.json rewritten), its
 * failure recorded and the run going on, and a stop asked for by the signal honoured between
 * checkpoints.
 */
import path from 'node:path';
import type { CueConflictSet, ProbeSetRead } from '@shapetex/svoc';
import { BIAS_DEFAULTS } from '../defaults.js';
import type { ResultRecord } from '../types.js';
import { writeMvhCsv, type loadCueClassMap } from './cue-run.js';
import type { CheckpointEntry } from './discover.js';
import { appendJsonLines } from './jsonl.js';
import { OUTPUT_FILES, writeResultsCsv, writeRunInfo, type RunInfo } from './outputs.js';
import { pooledModelLoader } from './pool-loader.js';
import type { RunOptions } from './run-types.js';
import { scoreCheckpoints } from './score.js';
import type { CheckpointFailure, RunFailure, ScoreOptions, ScoreProgress } from './types.js';

export interface RunLoop {
  out: string;
  opts: RunOptions;
  /** run.json as written before the loop; its refusedGlobals are added to as they are met. */
  info: RunInfo;
  todo: readonly CheckpointEntry[];
  probe?: ProbeSetRead;
  cueSet?: CueConflictSet;
  classMap: Awaited<ReturnType<typeof loadCueClassMap>>;
  factors: string[];
  batch: number;
  backendName: string;
  /** The records already kept; this run's are appended after them. */
  kept: readonly ResultRecord[];
  recordFailure: (f: CheckpointFailure | RunFailure) => Promise<void>;
  log: (line: string) => void;
}

export interface RunLoopResult {
  records: ResultRecord[];
  failures: CheckpointFailure[];
  scored: number;
  interrupted: boolean;
}

/** ScoreOptions of the run's options: those that are the run's own (output, analysis, pool) left out. */
function scoringOptions(opts: RunOptions): Omit<ScoreOptions, 'checkpoints'> {
  const { out: _o, errors: _e, backend: _b, log: _l, shard: _s, checkpoints: _c, probe: _p, phaseMethod: _m, smooth: _w, plotResidual: _r, workers: _n, strictProbe: _t, cueConflict: _q, classMap: _k, onProgress: _g, signal: _a, ...scoring } = opts;
  return scoring;
}

/**
 * Scores `todo`; a failure of the run's own inputs (a probe image that does not decode, pairs
 * that cannot be drawn) is recorded like a checkpoint failure, run.json ends `failed`, and it
 * rejects.
 */
export async function runScoringLoop(loop: RunLoop): Promise<RunLoopResult> {
  const { out, opts, info, cueSet, classMap, factors, log } = loop;
  const records: ResultRecord[] = [...loop.kept];
  const failures: CheckpointFailure[] = [];
  let scored = 0;
  const scoring = scoringOptions(opts);
  // More than one worker: every checkpoint goes through the same pool of threads.
  const pooled = (opts.workers ?? BIAS_DEFAULTS.workers) > 1 && !opts.loadModel ? pooledModelLoader(opts.workers!, loop.backendName, opts.threads) : undefined;
  if (pooled) scoring.loadModel = pooled.load;
  // A checkpoint is reported done once its lines are saved, not when its scores exist.
  let pendingDone: ScoreProgress | undefined;
  const progress = (e: ScoreProgress): void => {
    if (e.kind === 'done') pendingDone = e;
    else opts.onProgress?.(e);
  };
  let interrupted = false;
  try {
    const sets = { ...(loop.probe ? { probe: loop.probe } : {}), ...(cueSet ? { cue: { set: cueSet, ...(classMap ? { classMap } : {}) } } : {}) };
    for await (const result of scoreCheckpoints({ ...scoring, ...sets, onProgress: progress, batch: loop.batch, checkpoints: loop.todo })) {
      if (result.refusedGlobals.length > 0) {
        log(`bias-score: WARNING ${result.checkpoint} names ${result.refusedGlobals.length} global(s) that were refused (kept inert, never run): ${result.refusedGlobals.join(', ')}; this file was not written by torch.save of weights alone`);
        info.refusedGlobals![result.checkpoint] = result.refusedGlobals;
      }
      if (result.error) {
        failures.push(result.error);
        await loop.recordFailure(result.error);
      } else {
        if (result.cue && cueSet) await writeMvhCsv(out, result.checkpoint, cueSet, result.cue);
        await appendJsonLines(path.join(out, OUTPUT_FILES.results), result.records);
        records.push(...result.records);
        scored++;
        await writeResultsCsv(out, records, factors);
      }
      if (pendingDone) opts.onProgress?.(pendingDone);
      pendingDone = undefined;
      await writeRunInfo(out, { ...info, scored, failed: failures.length });
      if (opts.signal?.aborted) {
        interrupted = true;
        break;
      }
    }
  } catch (err) {
    await loop.recordFailure({ input: opts.probe ?? opts.cueConflict ?? null, stage: 'run', error: (err as Error).name, message: (err as Error).message });
    await writeRunInfo(out, { ...info, endTime: new Date().toISOString(), status: 'failed', scored, failed: failures.length + 1 });
    throw err;
  } finally {
    await pooled?.dispose();
  }
  return { records, failures, scored, interrupted };
}
