/**
 * Hues for the synthetic `color` factor, 30° apart on the HSV circle. A set with `perFactor`
 * n takes n of them spread evenly round the circle: indices ⌊i·12/n⌋, i = 0..n−1.
 */
export const HUES: readonly { name: string; hue: number }[] = [
  { name: 'red', hue: 0 }, { name: 'orange', hue: 30 }, { name: 'yellow', hue: 60 },
  { name: 'lime', hue: 90 }, { name: 'green', hue: 120 }, { name: 'spring', hue: 150 },
  { name: 'cyan', hue: 180 }, { name: 'azure', hue: 210 }, { name: 'blue', hue: 240 },
  { name: 'violet', hue: 270 }, { name: 'magenta', hue: 300 }, { name: 'rose', hue: 330 },
];

/** n hues spread evenly over the catalogue (n ≤ 12). */
export function spreadHues(n: number): { name: string; hue: number }[] {
  return Array.from({ length: n }, (_, i) => HUES[Math.floor((i * HUES.length) / n)]!);
}

/** HSV → RGB, h in degrees, s and v in [0, 1]; writes r, g, b in [0, 1] into `out`. */
export function hsvToRgb(h: number, s: number, v: number, out: Float64Array | number[]): void {
  const hh = (((h % 360) + 360) % 360) / 60;
  const c = v * s;
  const x = c * (1 - Math.abs((hh % 2) - 1));
  const m = v - c;
  const k = Math.floor(hh);
  const [r, g, b] = k === 0 ? [c, x, 0] : k === 1 ? [x, c, 0] : k === 2 ? [0, c, x]
    : k === 3 ? [0, x, c] : k === 4 ? [x, 0, c] : [c, 0, x];
  out[0] = r + m;
  out[1] = g + m;
  out[2] = b + m;
}
