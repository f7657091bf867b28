/** Shards of a checkpoint folder for job arrays (`--shard I/N`; README "Scaling out"). */

export interface Shard {
  /** I, 0-based. */
  index: number;
  /** N ≥ 1. */
  count: number;
}

/** Parses `I/N` with 0 ≤ I < N; throws a RangeError naming the value and the expected form. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new RangeError(`--shard: expected I/N (e.g. 0/4), got '${text}'`);
  const index = Number.parseInt(m[1]!, 10);
  const count = Number.parseInt(m[2]!, 10);
  if (count < 1) throw new RangeError(`--shard: N must be at least 1, got '${text}'`);
  if (index >= count) throw new RangeError(`--shard: I must be between 0 and N−1 = ${count - 1}, got '${text}'`);
  return { index, count };
}

/**
 * The items with position ≡ I (mod N) in the given (sorted) order: shard I of N. Every item is
 * in exactly one shard, so N workers together cover the folder once.
 */
export function selectShard<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, i) => i % shard.count === shard.index);
}
