// The filter grid's pixels against a hand-worked oracle (issue 10, point 5): a checkpoint with
// known kernels (PyTorch-written, and the same kernels as a TF.js model) gives exactly the
// colours min-max scaling by hand gives, at the tile positions of the documented layout.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterGrid, findFirstConv, firstConvKernels, type FilterGrid } from '@shapetex/bias';
import { KNOWN, knownRgb, tileOrigin } from './oracle.js';
import { knownTfjsWeights, writeTfjsModel } from './tfjs-model.js';

const KNOWN_PTH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/filters/known.pth');

function pixel(g: FilterGrid, x: number, y: number): number[] {
  const i = (y * g.width + x) * 3;
  return [g.rgb[i]!, g.rgb[i + 1]!, g.rgb[i + 2]!];
}

/** Every pixel of every tile, and every pixel outside the tiles, against the oracle. */
function expectKnownGrid(g: FilterGrid, scale: number, gap: number, gapColor: number[]): void {
  // 6 kernels → ⌈√6⌉ = 3 columns, 2 rows
  const tileW = KNOWN.kw * scale;
  const tileH = KNOWN.kh * scale;
  expect([g.columns, g.rows, g.tileWidth, g.tileHeight]).toEqual([3, 2, tileW, tileH]);
  expect(g.width).toBe(gap + 3 * (tileW + gap));
  expect(g.height).toBe(gap + 2 * (tileH + gap));
  const inTile = new Set<number>();
  for (let o = 0; o < KNOWN.out; o++) {
    const { x: x0, y: y0 } = tileOrigin(o, 3, tileW, tileH, gap);
    for (let dy = 0; dy < tileH; dy++) {
      for (let dx = 0; dx < tileW; dx++) {
        expect(pixel(g, x0 + dx, y0 + dy), `kernel ${o} at (${dx}, ${dy})`).toEqual(knownRgb(o, Math.floor(dy / scale), Math.floor(dx / scale)));
        inTile.add((y0 + dy) * g.width + x0 + dx);
      }
    }
  }
  for (let p = 0; p < g.width * g.height; p++) {
    if (!inTile.has(p)) expect(pixel(g, p % g.width, Math.floor(p / g.width)), `gap pixel ${p}`).toEqual(gapColor);
  }
}

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-filters-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('first-layer filter grid of a checkpoint with known kernels', () => {
  it('PyTorch: picks conv1.weight (the first 4-D weight over 3 channels) and draws the expected pixels', async () => {
    const k = await firstConvKernels(KNOWN_PTH);
    expect(k.key).toBe('conv1.weight');
    expect([k.out, k.in, k.kh, k.kw, k.layout]).toEqual([6, 3, 3, 3, 'oihw']);
    const g = filterGrid(k, { scale: 4, gap: 2, gapColor: [10, 20, 30] });
    expectKnownGrid(g, 4, 2, [10, 20, 30]);
    // spot values worked out by hand: kernel 3 rises with the index (R of (0,0) = 0, B of (2,2) =
    // 255); kernel 0 falls (R of (0,0) = 255); kernel 2 is constant (grey 128)
    const o3 = tileOrigin(3, 3, 12, 12, 2);
    expect(pixel(g, o3.x, o3.y)).toEqual([0, Math.round(255 * 9 / 26), Math.round(255 * 18 / 26)]);
    expect(pixel(g, o3.x + 11, o3.y + 11)[2]).toBe(255);
    const o0 = tileOrigin(0, 3, 12, 12, 2);
    expect(pixel(g, o0.x, o0.y)[0]).toBe(255);
    const o2 = tileOrigin(2, 3, 12, 12, 2);
    expect(pixel(g, o2.x + 5, o2.y + 7)).toEqual([128, 128, 128]);
  });

  it('TF.js: a [kh, kw, I, O] kernel split over two shards gives the same grid', async () => {
    const file = await writeTfjsModel(path.join(dir, 'tfjs'), knownTfjsWeights());
    const k = await firstConvKernels(file);
    expect(k.key).toBe('conv1/kernel');
    expect(k.layout).toBe('hwio');
    expect([k.out, k.in, k.kh, k.kw]).toEqual([6, 3, 3, 3]);
    expectKnownGrid(filterGrid(k, { scale: 1, gap: 0 }), 1, 0, [255, 255, 255]);
    expectKnownGrid(filterGrid(k, { scale: 3, gap: 1 }), 3, 1, [255, 255, 255]);
  });

  it('--layer picks another weight; one that is not an RGB convolution is an error naming the file', async () => {
    const k = await firstConvKernels(KNOWN_PTH, { layer: 'head.weight' });
    expect([k.key, k.out, k.kh, k.kw]).toEqual(['head.weight', 5, 1, 1]);
    await expect(firstConvKernels(KNOWN_PTH, { layer: 'layer1.conv.weight' })).rejects.toThrow(/known\.pth: layer1\.conv\.weight \[8, 6, 3, 3\] is not a convolution over RGB/);
    await expect(firstConvKernels(KNOWN_PTH, { layer: 'nope' })).rejects.toThrow(/known\.pth: no weight named "nope"/);
  });
});

