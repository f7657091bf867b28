/**
 * Position embeddings of a ViT on another patch grid, as timm's `resample_abs_pos_embed` does
 * when a model is made for another image size: the prefix tokens' embeddings (class, and
 * distillation token) are kept, the grid part is resized by bicubic interpolation with
 * `F.interpolate(mode='bicubic', align_corners=False, antialias=False)`.
 *
 * TensorFlow has no bicubic resize in tfjs, so the small grid (14×14 for a 224 px ViT-B/16) is
 * resized here in plain arithmetic, with PyTorch's rules: source coordinate
 * (dst + ½)·(in / out) − ½ (not clamped), Keys' cubic convolution with a = −0.75, the four taps
 * clamped to the border.
 */

/** PyTorch's cubic convolution coefficient (upsample_bicubic2d). */
export const CUBIC_A = -0.75;

/** Weights of the taps at offsets −1, 0, 1, 2 for a fractional position t ∈ [0, 1). */
export function cubicWeights(t: number, a = CUBIC_A): [number, number, number, number] {
  // |x| ≤ 1: ((a + 2)|x| − (a + 3))|x|² + 1;  1 < |x| < 2: a|x|³ − 5a|x|² + 8a|x| − 4a
  const near = (x: number): number => ((a + 2) * x - (a + 3)) * x * x + 1;
  const far = (x: number): number => ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/** For each output index: the four clamped source indices and their weights. */
function axisTaps(inSize: number, outSize: number): { idx: Int32Array; w: Float64Array } {
  const scale = inSize / outSize;
  const idx = new Int32Array(outSize * 4);
  const w = new Float64Array(outSize * 4);
  for (let o = 0; o < outSize; o++) {
    const real = (o + 0.5) * scale - 0.5;
    const base = Math.floor(real);
    const ws = cubicWeights(real - base);
    for (let k = 0; k < 4; k++) {
      idx[o * 4 + k] = Math.min(Math.max(base - 1 + k, 0), inSize - 1);
      w[o * 4 + k] = ws[k]!;
    }
  }
  return { idx, w };
}

/**
 * Bicubic resize of a channels-last grid [h, w, C] to [outH, outW, C]. Equal sizes return a
 * copy (PyTorch copies too).
 */
export function bicubicResize(grid: Float32Array, h: number, w: number, C: number, outH: number, outW: number): Float32Array {
  if (grid.length !== h * w * C) throw new Error(`bicubicResize: ${grid.length} values for a ${h}×${w}×${C} grid`);
  if (outH === h && outW === w) return grid.slice();
  const ys = axisTaps(h, outH);
  const xs = axisTaps(w, outW);
  const out = new Float32Array(outH * outW * C);
  const acc = new Float64Array(C);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      acc.fill(0);
      for (let j = 0; j < 4; j++) {
        const sy = ys.idx[oy * 4 + j]!;
        const wy = ys.w[oy * 4 + j]!;
        for (let i = 0; i < 4; i++) {
          const wgt = wy * xs.w[ox * 4 + i]!;
          const src = (sy * w + xs.idx[ox * 4 + i]!) * C;
          for (let c = 0; c < C; c++) acc[c]! += wgt * grid[src + c]!;
        }
      }
      out.set(acc, (oy * outW + ox) * C);
    }
  }
  return out;
}

/**
 * A position embedding [prefix + gh0·gw0, D] (row-major, tokens first) for a gh × gw patch grid.
 * The trained grid must be square (as timm assumes for a plain ViT).
 */
export function resamplePosEmbed(pos: Float32Array, D: number, prefix: number, gh: number, gw: number): Float32Array {
  const n = pos.length / D - prefix;
  const g0 = Math.round(Math.sqrt(n));
  if (g0 * g0 !== n) throw new Error(`position embedding holds ${n} patch positions, not a square grid`);
  if (g0 === gh && g0 === gw) return pos;
  const out = new Float32Array((prefix + gh * gw) * D);
  out.set(pos.subarray(0, prefix * D));
  out.set(bicubicResize(pos.subarray(prefix * D), g0, g0, D, gh, gw), prefix * D);
  return out;
}
