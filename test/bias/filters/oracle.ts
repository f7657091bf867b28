/**
 * The closed form of test/fixtures/filters/known.pth (see make_filters.py) and the pixels a
 * min-max scaled tile must have, worked out by hand rather than by the code under test.
 */

/** w[o, c, y, x] = (o − 2)·(9c + 3y + x) + o/2: kernel 2 is constant, kernels 0 and 1 fall. */
export function knownWeight(o: number, c: number, y: number, x: number): number {
  return (o - 2) * (9 * c + 3 * y + x) + o / 2;
}

export const KNOWN = { out: 6, kh: 3, kw: 3 } as const;

/**
 * Colour channel c of kernel pixel (y, x) of kernel o. Within kernel o the values are an affine
 * function of the index i = 9c + 3y + x ∈ 0..26 with slope o − 2, so min-max scaling gives
 * 255·i/26 when the slope is positive, 255·(26 − i)/26 when negative, rounded half up; slope 0
 * (a constant kernel) is mid-grey 128.
 */
export function knownChannel(o: number, c: number, y: number, x: number): number {
  const i = 9 * c + 3 * y + x;
  if (o === 2) return 128;
  return Math.round((255 * (o > 2 ? i : 26 - i)) / 26);
}

export function knownRgb(o: number, y: number, x: number): [number, number, number] {
  return [knownChannel(o, 0, y, x), knownChannel(o, 1, y, x), knownChannel(o, 2, y, x)];
}

/** Top-left pixel of tile t in a grid of `columns` columns (the layout documented in the README). */
export function tileOrigin(t: number, columns: number, tileW: number, tileH: number, gap: number): { x: number; y: number } {
  return { x: gap + (t % columns) * (tileW + gap), y: gap + Math.floor(t / columns) * (tileH + gap) };
}

/** Min-max scaled RGB of kernel o of [O, 3, kh, kw] data, by hand: for the e2e's random kernels. */
export function minMaxRgb(data: ArrayLike<number>, o: number, kh: number, kw: number, y: number, x: number): [number, number, number] {
  const n = 3 * kh * kw;
  const vals = Array.from({ length: n }, (_, i) => data[o * n + i]!);
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  const at = (c: number): number => {
    const v = data[o * n + c * kh * kw + y * kw + x]!;
    return hi === lo ? 128 : Math.round((255 * (v - lo)) / (hi - lo));
  };
  return [at(0), at(1), at(2)];
}
