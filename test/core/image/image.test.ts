import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import {
  initBackend, resizeBilinear, decodeImage, loadImages, batchImages, parseNorm, ImageError, NORM_PRESETS,
} from '@shapetex/core';

const FIX = path.resolve(__dirname, '../../fixtures/image');
const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-image-'));

beforeAll(async () => {
  await initBackend('wasm', { log: null });
});

describe('resizeBilinear (PIL convention) against PIL float-mode resizes', () => {
  const fx = JSON.parse(readFileSync(path.join(FIX, 'resize_expected.json'), 'utf8'));
  for (const key of Object.keys(fx.resized)) {
    it(`37x23 -> ${key}`, async () => {
      const img = await decodeImage(path.join(FIX, 'resize_src.png'));
      expect([img.width, img.height]).toEqual([37, 23]);
      const [w, h] = key.split('x').map(Number) as [number, number];
      const got = resizeBilinear(img.data, 37, 23, 3, w, h);
      const want: number[] = fx.resized[key];
      expect(got.length).toBe(want.length);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      // PIL computes float images in float32: agreement to float32 rounding on a 0..255 scale.
      expect(worst).toBeLessThan(1e-3);
    });
  }

  it('keeps a constant image constant and an identity resize exact', () => {
    const flat = new Uint8Array(9 * 7 * 3).fill(77);
    for (const v of resizeBilinear(flat, 9, 7, 3, 4, 13)) expect(v).toBeCloseTo(77, 10);
    const src = Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 37) % 256);
    expect(Array.from(resizeBilinear(src, 5, 4, 3, 5, 4))).toEqual(Array.from(src));
  });
});

describe('decodeImage', () => {
  it('applies EXIF orientation like PIL exif_transpose', async () => {
    const want = JSON.parse(readFileSync(path.join(FIX, 'orient_expected.json'), 'utf8'));
    const img = await decodeImage(path.join(FIX, 'orient6.jpg'));
    expect([img.width, img.height]).toEqual([want.width, want.height]);
    for (const [x, y, rgb] of Object.values(want.centres) as [number, number, number[]][]) {
      const p = (y * img.width + x) * 3;
      for (let c = 0; c < 3; c++) expect(Math.abs(img.data[p + c]! - rgb[c]!)).toBeLessThanOrEqual(6);
    }
  });

  it('expands grey to RGB and drops alpha; reads PNG, JPEG and WebP', async () => {
    const grey = path.join(tmp, 'grey.png');
    await sharp(Buffer.from([0, 64, 128, 255]), { raw: { width: 2, height: 2, channels: 1 } }).png().toFile(grey);
    const g = await decodeImage(grey);
    expect(Array.from(g.data)).toEqual([0, 0, 0, 64, 64, 64, 128, 128, 128, 255, 255, 255]);

    const rgba = path.join(tmp, 'rgba.png');
    await sharp(Buffer.from([10, 20, 30, 0, 40, 50, 60, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(rgba);
    expect(Array.from((await decodeImage(rgba)).data)).toEqual([10, 20, 30, 40, 50, 60]);

    const webp = path.join(tmp, 'x.webp');
    const px = Buffer.from([200, 10, 10, 10, 200, 10, 10, 10, 200, 90, 90, 90]);
    await sharp(px, { raw: { width: 2, height: 2, channels: 3 } }).webp({ lossless: true }).toFile(webp);
    expect(Array.from((await decodeImage(webp)).data)).toEqual(Array.from(px));

    const jpg = path.join(tmp, 'flat.jpg');
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 100, g: 150, b: 200 } } }).jpeg({ quality: 100 }).toFile(jpg);
    const j = await decodeImage(jpg);
    for (let i = 0; i < j.data.length; i += 3) {
      expect(Math.abs(j.data[i]! - 100) + Math.abs(j.data[i + 1]! - 150) + Math.abs(j.data[i + 2]! - 200)).toBeLessThanOrEqual(6);
    }
  });

  it('names the file when it is missing or corrupt', async () => {
    const missing = path.join(tmp, 'nope.jpg');
    await expect(decodeImage(missing)).rejects.toThrow(ImageError);
    await expect(decodeImage(missing)).rejects.toThrow(`${missing}: file not found`);
    const full = readFileSync(path.join(FIX, 'orient6.jpg'));
    const truncated = path.join(tmp, 'truncated.jpg');
    writeFileSync(truncated, full.subarray(0, Math.floor(full.length / 2)));
    await expect(decodeImage(truncated)).rejects.toThrow(new RegExp(`^${truncated.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot decode`));
    const text = path.join(tmp, 'text.jpg');
    writeFileSync(text, 'not an image at all');
    await expect(decodeImage(text)).rejects.toThrow(/text\.jpg: cannot decode/);
  });
});

describe('loadImages', () => {
  it('returns NHWC float32, resized, scaled and normalised per preset', async () => {
    const fx = JSON.parse(readFileSync(path.join(FIX, 'resize_expected.json'), 'utf8'));
    const want: number[] = fx.resized['16x16'];
    const t = await loadImages([path.join(FIX, 'resize_src.png'), path.join(FIX, 'resize_src.png')], { size: 16, norm: 'cifar' });
    expect(t.shape).toEqual([2, 16, 16, 3]);
    expect(t.dtype).toBe('float32');
    const got = await t.data();
    const { mean, std } = NORM_PRESETS.cifar;
    let worst = 0;
    for (let n = 0; n < 2; n++) {
      for (let i = 0; i < want.length; i++) {
        const c = i % 3;
        worst = Math.max(worst, Math.abs(got[n * want.length + i]! - (want[i]! / 255 - mean[c]!) / std[c]!));
      }
    }
    expect(worst).toBeLessThan(1e-4);
    t.dispose();
  });

  it('accepts explicit mean/std, in object and CLI form', () => {
    expect(parseNorm('0.5,0.5,0.5/0.25,0.25,0.25')).toEqual({ mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
    expect(parseNorm({ mean: [0, 0, 0], std: [1, 2, 3] }).std).toEqual([1, 2, 3]);
    expect(parseNorm('imagenet')).toEqual(NORM_PRESETS.imagenet);
    expect(() => parseNorm('1,2/3')).toThrow(/m1,m2,m3\/s1,s2,s3/);
    expect(() => parseNorm('0,0,0/1,0,1')).toThrow(/positive standard deviations/);
  });

  it('rejects with the failing file named, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const missing = path.join(tmp, 'missing.png');
    await expect(loadImages([path.join(FIX, 'resize_src.png'), missing], { size: 8 })).rejects.toThrow(missing);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('batchImages', () => {
  it('yields every image once, in order, in batches that match loadImages', async () => {
    const files: string[] = [];
    for (let i = 0; i < 7; i++) {
      const f = path.join(tmp, `b${i}.png`);
      await sharp({ create: { width: 10 + i, height: 12, channels: 3, background: { r: 30 * i, g: 10, b: 250 - 30 * i } } }).png().toFile(f);
      files.push(f);
    }
    const all = await loadImages(files, { size: 6, norm: 'imagenet' });
    const allData = await all.data();
    all.dispose();
    const seen: number[] = [];
    for await (const b of batchImages(files, { size: 6, batchSize: 3, concurrency: 2 })) {
      expect(b.shape).toEqual([b.paths.length, 6, 6, 3]);
      expect(b.paths).toEqual(files.slice(b.start, b.start + b.paths.length));
      expect(Array.from(b.data)).toEqual(Array.from(allData.subarray(b.start * 108, (b.start + b.paths.length) * 108)));
      seen.push(b.start);
    }
    expect(seen).toEqual([0, 3, 6]);
  });
});
