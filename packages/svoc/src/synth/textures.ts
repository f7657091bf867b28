import type { Rng } from '@shapetex/core';

/**
 * Procedural patterns for the synthetic `texture` factor. A pattern maps image coordinates
 * (x, y) ∈ [0, 1)², in units of the image side, to a tone p ∈ [0, 1]; the renderer turns the
 * tone into brightness. Every pattern repeats FREQ = 6 times across the image (so it looks the
 * same at every image size), and the per-image phase jitter translates it.
 */
export interface Pattern {
  name: string;
  tone(x: number, y: number): number;
}

/** Pattern repeats across the image side. */
export const FREQ = 6;
const TAU = 2 * Math.PI;

const clamp01 = (t: number): number => (t < 0 ? 0 : t > 1 ? 1 : t);
/** A sine sharpened into a trapezoid wave: crisp bands without aliasing at small sizes. */
const band = (s: number): number => clamp01(0.5 + 1.5 * s);
/** Distance to the nearest integer, in [0, 0.5]. */
const frac = (t: number): number => Math.abs(t - Math.round(t));

function stripes(deg: number): Pattern {
  const c = Math.cos((deg * Math.PI) / 180), s = Math.sin((deg * Math.PI) / 180);
  // Tone varies along the stripes' normal (−sin θ, cos θ), so the stripes run along θ.
  return { name: `stripes${deg}`, tone: (x, y) => band(Math.sin(TAU * FREQ * (y * c - x * s))) };
}

/**
 * The value-noise pattern needs a lattice of random values; it is drawn from `rng` so the
 * set's seed fixes it (the same noise texture for every image of a set).
 */
function noise(rng: Rng): Pattern {
  const L = 2 * FREQ; // lattice cells across the image; the lattice wraps, so the pattern tiles
  const lattice = Float64Array.from({ length: L * L }, () => rng.next());
  const smooth = (t: number): number => t * t * (3 - 2 * t);
  return {
    name: 'noise',
    tone: (x, y) => {
      const gx = (((x % 1) + 1) % 1) * L, gy = (((y % 1) + 1) % 1) * L;
      const i = Math.floor(gx), j = Math.floor(gy);
      const tx = smooth(gx - i), ty = smooth(gy - j);
      const at = (a: number, b: number): number => lattice[((b % L) * L) + (a % L)]!;
      const top = at(i, j) * (1 - tx) + at(i + 1, j) * tx;
      const bottom = at(i, j + 1) * (1 - tx) + at(i + 1, j + 1) * tx;
      return clamp01((top * (1 - ty) + bottom * ty - 0.5) * 2.5 + 0.5);
    },
  };
}

/**
 * The pattern catalogue in its fixed order (a set with `perFactor` n uses the first n):
 * stripes0, stripes45, stripes90, stripes135 (stripes running at that angle from the x axis,
 * image y pointing down: stripes0 is horizontal); checker; dots (discs of radius 0.3 period on
 * a square lattice); waves (horizontal stripes displaced by a sine); grid (lines 0.3 period
 * wide); noise (smoothed value noise, lattice from the set's seed); rings (concentric about
 * the image centre); zigzag (stripes displaced by a triangle wave); crosshatch (thin diagonal
 * lines both ways).
 */
export function createPatterns(rng: Rng): Pattern[] {
  return [
    stripes(0),
    stripes(45),
    stripes(90),
    stripes(135),
    { name: 'checker', tone: (x, y) => band(Math.sin(TAU * FREQ * x) * Math.sin(TAU * FREQ * y) * 2) },
    { name: 'dots', tone: (x, y) => (Math.hypot(frac(FREQ * x), frac(FREQ * y)) <= 0.3 ? 1 : 0) },
    { name: 'waves', tone: (x, y) => band(Math.sin(TAU * FREQ * (y + 0.06 * Math.sin(TAU * 2 * x)))) },
    { name: 'grid', tone: (x, y) => (frac(FREQ * x) <= 0.15 || frac(FREQ * y) <= 0.15 ? 1 : 0) },
    noise(rng),
    { name: 'rings', tone: (x, y) => band(Math.sin(TAU * FREQ * Math.hypot(x - 0.5, y - 0.5))) },
    { name: 'zigzag', tone: (x, y) => band(Math.sin(TAU * FREQ * (y + 0.25 * frac(FREQ * x)))) },
    {
      name: 'crosshatch',
      tone: (x, y) => (frac(FREQ * (x + y) / Math.SQRT2) <= 0.12 || frac(FREQ * (x - y) / Math.SQRT2) <= 0.12 ? 1 : 0),
    },
  ];
}
