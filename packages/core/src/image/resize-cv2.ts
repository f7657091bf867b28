/**
 * Bilinear resampling as OpenCV's `cv2.resize(..., interpolation=cv2.INTER_LINEAR)` does it on
 * float32 images, which is what the reference implementation of Islam et al. calls (it reads
 * with `cv2.imread`, converts to float32, then resizes to 513×513).
 *
 * Unlike PIL's filter (resample.ts) this never widens the kernel: every output pixel blends the
 * two nearest input pixels of each axis, also when shrinking, so a large downscale skips input
 * pixels (no antialiasing). Coordinates use half-pixel centres: output x maps to
 * (x + ½)·scale − ½ with scale = 1 / (outSize / inSize) in double precision, rounded to float32
 * as OpenCV stores it; the fractional weight is float32 too. Outside the image the coordinate
 * is clamped to the first or last pixel. OpenCV swaps in INTER_AREA for an exact 2× shrink; for
 * that scale the box average and this blend are the same numbers, so no special case is
 * needed. Blends are computed in float64 (OpenCV rounds to float32 after each step: the two
 * differ by float32 rounding, about 1e-7 relative).
 */
import { checkResizeArgs } from './resize-args.js';

interface Axis {
  /** First input index blended for each output index. */
  lo: Int32Array;
  /** Second input index (equal to lo at the edges). */
  hi: Int32Array;
  /** Weight of `hi` (the weight of `lo` is 1 − w, both as float32, as OpenCV keeps them). */
  w: Float64Array;
  w0: Float64Array;
}

function axis(inSize: number, outSize: number): Axis {
  const scale = 1 / (outSize / inSize);
  const lo = new Int32Array(outSize), hi = new Int32Array(outSize);
  const w = new Float64Array(outSize), w0 = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    let f = Math.fround((o + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (s < 0) { s = 0; f = 0; }
    if (s >= inSize - 1) { s = inSize - 1; f = 0; }
    lo[o] = s;
    hi[o] = Math.min(s + 1, inSize - 1);
    w[o] = f;
    w0[o] = Math.fround(1 - f);
  }
  return { lo, hi, w, w0 };
}

/**
 * Resize an interleaved image (`channels` values per pixel, row-major HWC, any numeric array) to
 * `outW`×`outH` with OpenCV's INTER_LINEAR rule. Returns float64 values on the input's scale.
 */
export function resizeLinearCv2(src: ArrayLike<number>, inW: number, inH: number, channels: number, outW: number, outH: number): Float64Array {
  checkResizeArgs('resizeLinearCv2', src, { inW, inH, channels }, outW, outH);
  const ax = axis(inW, outW), ay = axis(inH, outH);
  // Horizontal pass over every input row, then the vertical blend of two rows, as OpenCV does.
  const mid = new Float64Array(inH * outW * channels);
  for (let y = 0; y < inH; y++) {
    const row = y * inW * channels, orow = y * outW * channels;
    for (let o = 0; o < outW; o++) {
      const a = row + ax.lo[o]! * channels, b = row + ax.hi[o]! * channels;
      const w = ax.w[o]!, w0 = ax.w0[o]!;
      for (let c = 0; c < channels; c++) mid[orow + o * channels + c] = src[a + c]! * w0 + src[b + c]! * w;
    }
  }
  const out = new Float64Array(outH * outW * channels);
  const stride = outW * channels;
  for (let o = 0; o < outH; o++) {
    const a = ay.lo[o]! * stride, b = ay.hi[o]! * stride, w = ay.w[o]!, w0 = ay.w0[o]!;
    const dst = o * stride;
    for (let x = 0; x < stride; x++) out[dst + x] = mid[a + x]! * w0 + mid[b + x]! * w;
  }
  return out;
}
