/**
 * Contiguous shares of `n` rows over `parts` workers, sizes differing by at most one, larger
 * shares first: share i = [start, end). Workers beyond `n` get nothing (empty shares are dropped).
 */
export function splitRows(n: number, parts: number): { start: number; end: number }[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`splitRows: row count must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`splitRows: parts must be a positive integer, got ${parts}`);
  const base = Math.floor(n / parts), extra = n % parts;
  const out: { start: number; end: number }[] = [];
  let start = 0;
  for (let i = 0; i < parts && start < n; i++) {
    const end = start + base + (i < extra ? 1 : 0);
    out.push({ start, end });
    start = end;
  }
  return out;
}
