import path from 'node:path';
import { lockHolderAlive, writeFileAtomic, writeJsonAtomic } from '@shapetex/core';
import { readTextIfExists } from '../report/read.js';
import type { ResultRecord } from '../types.js';
import { resultsCsv } from './csv.js';
import { compareCheckpoints } from './epoch.js';
import { checkResultRecord, readJsonLines, recordKey } from './jsonl.js';
import type { BackendInfo, BackendSettings } from '@shapetex/core';
import type { RunSettings } from './settings.js';
import type { FailureLine } from './types.js';
import type { CueRunInfo } from './cue-run.js';
import { OutputFolderError } from '../errors.js';

/** File names inside an output folder (docs/formats.md). */
export const OUTPUT_FILES = {
  results: 'results.jsonl',
  csv: 'results.csv',
  run: 'run.json',
  errors: 'errors.jsonl',
  pairs: 'pairs.csv',
} as const;

/** run.json's `backend`: the backend, its device and settings, and the engine that ran the networks. */
export function backendRecord(b: BackendInfo): RunInfo['backend'] {
  return {
    name: b.name, device: b.device, accelerated: b.accelerated, settings: { ...b.settings },
    engine: b.engine, engineVersion: b.engineVersion, ...(b.threads !== undefined ? { threads: b.threads } : {}),
  };
}

/** `run.json`: provenance of an output folder. */
export interface RunInfo {
  tool: 'bias-score';
  /** Library version (core's VERSION). */
  version: string;
  /**
   * The backend the run scored on, with the backend and kernel settings in force (core's
   * BackendSettings; absent in a run.json of an earlier version).
   */
  backend: {
    name: string; device: string; accelerated: boolean; settings?: BackendSettings;
    /** What ran the networks (`onnxruntime` or `tfjs`) and its version; absent in a run.json of an earlier version. */
    engine?: string; engineVersion?: string;
    /** ONNX Runtime's threads per session (backend onnx). */
    threads?: number;
  };
  /** Null for a run with `--cue-conflict` and no `--probe`. */
  probe: {
    path: string; hash: string; kind: string; records: number; factors: string[];
    /** Images of a manifest-less folder that were not read as probe images: how many, the first names. */
    skipped?: { count: number; first: string[] };
  } | null;
  /** The cue-conflict set and class map, when given. */
  cue?: CueRunInfo;
  checkpoints: { path: string; found: number; inShard: number; noEpoch: string[] };
  seed: number;
  /** The options that decide the numbers, and their hash (compared on resume and merge). */
  settings: RunSettings;
  settingsHash: string;
  /** Every option as given (backend, batch, out, shard, errors included). */
  options: Record<string, unknown>;
  shard: { index: number; count: number };
  startTime: string;
  endTime: string | null;
  /** Start of the first run that wrote this folder (a resumed run keeps it). */
  firstStartTime: string;
  /**
   * `running` while a run writes the folder; at its end `complete` (nothing failed), `failed`
   * (a checkpoint, an input, the analysis or the plots failed: see errors.jsonl) or `interrupted`
   * (stopped by a signal). A run killed outright (SIGKILL, a lost node) leaves `running` in the
   * file; once its lock's holder is gone, `readRunInfo` reports it as `interrupted` with `killed`.
   */
  status: 'running' | 'complete' | 'failed' | 'interrupted';
  /** Set by `readRunInfo`: the run's process ended without writing its end (killed). */
  killed?: boolean;
  /** Per checkpoint, the globals it names that were refused (never run); only checkpoints with some. */
  refusedGlobals?: Record<string, string[]>;
  scored: number;
  resumed: number;
  failed: number;
  /** For merged folders: the folders merged. */
  mergedFrom?: string[];
}

