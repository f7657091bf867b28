/**
 * `--shard I/N`: a build split over N machines (an array job), shard I taking the selected
 * contents whose position in the selection is ≡ I (mod N). Each shard writes its own folder and
 * manifest and resumes on its own; `svoc merge` joins them.
 */

export interface Shard {
  /** 0 ≤ index < count. */
  index: number;
  count: number;
}

/** Parses `I/N` (0 ≤ I < N); errors name the value and what was expected. */
export function parseShard(raw: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(count) || count < 1 || index >= count) {
    throw new RangeError(`--shard must be I/N with N ≥ 1 and 0 ≤ I < N (e.g. 0/4), got "${raw}"`);
  }
  return { index, count };
}

/** The items of shard `s`, in order: positions ≡ s.index (mod s.count). */
export function shardItems<T>(items: readonly T[], s: Shard): T[] {
  return items.filter((_, i) => i % s.count === s.index);
}

/** `I/N` of a manifest's `build.shard`; `0/1` for a whole build, which records none. */
export function shardLabel(recorded: unknown): string {
  const v = recorded as Partial<Shard> | undefined;
  return v && typeof v.index === 'number' && typeof v.count === 'number' ? `${v.index}/${v.count}` : '0/1';
}
