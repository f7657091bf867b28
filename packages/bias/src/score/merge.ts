import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { acquireOutputLock, UsageError, VERSION, writeFileAtomic } from '@shapetex/core';
import type { ResultRecord } from '../types.js';
import type { PhaseMethod } from '../dynamics/types.js';
import { writeAnalysisOutputs, type AnalysisOutputs } from './analysis.js';
import { recordKey } from './jsonl.js';
import { readTextIfExists } from '../report/read.js';
import { OUTPUT_FILES, readFailures, readResults, readRunInfo, sortRecords, writeFailures, writeResults, writeRunInfo, type RunInfo } from './outputs.js';
import { checkErrorsFile } from './preflight.js';
import { diffSettings } from './settings.js';
import { mergeMvhCsvs } from './cue-run.js';
import { BIAS_DEFAULTS } from '../defaults.js';

export interface MergeOptions {
  /** Output folders of shard runs (each with run.json and results.jsonl). */
  inputs: readonly string[];
  /** Folder to write the merged outputs to. */
  out: string;
  /** Test-error CSV; default the one the shard runs were given, if they agree. */
  errors?: string;
  /** Phase-split method and smoothing window; default those of the shard runs (else threshold, 5). */
  phaseMethod?: PhaseMethod;
  smooth?: number;
  /** Draw the residual fraction in the bias plots (default: as the shard runs did). */
  plotResidual?: boolean;
}

export interface MergeSummary {
  out: string;
  inputs: string[];
  records: number;
  checkpoints: number;
  /** Rows present in more than one input (kept once). */
  duplicates: number;
  failures: unknown[];
  analysis: AnalysisOutputs;
  exitCode: 0 | 1;
}

/**
 * `bias-score merge`: joins shard outputs into one folder with the rows and numbers of an
 * unsharded run. Every input must have been made with the same settings (run.json's settings
 * hash; a difference is a {@link UsageError} naming the folder and the options that differ).
 * Rows are deduplicated on (checkpoint, tap, method) — a rerun shard or an input given twice
 * adds nothing — and ordered as a single run orders them. A failure recorded by one shard for a
 * checkpoint that another scored is dropped; the rest are carried into errors.jsonl.
 */
export async function mergeOutputs(opts: MergeOptions): Promise<MergeSummary> {
  if (opts.inputs.length === 0) throw new UsageError('merge: give at least one output folder to merge');
  // An explicit --errors is checked before anything is read or written (a UsageError, exit 2).
  if (opts.errors !== undefined) await checkErrorsFile(opts.errors);
  const out = path.resolve(opts.out);
  // One writer per output folder, as for a scoring run: a merge into a folder in use (a run
  // still scoring into it, another merge) is refused with OutputLockedError, exit 2.
  const lock = await acquireOutputLock(out, 'bias-score merge');
  try {
    return await mergeInto(out, opts);
  } finally {
    await lock.release();
  }
}

