import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeImage, initBackend, loadImages, NORM_PRESETS, prepareImage, resizeBilinear, resizeLinearCv2, resolvePreprocessing,
} from '@shapetex/core';

const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-prep-'));
let file: string;

beforeAll(async () => {
  await initBackend('wasm', { log: null });
  file = path.join(tmp, 'src.png');
  const px = Buffer.from(Array.from({ length: 30 * 20 * 3 }, (_, i) => (i * 53 + (i % 3) * 71) % 256));
  writeFileSync(file, await sharp(px, { raw: { width: 30, height: 20, channels: 3 } }).png().toBuffer());
});

describe('resolvePreprocessing', () => {
  it('defaults to pil, rgb, imagenet; size is required without a preset', () => {
    expect(resolvePreprocessing({ size: 32 })).toEqual({ size: 32, resize: 'pil', channelOrder: 'rgb', norm: NORM_PRESETS.imagenet });
    expect(() => resolvePreprocessing({})).toThrow(/image size must be a positive integer, got undefined/);
  });

  it("sets the reference's recipe with preset islam2021; explicit options override it", () => {
    expect(resolvePreprocessing({ preset: 'islam2021' })).toEqual({
      size: 513, resize: 'cv2-linear', channelOrder: 'bgr', norm: { mean: [0.485, 0.406, 0.456], std: [0.229, 0.225, 0.224] },
    });
    expect(resolvePreprocessing({ preset: 'islam2021', size: 64, channelOrder: 'rgb', norm: 'cifar' })).toEqual({
      size: 64, resize: 'cv2-linear', channelOrder: 'rgb', norm: NORM_PRESETS.cifar,
    });
  });

  it('names a bad value', () => {
    expect(() => resolvePreprocessing({ size: 8, resize: 'cubic' as never })).toThrow(/resize must be one of pil, cv2-linear, got "cubic"/);
    expect(() => resolvePreprocessing({ size: 8, channelOrder: 'grb' as never })).toThrow(/channelOrder must be one of rgb, bgr/);
    expect(() => resolvePreprocessing({ preset: 'x' as never })).toThrow(/preset must be one of islam2021/);
  });
});

describe('prepareImage with resize and channel order', () => {
  it('cv2-linear uses the OpenCV rule and pil the antialiased filter', async () => {
    const img = await decodeImage(file);
    const norm = { mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
    for (const [resize, fn] of [['cv2-linear', resizeLinearCv2], ['pil', resizeBilinear]] as const) {
      const out = new Float32Array(12 * 12 * 3);
      await prepareImage(file, { size: 12, norm, resize }, out);
      const want = fn(img.data, 30, 20, 3, 12, 12);
      want.forEach((v, i) => expect(out[i]).toBeCloseTo(v / 255, 6));
    }
  });

  it("bgr feeds B, G, R, each normalised with its own colour's mean and std", async () => {
    const norm = { mean: [0.1, 0.2, 0.3] as [number, number, number], std: [0.5, 0.25, 2] as [number, number, number] };
    const rgb = new Float32Array(9 * 9 * 3), bgr = new Float32Array(9 * 9 * 3);
    await prepareImage(file, { size: 9, norm }, rgb);
    await prepareImage(file, { size: 9, norm, channelOrder: 'bgr' }, bgr);
    for (let p = 0; p < 81; p++) for (let c = 0; c < 3; c++) expect(bgr[p * 3 + c]).toBe(rgb[p * 3 + 2 - c]);
  });

  it("preset islam2021 in loadImages: 513 px, and channel 0 is (B − 0.456) / 0.224 as the reference's code computes", async () => {
    const x = await loadImages([file], { preset: 'islam2021' });
    expect(x.shape).toEqual([1, 513, 513, 3]);
    const data = await x.data();
    x.dispose();
    const img = await decodeImage(file);
    const up = resizeLinearCv2(img.data, 30, 20, 3, 513, 513);
    for (const p of [0, 1000, 513 * 513 - 1]) {
      expect(data[p * 3]).toBeCloseTo((up[p * 3 + 2]! / 255 - 0.456) / 0.224, 5);
      expect(data[p * 3 + 1]).toBeCloseTo((up[p * 3 + 1]! / 255 - 0.406) / 0.225, 5);
      expect(data[p * 3 + 2]).toBeCloseTo((up[p * 3]! / 255 - 0.485) / 0.229, 5);
    }
  });
});
