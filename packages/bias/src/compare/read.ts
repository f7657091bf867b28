/** Reading `bias-score` output folders for `compare`, with errors that name the folder. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isCompleteAnalysis, readPhasesJson } from '../report/read.js';
import { readResults, readRunInfo } from '../score/outputs.js';
import { UsageError } from '@shapetex/core';
import type { ComparedRun } from './types.js';

/** One output folder: run.json, results.jsonl and, when the run had an error curve, phases.json. */
export async function readComparedRun(dir: string, label: string): Promise<ComparedRun> {
  const abs = path.resolve(dir);
  const st = await stat(abs).catch(() => null);
  if (!st?.isDirectory()) throw new UsageError(`compare: ${dir} is not a folder; give bias-score output folders`);
  const info = await readRunInfo(abs);
  if (!info) throw new UsageError(`compare: ${abs} has no run.json; is it a bias-score output folder?`);
  const { records } = await readResults(abs);
  if (records.length === 0) throw new UsageError(`compare: ${abs} has no results in results.jsonl`);
  const phases = await readPhasesJson(abs).catch((err: Error) => { throw new UsageError(err.message); });
  if (phases && !isCompleteAnalysis(phases.analysis)) {
    throw new UsageError(`${phases.file}: not a bias-score phases.json (expected curve, options, phases and groups)`);
  }
  return { label, dir: abs, info, records, analysis: phases?.analysis ?? null };
}

/**
 * Labels for the runs: the given ones (as many as folders, distinct, no commas) or else each
 * folder's name, with its parent's name prepended where two folders share a name.
 */
export function runLabels(dirs: readonly string[], labels?: readonly string[]): string[] {
  if (labels) {
    if (labels.length !== dirs.length) throw new UsageError(`--labels: ${labels.length} label(s) for ${dirs.length} folder(s); give one per folder`);
    const empty = labels.findIndex((l) => l.trim() === '');
    if (empty >= 0) throw new UsageError(`--labels: label ${empty + 1} is empty`);
    const dup = labels.find((l, i) => labels.indexOf(l) !== i);
    if (dup !== undefined) throw new UsageError(`--labels: '${dup}' is given twice; labels must be distinct`);
    return [...labels];
  }
  const base = dirs.map((d) => path.basename(path.resolve(d)));
  const out = dirs.map((d, i) => (base.filter((b) => b === base[i]).length > 1 ? path.join(path.basename(path.dirname(path.resolve(d))), base[i]!) : base[i]!));
  return out.map((l, i) => (out.indexOf(l) !== i ? `${l} (${i + 1})` : l));
}
