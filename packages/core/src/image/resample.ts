/**
 * Bilinear resampling with PIL's convention, the one torchvision's `Resize` uses on PIL images
 * (torchvision's usual ImageNet pipeline). It is NOT what the reference implementation of
 * Islam et al. does: that one resizes with OpenCV's INTER_LINEAR, which does not antialias
 * when shrinking (resize-cv2.ts, `resize: 'cv2-linear'`). This filter is the default because a
 * 224 px input made from a larger image should see all of it, as networks trained through
 * torchvision did.
 *
 * Kernel: the triangle filter f(x) = max(0, 1 − |x|), separable, sampled at pixel centres
 * (output pixel i maps to input coordinate (i + ½)·scale). When shrinking (scale > 1) the
 * filter is widened by the scale factor, so every input pixel contributes (antialiasing), as
 * PIL's `Image.resize(..., BILINEAR)` does; when enlarging it is plain bilinear interpolation
 * with half-pixel centres. Weights are normalised to sum to 1 and edges are clamped by
 * dropping taps outside the image. Computed in float64, so unlike PIL's 8-bit path nothing is
 * rounded between the two passes.
 */
import { checkResizeArgs } from './resize-args.js';

interface Taps {
  /** First input index of each output pixel. */
  start: Int32Array;
  /** Number of taps of each output pixel. */
  count: Int32Array;
  /** Weights, `ksize` per output pixel. */
  weights: Float64Array;
  ksize: number;
}

function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

function computeTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // the triangle's support is 1, widened when shrinking
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * ksize);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    // Math.trunc, not floor: PIL truncates toward zero here, which matters at the left edge.
    const lo = Math.max(Math.trunc(centre - support + 0.5), 0);
    const hi = Math.min(Math.trunc(centre + support + 0.5), inSize);
    let total = 0;
    for (let x = lo; x < hi; x++) {
      const w = triangle((x - centre + 0.5) / filterScale);
      weights[o * ksize + (x - lo)] = w;
      total += w;
    }
    if (total > 0) for (let k = 0; k < hi - lo; k++) weights[o * ksize + k]! /= total;
    start[o] = lo;
    count[o] = hi - lo;
  }
  return { start, count, weights, ksize };
}

/**
 * Resize an interleaved image (`channels` values per pixel, any numeric array, row-major HWC)
 * to `outW`×`outH`. Returns float64 values on the input's scale.
 */
export function resizeBilinear(src: ArrayLike<number>, inW: number, inH: number, channels: number, outW: number, outH: number): Float64Array {
  checkResizeArgs('resizeBilinear', src, { inW, inH, channels }, outW, outH);
  const tx = computeTaps(inW, outW);
  const ty = computeTaps(inH, outH);
  // Horizontal pass first (inH × outW), then vertical, as PIL does.
  const mid = new Float64Array(inH * outW * channels);
  for (let y = 0; y < inH; y++) {
    const row = y * inW * channels;
    for (let o = 0; o < outW; o++) {
      const s = tx.start[o]!, n = tx.count[o]!, wo = o * tx.ksize;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += tx.weights[wo + k]! * src[row + (s + k) * channels + c]!;
        mid[(y * outW + o) * channels + c] = acc;
      }
    }
  }
  const out = new Float64Array(outH * outW * channels);
  for (let o = 0; o < outH; o++) {
    const s = ty.start[o]!, n = ty.count[o]!, wo = o * ty.ksize;
    for (let x = 0; x < outW * channels; x++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += ty.weights[wo + k]! * mid[(s + k) * outW * channels + x]!;
      out[o * outW * channels + x] = acc;
    }
  }
  return out;
}
