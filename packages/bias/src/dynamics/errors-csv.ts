/**
 * Test-error curves from CSV (docs/method.md): a header row, an `epoch` column and an error column
 * (`error`, `test_error`, `err`) or an accuracy column (`acc`, `accuracy`, `test_acc`).
 */
import { readFile } from 'node:fs/promises';
import type { ErrorCurve } from './types.js';
import { AnalysisError } from './errors.js';

const ERROR_COLUMNS = ['error', 'test_error', 'err'];
const ACCURACY_COLUMNS = ['acc', 'accuracy', 'test_acc'];

/** Reads and parses an error CSV file; see {@link parseErrorCsv}. */
export async function readErrorCsv(path: string): Promise<ErrorCurve> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AnalysisError(`error curve ${path}: cannot read the file (${(err as Error).message})`);
  }
  return parseErrorCsv(text, path);
}

/**
 * Parses CSV text into an error curve in percent, sorted by epoch.
 *
 * Header names are matched case-insensitively after trimming. The error column is the first of
 * `error`, `test_error`, `err` present; else error = 1 − accuracy from the first of `acc`,
 * `accuracy`, `test_acc`. When every value of the chosen column is ≤ 1 the column holds
 * fractions and is scaled by 100 (so error % = 100·e, or 100·(1 − acc)); otherwise it is already
 * in percent (error % = e, or 100 − acc). Blank lines are skipped; other columns are ignored.
 * A missing column, a non-numeric or out-of-range cell, a short row or a repeated epoch is an
 * error naming `source`, the line and the column.
 */
export function parseErrorCsv(text: string, source = '<csv text>'): ErrorCurve {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new AnalysisError(`error curve ${source}: empty file, expected a header row with 'epoch' and an error or accuracy column`);
  const header = splitRow(lines[headerAt]).map((h) => h.trim().toLowerCase());
  const found = `columns found: ${header.map((h) => `'${h}'`).join(', ')}`;
  const epochCol = header.indexOf('epoch');
  if (epochCol < 0) throw new AnalysisError(`error curve ${source}: no 'epoch' column in the header (line ${headerAt + 1}); ${found}`);
  const errName = ERROR_COLUMNS.find((c) => header.includes(c));
  const accName = errName ? undefined : ACCURACY_COLUMNS.find((c) => header.includes(c));
  const column = errName ?? accName;
  if (!column) {
    throw new AnalysisError(
      `error curve ${source}: no error column in the header (line ${headerAt + 1}); expected one of ${[...ERROR_COLUMNS, ...ACCURACY_COLUMNS].map((c) => `'${c}'`).join(', ')}; ${found}`,
    );
  }
  const valueCol = header.indexOf(column);

  const rows: { epoch: number; value: number; line: number }[] = [];
  for (let l = headerAt + 1; l < lines.length; l++) {
    if (lines[l].trim() === '') continue;
    const cells = splitRow(lines[l]);
    const cell = (col: number, name: string) => {
      if (col >= cells.length) {
        throw new AnalysisError(`error curve ${source}: line ${l + 1} has ${cells.length} cells, no value for column '${name}' (column ${col + 1})`);
      }
      const raw = cells[col].trim();
      const v = raw === '' ? NaN : Number(raw);
      if (!Number.isFinite(v)) {
        throw new AnalysisError(`error curve ${source}: line ${l + 1}, column '${name}' (column ${col + 1}): '${raw}' is not a finite number`);
      }
      return v;
    };
    const epoch = cell(epochCol, 'epoch');
    const value = cell(valueCol, column);
    if (value < 0 || value > 100) {
      throw new AnalysisError(`error curve ${source}: line ${l + 1}, column '${column}' (column ${valueCol + 1}): ${value} is outside [0, 100]`);
    }
    rows.push({ epoch, value, line: l + 1 });
  }
  if (rows.length === 0) throw new AnalysisError(`error curve ${source}: no data rows after the header`);

  rows.sort((a, b) => a.epoch - b.epoch);
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].epoch === rows[i - 1].epoch) {
      const [a, b] = [rows[i - 1].line, rows[i].line].sort((x, y) => x - y);
      throw new AnalysisError(`error curve ${source}: epoch ${rows[i].epoch} appears twice (lines ${a} and ${b})`);
    }
  }
  const fromFraction = rows.every((r) => r.value <= 1);
  const fromAccuracy = accName !== undefined;
  const scale = fromFraction ? 100 : 1;
  const errors = rows.map((r) => (fromAccuracy ? 100 - scale * r.value : scale * r.value));
  return { epochs: rows.map((r) => r.epoch), errors, source, column, converted: { fromFraction, fromAccuracy } };
}

/** Splits one CSV row on commas, honouring double-quoted cells with "" escapes. */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { cells.push(cur); cur = ''; }
    else cur += c;
  }
  cells.push(cur);
  return cells;
}
