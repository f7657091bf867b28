import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BACKEND_SETTINGS, decodeImage, initBackend, VERSION } from '@shapetex/core';
import { buildSvoc, createStylizer, loadStyleInput, readManifest, readProbeSet, VOC_CLASSES, type BuildSvocOptions } from '@shapetex/svoc';
import { rawStateDict } from '../adain/fixtures.js';
import { makeMiniDtd, makeMiniVoc, MINI_VOC } from './mini-datasets.js';

let root: string;
let base: BuildSvocOptions;
beforeAll(async () => {
  await initBackend('wasm', { log: null });
  root = await mkdtemp(path.join(tmpdir(), 'svoc-build-'));
  base = {
    voc: await makeMiniVoc(root), dtd: await makeMiniDtd(root), vgg: rawStateDict('vgg_small'), decoder: rawStateDict('decoder_small'),
    out: '', textures: 3, seed: 1, size: 32, log: null, progress: null,
  };
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

const sha = async (f: string): Promise<string> => createHash('sha256').update(await readFile(f)).digest('hex');

describe('buildSvoc (library, fixture weights as state_dicts)', () => {
  it('writes every content x texture with reference names, the manifest, and stylizes as createStylizer does', async () => {
    const out = path.join(root, 'full');
    const lines: string[] = [];
    const m = await buildSvoc({ ...base, out, log: (l) => lines.push(l) });
    expect(lines.some((l) => /selected 3 of 9 images .*trainval\.txt \(single-object; 2 excluded by the rule, 4 skipped\)/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes(`skipped ${MINI_VOC.malformed}: annotation`))).toBe(true);
    const want = MINI_VOC.singleObject.flatMap((c) => [1, 2, 3].map((t) => `${t}_${c.classId}_${c.contentId}.jpg`)).sort();
    expect(m.records.map((r) => r.file)).toEqual(want);
    expect((await readdir(out)).sort()).toEqual([...want, 'manifest.json'].sort());
    expect(m).toMatchObject({ kind: 'svoc', version: VERSION, factors: ['shape', 'texture'] });
    expect(m.classes).toEqual(VOC_CLASSES.map((name, i) => ({ id: i + 1, name })));
    expect(m.build).toMatchObject({ alpha: 1, size: 32, crop: false, preserveColor: false, quality: 95, seed: 1, textures: 3, backend: 'wasm' });
    for (const t of m.textures) expect(t.sha256).toBe(await sha(t.source!));
    const r = m.records.find((x) => x.file === `2_20_2010_000007.jpg`)!;
    expect(r).toEqual({ file: '2_20_2010_000007.jpg', factors: { shape: '2010_000007', texture: 2 }, classId: 20, className: 'tvmonitor', contentId: '2010_000007', textureId: 2, textureName: m.textures[1]!.name });

    const set = await readProbeSet(out);
    expect(set.records).toHaveLength(9);
    expect(set.factors).toEqual(['shape', 'texture']);

    // The 33x41 content: shorter side 32 → 32x39; the output keeps that size, not the decoder's 32x40.
    const img = await decodeImage(path.join(out, r.file));
    expect([img.width, img.height]).toEqual([32, 39]);
    const s = await createStylizer({ vgg: base.vgg, decoder: base.decoder });
    const content = await loadStyleInput(path.join(base.voc, 'JPEGImages', '2010_000007.jpg'), 32, false);
    const style = await loadStyleInput(m.textures[1]!.source!, 32, false);
    const direct = await s.stylize(content, style);
    const px = tf.tidy(() => tf.round(tf.mul(tf.clipByValue(tf.slice(direct, [0, 0, 0], [39, 32, 3]), 0, 1), 255)).dataSync());
    let err = 0;
    for (let i = 0; i < px.length; i++) err += Math.abs(px[i]! - img.data[i]!);
    // JPEG at quality 95 on a 32x39 image: a few levels on average.
    expect(err / px.length).toBeLessThan(6);
    tf.dispose([content, style, direct]);
    s.dispose();
  });

  it('resumes: a --limit trial then the full run writes only what is missing', async () => {
    const out = path.join(root, 'resume');
    const tensors = tf.memory().numTensors;
    const m1 = await buildSvoc({ ...base, out, limit: 1 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(m1.records.map((r) => r.file)).toEqual(['1_12_2007_000001.jpg', '2_12_2007_000001.jpg', '3_12_2007_000001.jpg']);
    const before = await Promise.all(m1.records.map(async (r) => (await stat(path.join(out, r.file))).mtimeMs));
    // An image on disk but not in the manifest (a kill between rename and manifest write) is redone.
    await writeFile(path.join(out, '1_1_2007_000002.jpg'), 'partial garbage');
    const lines: string[] = [];
    const m2 = await buildSvoc({ ...base, out, log: (l) => lines.push(l) });
    expect(lines).toContain(`svoc build: resuming in ${out}: 3 of 3 recorded images present`);
    expect(m2.records).toHaveLength(9);
    const after = await Promise.all(m1.records.map(async (r) => (await stat(path.join(out, r.file))).mtimeMs));
    expect(after).toEqual(before);
    expect((await readdir(out)).filter((f) => f.endsWith('.jpg'))).toHaveLength(9);
    for (const r of m2.records) await decodeImage(path.join(out, r.file));
    // Same content as a build from scratch.
    const full = await readProbeSet(path.join(root, 'full'));
    for (const r of full.records) expect(await sha(path.join(out, r.file)), r.file).toBe(await sha(path.join(root, 'full', r.file)));
  });

  it('stops on abort after writing the manifest, and refuses to resume with other parameters', async () => {
    const out = path.join(root, 'abort');
    const ac = new AbortController();
    const lines: string[] = [];
    const p = buildSvoc({ ...base, out, signal: ac.signal, log: (l) => { lines.push(l); if (l.startsWith('svoc build: textures')) ac.abort(); } });
    await expect(p).rejects.toThrow(/interrupted: 0 images recorded in .*manifest\.json; rerun the same command/);
    expect((await readProbeSet(out).catch(() => null))?.records ?? []).toHaveLength(0);
    await expect(buildSvoc({ ...base, out, alpha: 0.5 })).rejects.toThrow(/other parameters: alpha 1 \(now 0\.5\)/);
    await expect(buildSvoc({ ...base, out, textures: 'islam2021' })).rejects.toThrow(/other parameters: textures .* \(now cracked_0048,marbled_0159/);
    const done = await buildSvoc({ ...base, out });
    expect(done.records).toHaveLength(9);
  });

  it('applies crop, alpha, colour preservation and quality', async () => {
    const out = path.join(root, 'opts');
    const m = await buildSvoc({ ...base, out, crop: true, alpha: 0.5, preserveColor: true, quality: 80, textures: ['cracked_0048'], list: await (async () => {
      const f = path.join(root, 'l.txt'); await writeFile(f, '1_2007_000002\n'); return f;
    })() });
    expect(m.records.map((r) => r.file)).toEqual(['1_1_2007_000002.jpg']);
    expect(m.build).toMatchObject({ crop: true, alpha: 0.5, preserveColor: true, quality: 80, textures: 'list', selection: { mode: 'list' } });
    const img = await decodeImage(path.join(out, m.records[0]!.file));
    expect([img.width, img.height]).toEqual([32, 32]);
  });

  it('rejects bad options before writing anything', async () => {
    const out = path.join(root, 'bad');
    await expect(buildSvoc({ ...base, out, alpha: 2 })).rejects.toThrow(/alpha must be in \[0, 1\], got 2/);
    await expect(buildSvoc({ ...base, out, size: 4 })).rejects.toThrow(/size must be an integer of at least 8, got 4/);
    const dec = rawStateDict('decoder_small');
    await expect(buildSvoc({ ...base, out, vgg: dec })).rejects.toThrow(/missing keys 0\.weight/);
    await expect(stat(path.join(out, 'manifest.json'))).rejects.toThrow();
    // A texture that cannot be decoded: named, nothing stylized, no tensor left behind.
    const broken = path.join(root, 'broken_0001.jpg');
    await writeFile(broken, 'not a jpeg');
    const tensors = tf.memory().numTensors;
    await expect(buildSvoc({ ...base, out, textures: [broken] })).rejects.toThrow(/broken_0001\.jpg: cannot decode image/);
    expect(tf.memory().numTensors).toBe(tensors);
    // the lane fails before anything is written: no folder, so no image
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it('the manifest records the backend settings in force; worker lanes run with the main thread\'s, not their environment', async () => {
    const env = { im2col: process.env.SHAPETEX_IM2COL, fma: process.env.SHAPETEX_FMA };
    try {
      await initBackend('wasm', { log: null, fma: false });
      // the worker threads start with this environment: they must not read it
      process.env.SHAPETEX_IM2COL = '0';
      process.env.SHAPETEX_FMA = '1';
      const want = { ...DEFAULT_BACKEND_SETTINGS, fma: false };
      for (const workers of [1, 2]) {
        const out = path.join(root, `settings-${workers}`);
        const m = await buildSvoc({ ...base, out, limit: 1, workers });
        expect(m.build).toMatchObject({ backend: 'wasm', device: 'wasm (simd, winograd 3×3, im2col)', backendSettings: want });
        expect((await readManifest(out)).build.backendSettings).toEqual(want);
      }
    } finally {
      for (const [k, v] of [['SHAPETEX_IM2COL', env.im2col], ['SHAPETEX_FMA', env.fma]] as const) if (v === undefined) delete process.env[k]; else process.env[k] = v;
      await initBackend('wasm', { log: null, ...DEFAULT_BACKEND_SETTINGS });
    }
  });
});
