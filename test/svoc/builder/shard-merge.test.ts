import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@shapetex/core';
import { buildSvoc, mergeSvoc, parseShard, readManifest, shardItems, type BuildSvocOptions, type Manifest } from '@shapetex/svoc';
import { rawStateDict } from '../adain/fixtures.js';
import { makeMiniDtd, makeMiniVoc, MINI_VOC } from './mini-datasets.js';

let root: string;
let base: BuildSvocOptions;
beforeAll(async () => {
  await initBackend('wasm', { log: null });
  root = await mkdtemp(path.join(tmpdir(), 'svoc-shard-'));
  // the kernel-width networks, so the workers run core's wasm kernels as the main thread does
  base = {
    voc: await makeMiniVoc(root), dtd: await makeMiniDtd(root), vgg: rawStateDict('vgg_k'), decoder: rawStateDict('decoder_k'),
    out: '', textures: 3, seed: 1, size: 32, log: null, progress: null, backend: 'wasm',
  };
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

/** Every file of a folder but the manifest, with its bytes. */
async function files(dir: string): Promise<Map<string, Buffer>> {
  const names = (await readdir(dir)).filter((f) => f !== 'manifest.json').sort();
  return new Map(await Promise.all(names.map(async (f) => [f, await readFile(path.join(dir, f))] as const)));
}

const withoutTime = (m: Manifest): Omit<Manifest, 'created'> => { const { created: _c, ...rest } = m; return rest; };

describe('svoc build --workers and --shard, svoc merge', () => {
  it('parses I/N and splits the contents by position', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    for (const bad of ['3/3', '1', '-1/2', '1/0', 'a/b']) expect(() => parseShard(bad)).toThrow(new RegExp(`got "${bad}"`));
    expect(shardItems(['a', 'b', 'c', 'd', 'e'], { index: 1, count: 2 })).toEqual(['b', 'd']);
    expect(shardItems(['a', 'b', 'c'], { index: 0, count: 1 })).toEqual(['a', 'b', 'c']);
  });

  it('two workers and a sharded build merged write what a single build writes: same files, same bytes, same manifest', async () => {
    const single = await buildSvoc({ ...base, out: path.join(root, 'single') });
    expect(single.records).toHaveLength(9);
    // the manifest says what made the images
    expect(single.build).toMatchObject({ backend: 'wasm', device: 'wasm (simd, fma, winograd 3×3, im2col)' });
    expect(single.build.shard).toBeUndefined();
    const want = await files(path.join(root, 'single'));

    const pooled = await buildSvoc({ ...base, out: path.join(root, 'workers'), workers: 2 });
    expect(withoutTime(pooled)).toEqual(withoutTime(single));
    expect(await files(path.join(root, 'workers'))).toEqual(want);

    const lines: string[] = [];
    const s0 = await buildSvoc({ ...base, out: path.join(root, 's0'), shard: { index: 0, count: 2 }, log: (l) => lines.push(l) });
    const s1 = await buildSvoc({ ...base, out: path.join(root, 's1'), shard: { index: 1, count: 2 }, workers: 2 });
    expect(lines).toContain('svoc build: shard 0/2: 2 of 3 contents');
    // positions 0 and 2 of the selection, then position 1
    expect(new Set(s0.records.map((r) => r.contentId))).toEqual(new Set([MINI_VOC.singleObject[0].contentId, MINI_VOC.singleObject[2].contentId]));
    expect(new Set(s1.records.map((r) => r.contentId))).toEqual(new Set([MINI_VOC.singleObject[1].contentId]));
    expect(s1.build.shard).toEqual({ index: 1, count: 2 });

    const merged = await mergeSvoc({ dirs: [path.join(root, 's1'), path.join(root, 's0')], out: path.join(root, 'merged'), log: null });
    expect(withoutTime(merged)).toEqual(withoutTime(single));
    expect(withoutTime(await readManifest(path.join(root, 'merged')))).toEqual(withoutTime(single));
    expect(await files(path.join(root, 'merged'))).toEqual(want);
  });

  it('each shard resumes on its own, and refuses another shard\'s folder', async () => {
    const out = path.join(root, 'resume-s0');
    const shard = { index: 0, count: 2 };
    const ac = new AbortController();
    let images = 0;
    // stop after the first image: the content in progress is finished, the manifest written
    const first = buildSvoc({ ...base, out, shard, signal: ac.signal, progress: { stream: { write: () => { if (++images === 2) ac.abort(); return true; } } as never, lineInterval: 0 } });
    await expect(first).rejects.toThrow(/interrupted: 3 images recorded/);
    const m1 = await readManifest(out);
    const mtimes = await Promise.all(m1.records.map(async (r) => (await stat(path.join(out, r.file))).mtimeMs));
    expect(m1.records).toHaveLength(3);
    await expect(buildSvoc({ ...base, out, shard: { index: 1, count: 2 } })).rejects.toThrow(/other parameters: shard 0\/2 \(now 1\/2\)/);
    await expect(buildSvoc({ ...base, out })).rejects.toThrow(/other parameters: shard 0\/2 \(now 0\/1\)/);
    const lines: string[] = [];
    const m2 = await buildSvoc({ ...base, out, shard, log: (l) => lines.push(l) });
    expect(lines).toContain(`svoc build: resuming in ${out}: 3 of 3 recorded images present`);
    expect(m2.records).toHaveLength(6);
    expect(await Promise.all(m1.records.map(async (r) => (await stat(path.join(out, r.file))).mtimeMs))).toEqual(mtimes);
  });

  it('merge names what does not fit: a missing shard, a shard twice, other parameters, a missing image', async () => {
    const s0 = path.join(root, 's0'), s1 = path.join(root, 's1');
    const to = (name: string): string => path.join(root, name);
    await expect(mergeSvoc({ dirs: [s0], out: to('m1'), log: null })).rejects.toThrow(/shard\(s\) 1\/2 missing; give all 2 folders/);
    await expect(mergeSvoc({ dirs: [s0, s0], out: to('m2'), log: null })).rejects.toThrow(/are both shard 0\/2/);
    const other = await buildSvoc({ ...base, out: to('alpha'), alpha: 0.5, shard: { index: 1, count: 2 }, limit: 2 });
    expect(other.records).toHaveLength(3);
    await expect(mergeSvoc({ dirs: [s0, to('alpha')], out: to('m3'), log: null })).rejects.toThrow(/alpha was built with other parameters, textures or weights than .*s0/);
    await expect(mergeSvoc({ dirs: [s0, s1], out: to('merged'), log: null })).rejects.toThrow(/merged[/\\]manifest\.json exists; merge into a new folder/);
    await rm(path.join(s1, (await readManifest(s1)).records[0]!.file));
    await expect(mergeSvoc({ dirs: [s0, s1], out: to('m4'), log: null })).rejects.toThrow(/s1[/\\]\d_\d+_[\d_]+\.jpg is recorded in its manifest but missing/);
  });
});
