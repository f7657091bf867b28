/**
 * Winograd filter transform: U = G·g·Gᵀ for every (input, output) channel pair, packed in the
 * layout the GEMM kernel reads. Pure: arrays in, arrays out; the plan only caches the
 * transformed filters of each tile size the first time a convolution asks for them.
 */
import { resident } from '../arena.js';
import type { ConvKernels } from '../module.js';
import { tileTransforms, type TileSize } from './transforms.js';

/** What the kernels need of one convolution, computed once when the network is built. */
export interface WinogradPlan {
  /** Input and output channels. */
  C: number;
  K: number;
  /** The HWIO [3, 3, C, K] filter the transformed ones are made from. */
  filter: Float32Array;
  /** Per output channel (zeros when the conv has none). */
  bias: Float32Array;
  relu: boolean;
  /** Transformed filters per tile size, [α²][K/8][C][8], made on first use. */
  U: Partial<Record<TileSize, Float32Array>>;
}

/**
 * Whether a convolution can take the Winograd path: 3×3 kernel, stride 1, padding 1, not
 * depthwise, C a multiple of 4 and K of 8 (the SIMD widths), ReLU or no activation.
 */
export function winogradEligible(c: { kh: number; kw: number; C: number; K: number; stride: number; pad: number; depthwise: boolean; activation: string }): boolean {
  return c.kh === 3 && c.kw === 3 && c.stride === 1 && c.pad === 1 && !c.depthwise &&
    c.C % 4 === 0 && c.K % 8 === 0 && (c.activation === 'relu' || c.activation === 'linear');
}

/** The plan of an HWIO [3, 3, C, K] filter (the transformed filters follow on first use). */
export function planWinograd(filter: Float32Array, C: number, K: number, bias: Float32Array | null, relu: boolean): WinogradPlan {
  if (filter.length !== 9 * C * K) throw new Error(`planWinograd: a [3, 3, ${C}, ${K}] filter has ${9 * C * K} values, got ${filter.length}`);
  if (C % 4 !== 0 || K % 8 !== 0) throw new Error(`planWinograd: C = ${C} must be a multiple of 4 and K = ${K} of 8`);
  return { C, K, filter: Float32Array.from(filter), bias: bias ? Float32Array.from(bias) : new Float32Array(K), relu, U: {} };
}

/** The plan's transformed filters for tile size m, made and kept on first use. */
export function planFilters(plan: WinogradPlan, m: TileSize): Float32Array {
  return (plan.U[m] ??= transformFilters(plan.filter, plan.C, plan.K, m));
}

/**
 * U = G·g·Gᵀ for tile size m, packed [α²][K/8][C][8] (8 output channels side by side, as the
 * GEMM reads them). Computed in float64 and rounded once, so the transformed filters are the
 * nearest floats to the exact product.
 */
export function transformFilters(filter: Float32Array, C: number, K: number, m: TileSize): Float32Array {
  const { alpha, G } = tileTransforms(m);
  const U = new Float32Array(alpha * alpha * C * K);
  const g = new Float64Array(9);
  const gg = new Float64Array(alpha * 3); // G·g, α × 3
  for (let c = 0; c < C; c++) {
    for (let k = 0; k < K; k++) {
      for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) g[y * 3 + x] = filter[(y * 3 + x) * C * K + c * K + k]!;
      for (let i = 0; i < alpha; i++) {
        const Gi = G[i]!;
        for (let x = 0; x < 3; x++) gg[i * 3 + x] = Gi[0]! * g[x]! + Gi[1]! * g[3 + x]! + Gi[2]! * g[6 + x]!;
      }
      const panel = (k >> 3) * C * 8 + c * 8 + (k & 7);
      for (let i = 0; i < alpha; i++) {
        const r0 = gg[i * 3]!, r1 = gg[i * 3 + 1]!, r2 = gg[i * 3 + 2]!;
        for (let j = 0; j < alpha; j++) {
          const Gj = G[j]!;
          U[(alpha * i + j) * C * K + panel] = r0 * Gj[0]! + r1 * Gj[1]! + r2 * Gj[2]!;
        }
      }
    }
  }
  return U;
}

/**
 * The byte addresses of the plan's transformed filters for tile size m and of its bias in the
 * kernels' memory (kernels/arena.ts), copied in when not there.
 */
export function residentFilters(k: ConvKernels, plan: WinogradPlan, m: TileSize, capacity?: number): { U: number; bias: number } {
  const [U, bias] = resident(k, plan, `winograd F(${m}×${m})`, () => [planFilters(plan, m), plan.bias], capacity);
  return { U: U!, bias: bias! };
}
