/**
 * The filter grid: each kernel of the first convolution as a small RGB image, min-max scaled
 * over its own kh×kw×3 values (the customary way of showing first-layer filters: the colour of
 * a tile is what the kernel responds to most), enlarged by nearest neighbour and laid out in a
 * near-square grid. Pure: kernels in, pixels out.
 */
import type { ConvKernels, FilterGrid, FilterGridOptions } from './types.js';
import { BIAS_DEFAULTS } from '../defaults.js';
import { CheckpointError } from '@shapetex/core';

/** Grey of a constant kernel, which has no range to scale: it shows as flat mid-grey. */
export const CONSTANT_KERNEL_GREY = 128;

/** Kernel pixels enlarged so that a tile is about 48 screen pixels wide, at least 1×. */
export function defaultScale(kh: number, kw: number): number {
  return Math.max(1, Math.floor(48 / Math.max(kh, kw)));
}

/**
 * One kernel (output channel `o`) as 0..255 values in [kh, kw, 3] order: v ↦ round(255·(v −
 * min)/(max − min)) over the kernel's own values; a constant kernel → {@link CONSTANT_KERNEL_GREY}.
 */
export function kernelRgb(k: ConvKernels, o: number): Uint8Array {
  if (k.in !== 3) throw new RangeError(`${k.key}: a kernel shows as RGB only with 3 input channels, got ${k.in}`);
  const plane = k.kh * k.kw;
  const base = o * 3 * plane;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < 3 * plane; i++) {
    const v = k.data[base + i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new CheckpointError(null, `${k.key}: kernel ${o} holds non-finite values`);
  const out = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = k.data[base + c * plane + p]!;
      out[p * 3 + c] = hi === lo ? CONSTANT_KERNEL_GREY : Math.round((255 * (v - lo)) / (hi - lo));
    }
  }
  return out;
}

function checkInt(name: string, v: number, lo: number): void {
  if (!Number.isSafeInteger(v) || v < lo) throw new RangeError(`filterGrid: ${name} must be an integer ≥ ${lo}, got ${v}`);
}

/** The grid image of a convolution's kernels, one tile per output channel (see {@link FilterGrid}). */
export function filterGrid(k: ConvKernels, opts: FilterGridOptions = {}): FilterGrid {
  const scale = opts.scale ?? defaultScale(k.kh, k.kw);
  const gap = opts.gap ?? BIAS_DEFAULTS.filterGap;
  const columns = opts.columns ?? Math.max(1, Math.ceil(Math.sqrt(k.out)));
  checkInt('scale', scale, 1);
  checkInt('gap', gap, 0);
  checkInt('columns', columns, 1);
  const gapColor = [...(opts.gapColor ?? [255, 255, 255])] as [number, number, number];
  if (gapColor.length !== 3 || gapColor.some((c) => !Number.isInteger(c) || c < 0 || c > 255)) {
    throw new RangeError(`filterGrid: gapColor must be three integers 0..255, got ${JSON.stringify(opts.gapColor)}`);
  }
  const rows = Math.max(1, Math.ceil(k.out / columns));
  const tileWidth = k.kw * scale;
  const tileHeight = k.kh * scale;
  const width = gap + columns * (tileWidth + gap);
  const height = gap + rows * (tileHeight + gap);
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) rgb.set(gapColor, p * 3);
  for (let t = 0; t < k.out; t++) {
    const tile = kernelRgb(k, t);
    const x0 = gap + (t % columns) * (tileWidth + gap);
    const y0 = gap + Math.floor(t / columns) * (tileHeight + gap);
    for (let dy = 0; dy < tileHeight; dy++) {
      const ky = Math.floor(dy / scale);
      for (let dx = 0; dx < tileWidth; dx++) {
        const src = (ky * k.kw + Math.floor(dx / scale)) * 3;
        rgb.set(tile.subarray(src, src + 3), ((y0 + dy) * width + x0 + dx) * 3);
      }
    }
  }
  return { width, height, rgb, columns, rows, tiles: k.out, scale, gap, gapColor, tileWidth, tileHeight };
}
