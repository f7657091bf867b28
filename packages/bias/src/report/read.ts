/** Reading back what the outputs folder holds: text files that may be absent, and the `phases.json` writeDynamicsOutputs writes. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DynamicsAnalysis } from '../dynamics/analyze.js';
import { OutputFolderError } from '../errors.js';

/** A text file's contents; null when it does not exist (any other error is thrown). */
export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * A bias-score `phases.json`, given as the file itself or as the output folder holding it.
 * Null when there is none (a run scored without `--errors`); an error naming the file when it is
 * not JSON. Callers check the parts they use (`isCompleteAnalysis` for the whole analysis).
 */
export async function readPhasesJson(where: string): Promise<{ file: string; analysis: DynamicsAnalysis } | null> {
  const file = where.toLowerCase().endsWith('.json') ? where : path.join(where, 'phases.json');
  const text = await readTextIfExists(file);
  if (text === null) return null;
  let a: DynamicsAnalysis;
  try {
    a = JSON.parse(text) as DynamicsAnalysis;
  } catch (err) {
    throw new OutputFolderError(`${file}: not JSON (${(err as Error).message})`);
  }
  return { file, analysis: a };
}

/** Whether a parsed phases.json has everything an analysis has: curve, options and groups. */
export function isCompleteAnalysis(a: DynamicsAnalysis | null | undefined): a is DynamicsAnalysis {
  return !!a && typeof a === 'object' && Array.isArray(a.groups) && !!a.curve && Array.isArray(a.curve.epochs) && !!a.options;
}
