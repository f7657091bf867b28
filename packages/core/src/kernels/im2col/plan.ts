/**
 * What the im2col path needs of one convolution: its geometry and its filters packed as the
 * GEMM reads them. Pure: arrays in, arrays out; the packed filters are made on first use.
 */
import { resident } from '../arena.js';
import type { ConvKernels } from '../module.js';

export interface Im2colPlan {
  kh: number;
  kw: number;
  C: number;
  K: number;
  stride: number;
  pad: number;
  /** HWIO [kh, kw, C, K]. */
  filter: Float32Array;
  /** Per output channel (zeros when the conv has none). */
  bias: Float32Array;
  relu: boolean;
}

/**
 * Whether a convolution can take the im2col path: dense, K a multiple of 8 (the GEMM's
 * columns), ReLU or no activation, and not a 1×1 stride-1 convolution, which needs no gather
 * and which tfjs's XNNPACK runs as a plain matrix product already.
 */
export function im2colEligible(c: { kh: number; kw: number; C: number; K: number; stride: number; pad: number; depthwise: boolean; activation: string }): boolean {
  return !c.depthwise && c.K % 8 === 0 && (c.activation === 'relu' || c.activation === 'linear') &&
    !(c.kh === 1 && c.kw === 1 && c.stride === 1);
}

export function planIm2col(filter: Float32Array, g: { kh: number; kw: number; C: number; K: number; stride: number; pad: number }, bias: Float32Array | null, relu: boolean): Im2colPlan {
  const { kh, kw, C, K } = g;
  if (filter.length !== kh * kw * C * K) throw new Error(`planIm2col: a [${kh}, ${kw}, ${C}, ${K}] filter has ${kh * kw * C * K} values, got ${filter.length}`);
  if (K % 8 !== 0) throw new Error(`planIm2col: K = ${K} must be a multiple of 8`);
  return { ...g, filter: Float32Array.from(filter), bias: bias ? Float32Array.from(bias) : new Float32Array(K), relu };
}

/**
 * The filters as the GEMM's U: [K/8][depth][8] with depth = kh·kw·C in HWIO order, so row d of
 * U multiplies entry d of an im2col row.
 */
export function packFilters(filter: Float32Array, depth: number, K: number): Float32Array {
  const U = new Float32Array(depth * K);
  for (let d = 0; d < depth; d++) {
    for (let k = 0; k < K; k++) U[(k >> 3) * depth * 8 + d * 8 + (k & 7)] = filter[d * K + k]!;
  }
  return U;
}

/** Byte addresses of the plan's packed filters and bias in the kernels' memory (kernels/arena.ts). */
export function residentIm2col(k: ConvKernels, plan: Im2colPlan): { U: number; bias: number } {
  const depth = plan.kh * plan.kw * plan.C;
  const [U, bias] = resident(k, plan, 'im2col', () => [packFilters(plan.filter, depth, plan.K), plan.bias]);
  return { U: U!, bias: bias! };
}
