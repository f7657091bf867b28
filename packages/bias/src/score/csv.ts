import { isEstimateRecord, type ResultRecord } from '../types.js';
import { cueCsvCells, cueCsvHeader } from '../cue/columns.js';
import { OutputFolderError } from '../errors.js';

/**
 * Columns of `results.csv` (docs/formats.md): `epoch, checkpoint, tap, method, D`, `{f}_dims` for each
 * factor then `residual_dims`, `{f}_fraction` … `residual_fraction`, `{f}_score` for the factors
 * only (the residual's score is 1 by definition), `dead_units`, `{f}_pairs`, and with bootstrap
 * `{f}_ci_low, {f}_ci_high` per factor.
 */
export function resultsCsvHeader(factors: readonly string[], bootstrap: boolean): string[] {
  const cols = ['epoch', 'checkpoint', 'tap', 'method', 'D'];
  cols.push(...factors.map((f) => `${f}_dims`), 'residual_dims');
  cols.push(...factors.map((f) => `${f}_fraction`), 'residual_fraction');
  cols.push(...factors.map((f) => `${f}_score`));
  cols.push('dead_units');
  cols.push(...factors.map((f) => `${f}_pairs`));
  if (bootstrap) for (const f of factors) cols.push(`${f}_ci_low`, `${f}_ci_high`);
  return cols;
}

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? numberText(value) : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// Shortest round-trip decimal: the CSV holds the same float64 as results.jsonl.
function numberText(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
}

/** One CSV line (no line break) of a record, in {@link resultsCsvHeader}'s columns. */
export function resultsCsvRow(r: ResultRecord, bootstrap: boolean): string {
  return estimateCells(r, bootstrap).map(csvField).join(',');
}

function estimateCells(r: ResultRecord, bootstrap: boolean): (string | number | null)[] {
  const K = r.factors.length;
  const cells: (string | number | null)[] = [r.epoch, r.checkpoint, r.tap, r.method, r.D];
  cells.push(...r.dims.slice(0, K + 1));
  cells.push(...r.fractions.slice(0, K + 1));
  cells.push(...r.scores.slice(0, K));
  cells.push(r.deadUnits);
  cells.push(...r.pairs.slice(0, K));
  if (bootstrap) {
    for (let k = 0; k < K; k++) cells.push(r.ci ? r.ci.low[k]! : null, r.ci ? r.ci.high[k]! : null);
  }
  return cells;
}

/**
 * The whole `results.csv` text: header, then one row per record in the order given. Every
 * record must have the same factors (one probe set per output folder); a record that does not
 * is an error naming it. Bootstrap columns appear when any record carries an interval.
 */
export function resultsCsv(records: readonly ResultRecord[], factors?: readonly string[]): string {
  const fs = factors ?? records.find(isEstimateRecord)?.factors ?? ['shape', 'texture'];
  // With a cue-conflict set the decision-level columns follow (cue/columns.ts); a run without a
  // probe set (no factors) has only decision lines: the key columns, then the cue columns.
  if (records.some((r) => r.cue !== undefined) || fs.length === 0) return resultsCsvWithCue(records, fs);
  for (const r of records) {
    if (r.factors.join(',') !== fs.join(',')) {
      throw new OutputFolderError(`results.csv: record ${r.checkpoint} [${r.tap}, ${r.method}] has factors ${r.factors.join(',')}, expected ${fs.join(',')}`);
    }
  }
  const bootstrap = records.some((r) => r.ci !== undefined);
  const lines = [resultsCsvHeader(fs, bootstrap).join(','), ...records.map((r) => resultsCsvRow(r, bootstrap))];
  return lines.join('\n') + '\n';
}

function resultsCsvWithCue(records: readonly ResultRecord[], fs: readonly string[]): string {
  const estimates = records.some(isEstimateRecord);
  const bootstrap = records.some((r) => r.ci !== undefined);
  const withCi = records.some((r) => r.cue?.ci);
  for (const r of records) {
    if (isEstimateRecord(r) && r.factors.join(',') !== fs.join(',')) {
      throw new OutputFolderError(`results.csv: record ${r.checkpoint} [${r.tap}, ${r.method}] has factors ${r.factors.join(',')}, expected ${fs.join(',')}`);
    }
  }
  const head = estimates ? resultsCsvHeader(fs, bootstrap) : ['epoch', 'checkpoint', 'tap', 'method', 'D'];
  const lines = [[...head, ...cueCsvHeader(withCi)].join(',')];
  for (const r of records) {
    const cells = estimates && isEstimateRecord(r) ? estimateCells(r, bootstrap) : [r.epoch, r.checkpoint, r.tap, r.method, r.D];
    while (cells.length < head.length) cells.push(null);
    lines.push([...cells, ...cueCsvCells(r.cue, withCi)].map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}