async function mergeInto(out: string, opts: MergeOptions): Promise<MergeSummary> {
  const infos: { dir: string; info: RunInfo }[] = [];
  for (const input of opts.inputs) {
    const dir = path.resolve(input);
    const info = await readRunInfo(dir);
    if (!info) throw new UsageError(`merge: ${dir} has no run.json; is it a bias-score output folder?`);
    // a shard still running, stopped or killed has not scored all of its checkpoints yet
    if (info.status === 'running' || info.status === 'interrupted') {
      throw new UsageError(`merge: ${dir} is an unfinished run (status ${info.status}); run that shard to the end (rerun its command, or resubmit its array task) before merging`);
    }
    infos.push({ dir, info });
  }
  const first = infos[0]!;
  for (const { dir, info } of infos.slice(1)) {
    if (info.settingsHash !== first.info.settingsHash) {
      throw new UsageError(`merge: ${dir} was made with other options than ${first.dir}; refusing to mix them:\n  ${diffSettings(first.info.settings, info.settings).join('\n  ')}`);
    }
  }
  const byKey = new Map<string, ResultRecord>();
  let duplicates = 0;
  const failures: { checkpoint?: string }[] = [];
  for (const { dir } of infos) {
    const { records } = await readResults(dir);
    for (const r of records) {
      const key = recordKey(r);
      if (byKey.has(key)) duplicates++;
      else byKey.set(key, r);
    }
    failures.push(...((await readFailures(dir)) as { checkpoint?: string }[]));
  }
  const records = sortRecords([...byKey.values()]);
  const scoredNames = new Set(records.map((r) => r.checkpoint));
  const seenFailure = new Set<string>();
  const keptFailures = failures.filter((f) => {
    if (f.checkpoint !== undefined && scoredNames.has(f.checkpoint)) return false;
    const id = JSON.stringify(f.checkpoint ?? f);
    if (seenFailure.has(id)) return false;
    seenFailure.add(id);
    return true;
  });
  const pairs = await samePairs(infos.map((i) => i.dir));
  await mkdir(out, { recursive: true });
  if (pairs !== null) await writeFileAtomic(path.join(out, OUTPUT_FILES.pairs), pairs);
  const factors = first.info.settings.factors;
  await writeResults(out, records, factors);
  await writeFailures(out, keptFailures);
  await mergeMvhCsvs(infos.map((i) => i.dir), out);
  const errorsFiles = [...new Set(infos.map((i) => i.info.options.errors).filter((e): e is string => typeof e === 'string'))];
  const errorsFile = opts.errors ?? (errorsFiles.length === 1 ? errorsFiles[0] : undefined);
  const phaseMethod = opts.phaseMethod ?? (first.info.options.phases as PhaseMethod | undefined) ?? BIAS_DEFAULTS.phaseMethod;
  const smooth = opts.smooth ?? (first.info.options.smooth as number | undefined) ?? BIAS_DEFAULTS.smooth;
  const analysis = await writeAnalysisOutputs(out, records, errorsFile, {
    checkpoints: first.info.checkpoints.path, ...(first.info.probe ? { probe: first.info.probe.path } : {}),
    ...(first.info.cue ? { cueConflict: first.info.cue.path } : {}),
    ...(errorsFile ? { errorsFile } : {}), version: VERSION, generatedAt: new Date().toISOString(),
  }, { method: phaseMethod, smooth }, { residual: opts.plotResidual ?? first.info.options.plotResidual === true });
  const noEpoch = [...new Set(infos.flatMap((i) => i.info.checkpoints.noEpoch))];
  const now = new Date().toISOString();
  const startTimes = infos.map((i) => i.info.firstStartTime ?? i.info.startTime).sort();
  const failed = keptFailures.length + (analysis.error ? 1 : 0);
  await writeRunInfo(out, {
    ...first.info,
    checkpoints: { ...first.info.checkpoints, inShard: scoredNames.size, noEpoch },
    options: { ...first.info.options, out, shard: '0/1', errors: errorsFile ?? null, phases: phaseMethod, smooth },
    shard: { index: 0, count: 1 },
    startTime: now, endTime: now, firstStartTime: startTimes[0] ?? now,
    status: failed > 0 ? 'failed' : 'complete',
    scored: scoredNames.size, resumed: 0, failed: keptFailures.length,
    mergedFrom: infos.map((i) => i.dir),
  });
  return {
    out, inputs: infos.map((i) => i.dir), records: records.length, checkpoints: scoredNames.size, duplicates,
    failures: keptFailures, analysis, exitCode: failed > 0 ? 1 : 0,
  };
}

/**
 * The shards' pairs.csv, which must be the same file in every folder that has one (equal
 * settings draw equal pairs; folders written before pairs.csv existed have none). Null when no
 * folder has one.
 */
async function samePairs(dirs: string[]): Promise<string | null> {
  let kept: { dir: string; text: string } | null = null;
  for (const dir of dirs) {
    const text = await readTextIfExists(path.join(dir, OUTPUT_FILES.pairs));
    if (text === null) continue;
    if (kept && kept.text !== text) {
      throw new UsageError(`merge: ${path.join(dir, OUTPUT_FILES.pairs)} differs from ${path.join(kept.dir, OUTPUT_FILES.pairs)}; the shards were not measured on the same pairs`);
    }
    kept ??= { dir, text };
  }
  return kept?.text ?? null;
}
