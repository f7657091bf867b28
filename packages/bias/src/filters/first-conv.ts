/**
 * Which weight of a checkpoint is its first convolution, and its kernels in [O, I, kh, kw].
 * Pure functions of shapes and arrays.
 */
import { CheckpointError } from '@shapetex/core';
import type { ConvKernels, KernelLayout, WeightShape } from './types.js';

/** Input channels of a 4-D kernel in the given layout (PyTorch [O,I,kh,kw]; TF.js [kh,kw,I,O]). */
export function inputChannels(shape: readonly number[], layout: KernelLayout): number {
  return layout === 'oihw' ? shape[1]! : shape[2]!;
}

function describe(w: WeightShape): string {
  return `${w.key} [${w.shape.join(', ')}]`;
}

/**
 * The key of the first convolution: `layer` when given (it must be a 4-D weight with 3 input
 * channels), else the first 4-D weight, in the file's order, whose input-channel count is 3 —
 * the layer that sees the RGB image. Errors name the file and list the 4-D weights it has.
 */
export function findFirstConv(weights: readonly WeightShape[], layout: KernelLayout, file: string, layer?: string): string {
  const fourD = weights.filter((w) => w.shape.length === 4);
  const listed = fourD.length > 0 ? fourD.map(describe).join(', ') : 'none';
  const order = layout === 'oihw' ? '[O, I, kh, kw]' : '[kh, kw, I, O]';
  if (layer !== undefined) {
    const w = weights.find((x) => x.key === layer);
    if (!w) throw new CheckpointError(file, `no weight named ${JSON.stringify(layer)} (--layer); 4-D weights: ${listed}`);
    if (w.shape.length !== 4 || inputChannels(w.shape, layout) !== 3) {
      throw new CheckpointError(file, `${describe(w)} is not a convolution over RGB: expected a 4-D ${order} weight with 3 input channels`);
    }
    return layer;
  }
  const first = fourD.find((w) => inputChannels(w.shape, layout) === 3);
  if (!first) throw new CheckpointError(file, `no 4-D weight with 3 input channels (${order}); 4-D weights: ${listed}`);
  return first.key;
}

/**
 * Kernels of a 4-D weight as {@link ConvKernels}: PyTorch data is taken as is, a TF.js
 * [kh, kw, I, O] kernel is transposed to [O, I, kh, kw].
 */
export function toConvKernels(key: string, shape: readonly number[], data: ArrayLike<number>, layout: KernelLayout): ConvKernels {
  if (shape.length !== 4) throw new CheckpointError(null, `${key}: expected a 4-D kernel, got shape [${shape.join(', ')}]`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new CheckpointError(null, `${key}: shape [${shape.join(', ')}] needs ${size} values, got ${data.length}`);
  if (layout === 'oihw') {
    const [out, inC, kh, kw] = shape as [number, number, number, number];
    return { key, layout, out, in: inC, kh, kw, data: Float32Array.from(data) };
  }
  const [kh, kw, inC, out] = shape as [number, number, number, number];
  const t = new Float32Array(size);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < inC; i++) {
        for (let o = 0; o < out; o++) t[((o * inC + i) * kh + y) * kw + x] = data[((y * kw + x) * inC + i) * out + o]!;
      }
    }
  }
  return { key, layout, out, in: inC, kh, kw, data: t };
}
