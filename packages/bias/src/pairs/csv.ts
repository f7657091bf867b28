import type { ProbeSet } from '@shapetex/svoc';
import type { Pairs } from './types.js';

export const PAIRS_CSV_HEADER = 'factor,factor_name,a,b';

/** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * `pairs.csv`: one line per pair, `factor,factor_name,a,b`. `factor` is the index as the
 * reference implementation numbers it (0 shape, 1 texture, …; with the reference pairing,
 * indices ≥ K are pairs of the last factor that enter only the pooled variance V);
 * `factor_name` is the factor the pair shares; `a`, `b` are the images' paths relative to the
 * probe root, with `/` separators. The same pairs give the same bytes, so a rerun with the
 * same options writes the same file and the pairs can be re-run anywhere.
 */
export function pairsCsv(pairs: Pairs, probe: ProbeSet): string {
  const K = pairs.factors.length;
  const lines = [PAIRS_CSV_HEADER];
  for (let p = 0; p < pairs.a.length; p++) {
    const f = pairs.factor[p]!;
    const name = pairs.factors[Math.min(f, K - 1)]!;
    const a = probe.records[pairs.a[p]!]!.file.replace(/\\/g, '/');
    const b = probe.records[pairs.b[p]!]!.file.replace(/\\/g, '/');
    lines.push([String(f), field(name), field(a), field(b)].join(','));
  }
  return lines.join('\n') + '\n';
}
