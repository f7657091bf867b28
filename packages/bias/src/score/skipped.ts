import type { ProbeSet } from '@shapetex/svoc';

/** How many skipped names run.json and the warning show. */
export const SKIPPED_SHOWN = 10;

/**
 * The images of a manifest-less probe folder that were not read as probe images (svoc's
 * `readProbeSet` lists them in `skipped`): their count and the first names, sorted.
 */
export function probeSkipped(probe: ProbeSet & { skipped?: { file: string }[] }): { count: number; first: string[] } {
  const files = (probe.skipped ?? []).map((s) => s.file).sort();
  return { count: files.length, first: files.slice(0, SKIPPED_SHOWN) };
}
