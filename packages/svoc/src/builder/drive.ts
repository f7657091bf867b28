/**
 * Running the contents of a build over its lanes: each lane takes the next content from one
 * shared queue and holds two at a time (the next one decodes while the current one is
 * stylized); every finished image is recorded and counted, the manifest rewritten at most every
 * `manifestInterval` seconds (one write at a time) and once at the end.
 */
import type { Progress } from '@shapetex/core';
import type { ProbeRecord } from '../types.js';
import type { Texture } from './dtd.js';
import type { Lane } from './lane.js';
import type { VocContent } from './voc.js';

export interface DriveLanes {
  lanes: Lane[];
  contents: VocContent[];
  textures: Texture[];
  /** Records by file: those already on disk; each finished image is added. */
  done: Map<string, ProbeRecord>;
  recordOf: (c: VocContent, t: Texture) => ProbeRecord;
  progress: Progress | null;
  /** Images counted as done before the lanes start. */
  initial: number;
  log: (line: string) => void;
  /** Writes the manifest of `done` as it is now. */
  writeManifest: () => Promise<void>;
  manifestInterval: number;
  /** Stops after the contents in progress. */
  signal?: AbortSignal;
}

/**
 * Stylizes every content with a texture not yet done; returns the contents skipped (unreadable).
 * A lane's failure stops every lane after its content in progress and is rethrown once the lanes
 * are disposed, the manifest written and the progress finished.
 */
export async function driveLanes(d: DriveLanes): Promise<string[]> {
  const { lanes, textures, done, recordOf, progress } = d;
  let finished = d.initial;
  progress?.update(finished);
  let lastWrite = performance.now();
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => (writing = writing.then(async () => { await d.writeManifest(); lastWrite = performance.now(); }));

  const failed: string[] = [];
  const queue = d.contents.filter((c) => textures.some((t) => !done.has(recordOf(c, t).file)));
  let fatal: Error | null = null;
  const stopped = (): boolean => fatal !== null || d.signal?.aborted === true;
  // a stop finishes the contents in progress; the ones each lane holds next are not started
  const cancelAll = (): void => { for (const l of lanes) l.cancel(); };
  d.signal?.addEventListener('abort', cancelAll, { once: true });
  const runOne = async (lane: Lane, c: VocContent): Promise<void> => {
    const todo = textures.flatMap((t, k) => (done.has(recordOf(c, t).file) ? [] : [k]));
    const byFile = new Map(todo.map((k) => [recordOf(c, textures[k]!).file, recordOf(c, textures[k]!)]));
    const outcome = await lane.run(c, todo, (file) => {
      const rec = byFile.get(file);
      if (rec) { done.set(file, rec); progress?.update(++finished); }
    });
    if ('skipped' in outcome) {
      failed.push(c.contentId);
      d.log(`svoc build: skipped ${c.contentId}: ${outcome.skipped}`);
    }
    if ((performance.now() - lastWrite) / 1000 >= d.manifestInterval) await flush();
  };
  const drive = async (lane: Lane): Promise<void> => {
    let previous: Promise<void> | null = null;
    const settle = async (p: Promise<void> | null): Promise<void> => {
      await p?.catch((err: Error) => { fatal ??= err; cancelAll(); });
    };
    while (!stopped() && queue.length > 0) {
      const current = runOne(lane, queue.shift()!);
      await settle(previous);
      previous = current;
    }
    await settle(previous);
  };
  try {
    await Promise.all(lanes.map(drive));
  } finally {
    d.signal?.removeEventListener('abort', cancelAll);
    await Promise.all(lanes.map((l) => l.dispose().catch(() => undefined)));
    await flush();
    progress?.finish();
  }
  if (fatal) throw fatal;
  return failed;
}
