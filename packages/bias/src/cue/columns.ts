/**
 * The decision-level columns of `results.csv`, appended after the representational ones:
 * `cue_shape_bias, cue_shape_accuracy, cue_texture_accuracy, cue_shape_decisions,
 * cue_texture_decisions, cue_images`, then `cue_shape_bias_ci_low, cue_shape_bias_ci_high`
 * when an interval was computed. Empty cells where a value is undefined (no cue decision).
 */
import type { CueSummary } from './score.js';
import { OutputFolderError } from '../errors.js';

export const CUE_COLUMNS = [
  'cue_shape_bias', 'cue_shape_accuracy', 'cue_texture_accuracy', 'cue_shape_decisions', 'cue_texture_decisions', 'cue_images',
] as const;
export const CUE_CI_COLUMNS = ['cue_shape_bias_ci_low', 'cue_shape_bias_ci_high'] as const;

export function cueCsvHeader(withCi: boolean): string[] {
  return [...CUE_COLUMNS, ...(withCi ? CUE_CI_COLUMNS : [])];
}

export function cueCsvCells(c: CueSummary | undefined, withCi: boolean): (number | null)[] {
  const cells = c
    ? [c.shapeBias, c.shapeAccuracy, c.textureAccuracy, c.shapeDecisions, c.textureDecisions, c.images]
    : CUE_COLUMNS.map(() => null);
  if (withCi) cells.push(c?.ci?.low ?? null, c?.ci?.high ?? null);
  return cells;
}

/** Checks the `cue` field of a results.jsonl line; throws naming `where` and the field. */
export function checkCueSummary(value: unknown, where: string): CueSummary {
  const c = value as Record<string, unknown> | null;
  const fail = (field: string, expected: string): never => {
    throw new OutputFolderError(`${where}: field 'cue.${field}' must be ${expected}, got ${JSON.stringify(c?.[field])}`);
  };
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw new OutputFolderError(`${where}: field 'cue' must be an object`);
  if (typeof c.classMap !== 'string') fail('classMap', 'a string');
  for (const f of ['shapeBias', 'shapeAccuracy', 'textureAccuracy'] as const) {
    const v = c[f];
    if (!(v === null || (typeof v === 'number' && v >= 0 && v <= 1))) fail(f, 'a number in [0, 1] or null');
  }
  for (const f of ['shapeDecisions', 'textureDecisions', 'otherDecisions', 'images', 'sameCategory', 'unmapped'] as const) {
    if (!Number.isSafeInteger(c[f]) || (c[f] as number) < 0) fail(f, 'a count');
  }
  if (c.ci !== null && (typeof c.ci !== 'object' || typeof (c.ci as Record<string, unknown>).low !== 'number')) fail('ci', 'null or { low, high, B, seed }');
  return c as unknown as CueSummary;
}