describe('findFirstConv', () => {
  it('takes the first 4-D weight with 3 input channels in the file order, per layout', () => {
    const w = [{ key: 'a', shape: [4, 1, 2, 3] }, { key: 'b', shape: [5, 5, 3, 8] }, { key: 'c', shape: [8, 3, 7, 7] }];
    expect(findFirstConv(w, 'oihw', 'f')).toBe('c');
    // in TF.js order the input channels are the third axis: b is [5, 5, I = 3, 8]; in PyTorch order it has 5
    expect(findFirstConv(w, 'hwio', 'f')).toBe('b');
  });

  it('says what it found when there is no RGB convolution', () => {
    expect(() => findFirstConv([{ key: 'fc.weight', shape: [10, 4] }, { key: 'x', shape: [4, 1, 3, 3] }], 'oihw', 'run/a.pth'))
      .toThrow('run/a.pth: no 4-D weight with 3 input channels ([O, I, kh, kw]); 4-D weights: x [4, 1, 3, 3]');
    expect(() => findFirstConv([], 'hwio', 'm/model.json')).toThrow(/m\/model\.json: no 4-D weight .*4-D weights: none/);
  });
});

describe('filterGrid layout', () => {
  const k = (out: number, data?: number[]) => ({ key: 'k', layout: 'oihw' as const, out, in: 3, kh: 1, kw: 1, data: Float32Array.from(data ?? Array.from({ length: out * 3 }, (_, i) => i % 3)) });

  it('lays out O tiles in a near-square grid: ⌈√O⌉ columns', () => {
    expect([filterGrid(k(1)).columns, filterGrid(k(1)).rows]).toEqual([1, 1]);
    expect([filterGrid(k(5)).columns, filterGrid(k(5)).rows]).toEqual([3, 2]);
    expect([filterGrid(k(64)).columns, filterGrid(k(64)).rows]).toEqual([8, 8]);
    expect([filterGrid(k(65)).columns, filterGrid(k(65)).rows]).toEqual([9, 8]);
  });

  it('a 1×1 kernel: R, G, B min-max scaled over its 3 values; unused cells of the last row are gap', () => {
    const g = filterGrid(k(3, [-1, 0, 3, 5, 5, 5, 2, -2, 0]), { scale: 2, gap: 1, gapColor: [0, 0, 0] });
    expect([g.columns, g.width, g.height]).toEqual([2, 7, 7]);
    // kernel 0: -1..3 → 0, 255/4, 255; kernel 1 constant → grey; kernel 2: -2..2 → 255, 0, 128 (127.5 rounded up)
    expect(pixel(g, 1, 1)).toEqual([0, 64, 255]);
    expect(pixel(g, 2, 2)).toEqual([0, 64, 255]);
    expect(pixel(g, 4, 1)).toEqual([128, 128, 128]);
    expect(pixel(g, 1, 4)).toEqual([255, 0, 128]);
    expect(pixel(g, 4, 4)).toEqual([0, 0, 0]);
    expect(pixel(g, 3, 1)).toEqual([0, 0, 0]);
  });

  it('rejects a scale that is not a positive integer', () => {
    expect(() => filterGrid(k(2), { scale: 1.5 })).toThrow(/scale must be an integer ≥ 1/);
  });
});
