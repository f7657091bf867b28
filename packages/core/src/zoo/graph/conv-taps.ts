/**
 * The kernel taps of a convolution that ever meet the image rather than its zero padding. At the
 * small sizes probe sets use, an ImageNet network's last stage sees 1×1 or 2×2 maps (torchvision's
 * ResNet-18 at 32 px): a 3×3 kernel there only ever multiplies its centre, or a 2×2 corner, with
 * real pixels, and the rest of it with padding. Cropping the kernel to those taps, and its padding
 * with it, leaves every output as it was (the dropped products are all with zeros) and spares ONNX
 * Runtime copying, laying out and running weights that never count: at 32 px, 70% of that
 * ResNet-18's. Pure arithmetic on one axis; the ONNX lowering applies it to H and W.
 */

/** A kernel axis cropped to taps `start .. start + size − 1`, with the padding that keeps each output where it was. */
export interface AxisCrop {
  start: number;
  size: number;
  padBegin: number;
  padEnd: number;
}

const outSize = (n: number, k: number, s: number, padBegin: number, padEnd: number): number => Math.floor((n + padBegin + padEnd - k) / s) + 1;

/**
 * The crop of a kernel of `k` taps, stride `s` and symmetric padding `p` over an axis of `n`
 * pixels; null when every tap meets a pixel for some output (nothing to crop) or the axis has no
 * output at all.
 */
export function cropAxis(n: number, k: number, s: number, p: number): AxisCrop | null {
  const outputs = outSize(n, k, s, p, p);
  if (outputs < 1 || k < 2) return null;
  // output o reads pixels o·s − p + t for taps t: tap t meets a pixel for some o when
  // 0 ≤ o·s − p + t < n; the first output reaches furthest right, the last furthest left
  const start = Math.max(0, p - (outputs - 1) * s);
  const last = Math.min(k - 1, p + n - 1);
  if (last < start || (start === 0 && last === k - 1)) return null;
  const size = last - start + 1;
  const padBegin = p - start;
  const padEnd = Math.max(0, (outputs - 1) * s + size - n - padBegin);
  // the cropped window must give as many outputs, each at the same pixels (checked, not assumed)
  if (outSize(n, size, s, padBegin, padEnd) !== outputs) return null;
  return { start, size, padBegin, padEnd };
}

/** An OIHW kernel's taps rows `h.start…` × columns `w.start…` (the whole axis where a crop is null). */
export function cropKernel(weight: Float32Array, oi: number, kh: number, kw: number, h: AxisCrop | null, w: AxisCrop | null): { data: Float32Array; kh: number; kw: number } {
  const r0 = h?.start ?? 0;
  const c0 = w?.start ?? 0;
  const nh = h?.size ?? kh;
  const nw = w?.size ?? kw;
  const data = new Float32Array(oi * nh * nw);
  // a plain loop: a subarray per row would allocate a view for each of a layer's ~10⁵ filter rows
  let at = 0;
  for (let f = 0; f < oi; f++) {
    for (let r = 0; r < nh; r++) {
      const src = f * kh * kw + (r0 + r) * kw + c0;
      for (let c = 0; c < nw; c++) data[at++] = weight[src + c]!;
    }
  }
  return { data, kh: nh, kw: nw };
}
