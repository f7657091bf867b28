/**
 * Winograd F(2×2, 3×3) filter transform: U = G·g·Gᵀ for every (input, output) channel pair,
 * with G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]] (Lavin & Gray 2016), packed in the
 * layout the GEMM kernel reads. Pure: arrays in, arrays out.
 */

/** What the kernels need of one convolution, computed once when the network is built. */
export interface WinogradPlan {
  /** Input and output channels. */
  C: number;
  K: number;
  /** Transformed filters, [16][K/8][C][8]. */
  U: Float32Array;
  /** Per output channel (zeros when the conv has none). */
  bias: Float32Array;
  relu: boolean;
}

/**
 * Whether a convolution can take the Winograd path: 3×3 kernel, stride 1, padding 1, not
 * depthwise, C a multiple of 4 and K of 8 (the SIMD widths), ReLU or no activation.
 */
export function winogradEligible(c: { kh: number; kw: number; C: number; K: number; stride: number; pad: number; depthwise: boolean; activation: string }): boolean {
  return c.kh === 3 && c.kw === 3 && c.stride === 1 && c.pad === 1 && !c.depthwise &&
    c.C % 4 === 0 && c.K % 8 === 0 && (c.activation === 'relu' || c.activation === 'linear');
}

/**
 * The plan of an HWIO [3, 3, C, K] filter. Computed in float64 and rounded once, so the
 * transformed filters are the nearest floats to the exact G·g·Gᵀ.
 */
export function planWinograd(filter: Float32Array, C: number, K: number, bias: Float32Array | null, relu: boolean): WinogradPlan {
  if (filter.length !== 9 * C * K) throw new Error(`planWinograd: a [3, 3, ${C}, ${K}] filter has ${9 * C * K} values, got ${filter.length}`);
  if (C % 4 !== 0 || K % 8 !== 0) throw new Error(`planWinograd: C = ${C} must be a multiple of 4 and K = ${K} of 8`);
  const U = new Float32Array(16 * C * K);
  const g = new Float64Array(9);
  const gg = new Float64Array(12); // G·g, 4 × 3
  for (let c = 0; c < C; c++) {
    for (let k = 0; k < K; k++) {
      for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) g[y * 3 + x] = filter[(y * 3 + x) * C * K + c * K + k]!;
      for (let x = 0; x < 3; x++) {
        const g0 = g[x]!, g1 = g[3 + x]!, g2 = g[6 + x]!;
        gg[x] = g0;
        gg[3 + x] = 0.5 * (g0 + g1 + g2);
        gg[6 + x] = 0.5 * (g0 - g1 + g2);
        gg[9 + x] = g2;
      }
      const panel = (k >> 3) * C * 8 + c * 8 + (k & 7);
      for (let i = 0; i < 4; i++) {
        const r0 = gg[i * 3]!, r1 = gg[i * 3 + 1]!, r2 = gg[i * 3 + 2]!;
        const row = [r0, 0.5 * (r0 + r1 + r2), 0.5 * (r0 - r1 + r2), r2];
        for (let j = 0; j < 4; j++) U[(4 * i + j) * C * K + panel] = row[j]!;
      }
    }
  }
  return { C, K, U, bias: bias ? Float32Array.from(bias) : new Float32Array(K), relu };
}
