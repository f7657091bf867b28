import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ESTIMATOR_METHODS, isEstimatorMethod } from '../estimate/estimators.js';
import type { ResultRecord } from '../types.js';
import { checkCueSummary } from '../cue/columns.js';
import { OutputFolderError } from '../errors.js';

/**
 * Appends JSON lines to `file` with ONE write call (O_APPEND), so the lines of a checkpoint land
 * together; a kill during the write can at worst leave a final line without its line break,
 * which {@link readJsonLines} drops and the next run rewrites away.
 */
export async function appendJsonLines(file: string, values: readonly unknown[]): Promise<void> {
  if (values.length === 0) return;
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, values.map((v) => JSON.stringify(v)).join('\n') + '\n');
}

export interface JsonLines<T> {
  values: T[];
  /** True when the file ended in an incomplete or unparsable last line (an interrupted write). */
  truncatedTail: boolean;
}

/**
 * Reads a JSON-lines file; a missing file reads as empty. Only the last line may be incomplete
 * (no final line break, or not parsable): it is dropped and flagged. A bad line elsewhere is an
 * error naming the file and line, since it cannot come from an interrupted append.
 */
export async function readJsonLines<T = unknown>(file: string): Promise<JsonLines<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { values: [], truncatedTail: false };
    throw err;
  }
  const lines = text.split('\n');
  const complete = text.endsWith('\n');
  // After the split, the piece after the last '\n' is '' for a complete file.
  const tail = lines.pop()!;
  let truncatedTail = !complete && tail.length > 0;
  const values: T[] = [];
  lines.forEach((line, i) => {
    if (line.trim().length === 0) return;
    try {
      values.push(JSON.parse(line) as T);
    } catch (err) {
      if (i === lines.length - 1 && !truncatedTail) {
        truncatedTail = true;
        return;
      }
      throw new OutputFolderError(`${file}: line ${i + 1} is not valid JSON (${(err as Error).message})`, { cause: err });
    }
  });
  return { values, truncatedTail };
}

/** Checks the fields of a results.jsonl line; throws naming the file, line and field. */
export function checkResultRecord(value: unknown, where: string): ResultRecord {
  const r = value as Partial<ResultRecord> | null;
  const fail = (field: string, expected: string): never => {
    throw new OutputFolderError(`${where}: field '${field}' must be ${expected}, got ${JSON.stringify((r as Record<string, unknown> | null)?.[field])}`);
  };
  if (r === null || typeof r !== 'object') throw new OutputFolderError(`${where}: expected a result object`);
  if (!(r.epoch === null || Number.isInteger(r.epoch))) fail('epoch', 'an integer or null');
  if (typeof r.checkpoint !== 'string') fail('checkpoint', 'a string');
  if (typeof r.tap !== 'string') fail('tap', 'a string');
  if (r.cue !== undefined) checkCueSummary(r.cue, where);
  if (r.method === 'decision' && r.cue === undefined) fail('cue', 'the summary of a decision line');
  if (!isEstimatorMethod(r.method) && r.method !== 'decision') fail('method', [...ESTIMATOR_METHODS, 'decision'].map((m) => `'${m}'`).join(' or '));
  if (!Number.isInteger(r.D)) fail('D', 'an integer');
  // a decision-only line (no --probe) has no estimate
  if (r.method === 'decision') return r as ResultRecord;
  if (!Array.isArray(r.factors)) fail('factors', 'an array of names');
  const K = r.factors!.length;
  for (const f of ['dims', 'fractions', 'scores', 'percent'] as const) {
    if (!Array.isArray(r[f]) || r[f]!.length !== K + 1) fail(f, `an array of ${K + 1} numbers`);
  }
  if (!Array.isArray(r.pairs) || r.pairs.length !== K) fail('pairs', `an array of ${K} numbers`);
  return r as ResultRecord;
}

/** Identity of a result row: one per (checkpoint, tap, method). */
export function recordKey(r: Pick<ResultRecord, 'checkpoint' | 'tap' | 'method'>): string {
  return JSON.stringify([r.checkpoint, r.tap, r.method]);
}