/** Reads `run.json` of a folder; null when absent. */
export async function readRunInfo(dir: string): Promise<RunInfo | null> {
  const file = path.join(dir, OUTPUT_FILES.run);
  const text = await readTextIfExists(file);
  if (text === null) return null;
  let info: RunInfo;
  try {
    info = JSON.parse(text) as RunInfo;
  } catch (err) {
    throw new OutputFolderError(`${file}: not a bias-score run.json (${(err as Error).message})`, { cause: err });
  }
  if (info === null || typeof info !== 'object' || typeof info.settingsHash !== 'string' || typeof info.settings !== 'object') {
    throw new OutputFolderError(`${file}: not a bias-score run.json (no settings/settingsHash)`);
  }
  // `running` with nobody holding the folder: the process was killed before it could say so
  if (info.status === 'running' && !(await lockHolderAlive(dir))) return { ...info, status: 'interrupted', killed: true };
  return info;
}

export async function writeRunInfo(dir: string, info: RunInfo): Promise<void> {
  await writeJsonAtomic(path.join(dir, OUTPUT_FILES.run), info);
}

/**
 * The result records of a folder, checked line by line. An interrupted append can only cut the
 * last checkpoint's lines (they are written in one call), so when the tail is cut every record
 * of the last checkpoint in the file is dropped (`dropped` names it) and scored again.
 */
export async function readResults(dir: string): Promise<{ records: ResultRecord[]; dropped: string | null; duplicates: number }> {
  const file = path.join(dir, OUTPUT_FILES.results);
  const { values, truncatedTail } = await readJsonLines(file);
  const all = values.map((v, i) => checkResultRecord(v, `${file}: line ${i + 1}`));
  const { records, duplicates } = dropDuplicates(all);
  if (!truncatedTail || records.length === 0) return { records, dropped: truncatedTail ? '(an incomplete line)' : null, duplicates };
  const last = all[all.length - 1]!.checkpoint;
  return { records: records.filter((r) => r.checkpoint !== last), dropped: last, duplicates };
}

/**
 * One row per (checkpoint, tap, method), the first kept: a folder written by two processes at
 * once (before the output lock existed) holds some rows twice, and a resume must not keep them.
 */
export function dropDuplicates(records: readonly ResultRecord[]): { records: ResultRecord[]; duplicates: number } {
  const seen = new Set<string>();
  const out: ResultRecord[] = [];
  for (const r of records) {
    const k = recordKey(r);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
  }
  return { records: out, duplicates: records.length - out.length };
}

/** Failures recorded in a folder's `errors.jsonl`: checkpoint failures and run-level ones. */
export async function readFailures(dir: string): Promise<FailureLine[]> {
  return (await readJsonLines<FailureLine>(path.join(dir, OUTPUT_FILES.errors))).values;
}

/** Records in the run's order: by epoch then name (docs/formats.md); within a checkpoint as written. */
export function sortRecords(records: readonly ResultRecord[]): ResultRecord[] {
  return records.map((r, i) => ({ r, i }))
    .sort((x, y) => compareCheckpoints(x.r, y.r) || x.i - y.i)
    .map((x) => x.r);
}

/** Rewrites results.jsonl (one line per record) and results.csv, each atomically. */
export async function writeResults(dir: string, records: readonly ResultRecord[], factors: readonly string[]): Promise<void> {
  const sorted = sortRecords(records);
  const lines = sorted.map((r) => JSON.stringify(r)).join('\n');
  await writeFileAtomic(path.join(dir, OUTPUT_FILES.results), lines.length > 0 ? lines + '\n' : '');
  await writeFileAtomic(path.join(dir, OUTPUT_FILES.csv), resultsCsv(sorted, factors));
}

/** Rewrites results.csv alone (after each checkpoint, from every record so far). */
export async function writeResultsCsv(dir: string, records: readonly ResultRecord[], factors: readonly string[]): Promise<void> {
  await writeFileAtomic(path.join(dir, OUTPUT_FILES.csv), resultsCsv(sortRecords(records), factors));
}

export async function writeFailures(dir: string, failures: readonly unknown[]): Promise<void> {
  const text = failures.map((f) => JSON.stringify(f)).join('\n');
  await writeFileAtomic(path.join(dir, OUTPUT_FILES.errors), text.length > 0 ? text + '\n' : '');
}
