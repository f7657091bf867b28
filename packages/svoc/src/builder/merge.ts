/**
 * `svoc merge <dirs>... --out DIR`: joins the folders of a sharded build (`svoc build --shard
 * I/N`, one per machine) into one probe set: every image copied as it is, one manifest with
 * every record. The result is what a single build would have written: the same files, the same
 * bytes, the same records and build parameters.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { acquireOutputLock, copyFileAtomic } from '@shapetex/core';
import { canonicalJson, MANIFEST_FILE, compareRecords, readManifest, writeManifest } from '../probe/manifest.js';
import type { Manifest, ProbeRecord } from '../types.js';
import { shardLabel } from './shard.js';

export interface MergeSvocOptions {
  /** The shards' output folders, each holding a manifest. */
  dirs: string[];
  /** The merged set's folder: new, or empty of a manifest. */
  out: string;
  /** Messages; default stderr, `null` for silence. */
  log?: ((line: string) => void) | null;
}

/** What must be the same in every shard: everything in `build` but the shard itself and the backend (name, device, settings). */
const sameBuild = (m: Manifest): string => {
  const { shard: _s, backend: _b, device: _d, backendSettings: _k, ...rest } = m.build;
  return canonicalJson({ kind: m.kind, version: m.version, factors: m.factors, textures: m.textures, classes: m.classes, build: rest });
};

/** The one value every shard has, or the distinct values when they differ (a mixed run). */
function common(values: unknown[]): unknown {
  const distinct = [...new Set(values.map((v) => JSON.stringify(v ?? null)))].map((v) => JSON.parse(v) as unknown);
  return distinct.length === 1 ? distinct[0] : distinct;
}

/**
 * Checks that `dirs` are the shards 0..N−1 of one build (same parameters, textures and weights;
 * each shard once), copies every recorded image into `out` (temporary name, then rename) and
 * writes the merged manifest. Errors name the folder and what differs or is missing. `out` is
 * held with core's output lock while it is written, as a build holds its folder.
 */
export async function mergeSvoc(options: MergeSvocOptions): Promise<Manifest> {
  const lock = await acquireOutputLock(path.resolve(options.out), 'svoc merge');
  try {
    return await mergeLocked(options);
  } finally {
    await lock.release();
  }
}

async function mergeLocked(options: MergeSvocOptions): Promise<Manifest> {
  const log = options.log === undefined ? (l: string): void => { process.stderr.write(`${l}\n`); } : options.log ?? ((): void => undefined);
  if (options.dirs.length === 0) throw new Error('svoc merge: give at least one shard folder');
  const out = path.resolve(options.out);
  const shards = await Promise.all(options.dirs.map(async (d) => ({ dir: path.resolve(d), manifest: await readManifest(d) })));
  if (await stat(path.join(out, MANIFEST_FILE)).then(() => true, () => false)) {
    throw new Error(`svoc merge: ${path.join(out, MANIFEST_FILE)} exists; merge into a new folder`);
  }
  const first = shards[0]!;
  for (const s of shards) {
    if (s.manifest.kind !== 'svoc') throw new Error(`svoc merge: ${s.dir} holds a ${s.manifest.kind} set, not an svoc build`);
    if (s.dir === out) throw new Error(`svoc merge: --out ${out} is one of the shards`);
    if (sameBuild(s.manifest) !== sameBuild(first.manifest)) {
      throw new Error(`svoc merge: ${s.dir} was built with other parameters, textures or weights than ${first.dir}; only shards of one build can be merged`);
    }
  }
  const count = Number(shardLabel(first.manifest.build.shard).split('/')[1]);
  const seen = new Map<number, string>();
  for (const s of shards) {
    const [i, n] = shardLabel(s.manifest.build.shard).split('/').map(Number) as [number, number];
    if (n !== count) throw new Error(`svoc merge: ${s.dir} is shard ${i}/${n}, ${first.dir} is one of ${count}`);
    if (seen.has(i)) throw new Error(`svoc merge: ${s.dir} and ${seen.get(i)} are both shard ${i}/${n}`);
    seen.set(i, s.dir);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new Error(`svoc merge: shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')} missing; give all ${count} folders`);

  const records = new Map<string, { record: ProbeRecord; dir: string }>();
  for (const s of shards) {
    for (const r of s.manifest.records) {
      const other = records.get(r.file);
      if (other) throw new Error(`svoc merge: ${r.file} is recorded in both ${other.dir} and ${s.dir}`);
      if (!(await stat(path.join(s.dir, r.file)).then((st) => st.isFile(), () => false))) {
        throw new Error(`svoc merge: ${path.join(s.dir, r.file)} is recorded in its manifest but missing; rerun that shard's build to finish it`);
      }
      records.set(r.file, { record: r, dir: s.dir });
    }
  }
  await mkdir(out, { recursive: true });
  for (const [file, { dir }] of records) {
    await copyFileAtomic(path.join(dir, file), path.join(out, file)).catch((err: Error) => {
      throw new Error(`svoc merge: ${err.message}`, { cause: err.cause });
    });
  }
  const { shard: _shard, ...build } = first.manifest.build;
  build.backend = common(shards.map((s) => s.manifest.build.backend));
  build.device = common(shards.map((s) => s.manifest.build.device));
  // a manifest written before the settings were recorded has none: nothing to record then
  if (shards.some((s) => s.manifest.build.backendSettings !== undefined)) build.backendSettings = common(shards.map((s) => s.manifest.build.backendSettings));
  const merged: Manifest = {
    ...first.manifest,
    records: [...records.values()].map((r) => r.record).sort(compareRecords),
    build,
    created: new Date().toISOString(),
  };
  await writeManifest(out, merged);
  log(`svoc merge: ${merged.records.length} images from ${shards.length} shard(s) in ${out}`);
  return merged;
}
