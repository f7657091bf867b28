/**
 * `buildCueConflict` on the miniature VOC (three single-object images: dog, aeroplane,
 * tvmonitor, each with a 20 px box) and the small AdaIN fixture weights.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendSettings, decodeImage, initBackend } from '@shapetex/core';
import { buildCueConflict, createStylizer, loadBoxStyle, loadStyleInput, parseCueFileName, readCueConflictSet, type BuildCueConflictOptions } from '@shapetex/svoc';
import { rawStateDict } from '../adain/fixtures.js';
import { makeMiniVoc, MINI_VOC } from '../builder/mini-datasets.js';

let root: string;
let base: BuildCueConflictOptions;
beforeAll(async () => {
  await initBackend('wasm', { log: null });
  root = await mkdtemp(path.join(tmpdir(), 'svoc-cue-'));
  base = { voc: await makeMiniVoc(root), vgg: rawStateDict('vgg_small'), decoder: rawStateDict('decoder_small'), out: '', size: 32, minBox: 8, seed: 3, log: null, progress: null };
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

const classes = MINI_VOC.singleObject.map((c) => c.className);

describe('buildCueConflict', () => {
  it('stylizes each single-object image with the box of an object of another class, in the stimuli layout', async () => {
    const out = path.join(root, 'set');
    const m = await buildCueConflict({ ...base, out });
    expect(m).toMatchObject({ kind: 'cue-conflict', factors: ['shape', 'texture'] });
    expect(m.records).toHaveLength(3);
    expect(m.textures.map((t) => t.name)).toEqual([...classes].sort());
    for (const r of m.records) {
      const c = MINI_VOC.singleObject.find((x) => x.contentId === r.contentId)!;
      const n = parseCueFileName(r.file)!;
      expect(r.file.startsWith(`${c.className}/`)).toBe(true);
      expect(n).toEqual({ shape: c.className, shapeIndex: 1, texture: r.textureName, textureIndex: 1 });
      expect(r.factors).toEqual({ shape: c.className, texture: r.textureName });
      expect(r.textureName).not.toBe(c.className);
      expect(classes).toContain(r.textureName);
      expect(r.classId).toBe(c.classId);
      const src = (r as unknown as { textureSource: { contentId: string; box: number[] } }).textureSource;
      expect(MINI_VOC.singleObject.find((x) => x.contentId === src.contentId)!.className).toBe(r.textureName);
      expect(src.box).toEqual([1, 1, 20, 20]);
    }
    // the reader sees the same set with its manifest and, the manifest aside, from the names alone
    const set = await readCueConflictSet(out);
    expect(set.kind).toBe('manifest');
    expect(set.images.map((i) => [i.file, i.shape, i.texture, i.conflict])).toEqual(m.records.map((r) => [r.file, r.className, r.textureName, true]).sort());
    const bare = path.join(root, 'bare');
    for (const r of m.records) {
      await stat(path.join(out, r.file));
      const to = path.join(bare, r.file);
      await mkdir(path.dirname(to), { recursive: true });
      await copyFile(path.join(out, r.file), to);
    }
    const byName = await readCueConflictSet(bare);
    expect(byName.kind).toBe('stimuli');
    expect(byName.images).toEqual(set.images);
  });

  it('the manifest records the backend and its settings in force', async () => {
    const m = await buildCueConflict({ ...base, out: path.join(root, 'settings'), limit: 1 });
    expect(m.build.backend).toBe('wasm');
    expect(m.build.backendSettings).toEqual(backendSettings());
    expect(Object.keys(m.build.backendSettings as object).sort()).toEqual(['fma', 'im2col', 'wasmThreads', 'winograd', 'winogradMaxTile']);
  });

  it('each image is the stylizer output of (content, box crop), clipped, 8-bit', async () => {
    const out = path.join(root, 'set');
    const set = await readCueConflictSet(out);
    const m = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8'));
    const r = m.records[0];
    const voc = path.join(root, 'VOCdevkit', 'VOC2012', 'JPEGImages');
    const content = await loadStyleInput(path.join(voc, `${r.contentId}.jpg`), 32, false);
    const style = await loadBoxStyle(path.join(voc, `${r.textureSource.contentId}.jpg`), { className: r.textureName, xmin: 1, ymin: 1, xmax: 20, ymax: 20 }, 32);
    const s = await createStylizer({ vgg: base.vgg, decoder: base.decoder });
    const [h, w] = content.shape;
    const styled = await s.stylize(content, style);
    const want = tf.tidy(() => tf.floor(tf.add(tf.mul(tf.clipByValue(tf.slice(styled, [0, 0, 0], [h, w, 3]), 0, 1), 255), 0.5)).dataSync());
    styled.dispose();
    s.dispose();
    const got = await decodeImage(path.join(out, set.images.find((i) => i.file === r.file)!.file));
    expect([got.width, got.height]).toEqual([w, h]);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got.data[i]! - want[i]!));
    expect(maxDiff).toBeLessThanOrEqual(1);
    tf.dispose([content, style]);
  });

  it('the box crop is the annotated pixels (1-based inclusive coordinates)', async () => {
    const file = path.join(root, 'VOCdevkit', 'VOC2012', 'JPEGImages', '2007_000001.jpg');
    const img = await decodeImage(file);
    // shorter side 10 = the box's own size: no resampling
    const t = await loadBoxStyle(file, { className: 'dog', xmin: 3, ymin: 5, xmax: 14, ymax: 14 }, 10);
    expect(t.shape).toEqual([10, 12, 3]);
    const d = t.dataSync();
    for (let y = 0; y < 10; y++) for (let x = 0; x < 12; x++) for (let c = 0; c < 3; c++) {
      expect(d[(y * 12 + x) * 3 + c]).toBeCloseTo(img.data[((y + 4) * img.width + x + 2) * 3 + c]! / 255, 6);
    }
    t.dispose();
    await expect(loadBoxStyle(file, { className: 'dog', xmin: 100, ymin: 100, xmax: 120, ymax: 120 }, 10)).rejects.toThrow(/lies outside the 40x30 image/);
  });

  it('is seeded and resumable: a rerun redoes only the missing image; other parameters are refused', async () => {
    const out = path.join(root, 'set');
    const first = (await readCueConflictSet(out)).images;
    const gone = first[1]!.file;
    const kept = first[0]!.file;
    const before = (await stat(path.join(out, kept))).mtimeMs;
    await unlink(path.join(out, gone));
    const lines: string[] = [];
    const m = await buildCueConflict({ ...base, out, log: (l) => lines.push(l) });
    expect(lines.some((l) => /resuming .* 2 of 3 recorded images present/.test(l))).toBe(true);
    expect(m.records.map((r) => r.file).sort()).toEqual(first.map((i) => i.file));
    expect((await stat(path.join(out, kept))).mtimeMs).toBe(before);
    expect((await stat(path.join(out, gone))).size).toBeGreaterThan(0);
    await expect(buildCueConflict({ ...base, out, seed: 4 })).rejects.toThrow(/built with other parameters: seed 3 \(now 4\)/);
    // the same seed plans the same images in a fresh folder
    const again = await buildCueConflict({ ...base, out: path.join(root, 'again'), limit: 2 });
    expect(again.records.map((r) => r.file)).toEqual(m.records.map((r) => r.file).sort().filter((f) => again.records.some((a) => a.file === f)));
  });

  it('needs boxes of two classes', async () => {
    await expect(buildCueConflict({ ...base, out: path.join(root, 'none'), minBox: 21 })).rejects.toThrow(/texture boxes of at least 2 classes are needed \(boxes ≥ 21 px found for 0/);
  });

  it('svoc cue-conflict (the command) builds the same set from the weight files; bad options exit 2', () => {
    const cli = path.resolve(__dirname, '../../../packages/svoc/dist/cli.js');
    const fix = path.resolve(__dirname, '../../fixtures/adain');
    const out = path.join(root, 'cli');
    const args = ['cue-conflict', '--voc', base.voc, '--vgg', path.join(fix, 'vgg_small.pth'), '--decoder', path.join(fix, 'decoder_small.pth'), '--out', out, '--size', '32', '--min-box', '8', '--seed', '3', '--backend', 'wasm'];
    const ok = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('svoc cue-conflict: 3 images in');
    const bad = spawnSync(process.execPath, [cli, ...args, '--per-content', '0'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--per-content must be an integer from 1 to 19/);
  });
});
