/**
 * Silhouettes for the synthetic `shape` factor. Each is an inside test in unit coordinates
 * (u right, v up, the silhouette centred at 0 and fitting in [-1, 1]²); the renderer maps them
 * to pixels with a half-extent R (see render.ts), so a silhouette of unit area A covers about
 * A·R² pixels. The geometry is part of the documented contract (README "Synthetic sets"), and
 * the tests check rendered areas against these closed forms:
 *
 * | name | geometry | unit area |
 * | --- | --- | --- |
 * | circle | radius 1 | π |
 * | square | half-side 0.85 | 2.89 |
 * | triangle | equilateral, circumradius 1, apex up | 3√3/4 |
 * | star | 5 points, outer radius 1, inner 0.45 | 5·0.45·sin 36° |
 * | cross | plus sign, arm half-width 0.3, half-length 0.95 | 1.92 |
 * | heart | (x²+y²−1)³ ≤ x²y³ with (x, y) = (u, v + 0.1)·1.2 | — |
 * | ring | radii 0.55..1 | π·(1 − 0.55²) |
 * | crescent | circle radius 1 minus circle radius 0.8 at (0.4, 0.2) | — |
 * | hexagon | regular, circumradius 1 | 3√3/2 |
 * | diamond | rhombus, half-diagonals 0.75 (u) and 1 (v) | 1.5 |
 * | arrow | upward arrow: apex (0, 1), head base v = 0.1 half-width 0.8, shaft half-width 0.3 down to −0.95 | 1.35 |
 * | tee | bar v ∈ [0.4, 0.85] of half-width 0.85, stem half-width 0.25 down to −0.95 | 1.44 |
 */
export interface Silhouette {
  name: string;
  inside(u: number, v: number): boolean;
}

type Pt = readonly [number, number];

/** Even–odd ray-crossing test; the polygons here are simple, so this is plain point-in-polygon. */
function polygon(points: readonly Pt[]): (u: number, v: number) => boolean {
  const xs = Float64Array.from(points, (p) => p[0]);
  const ys = Float64Array.from(points, (p) => p[1]);
  const n = points.length;
  return (u, v) => {
    let inside = false;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const yi = ys[i]!, yj = ys[j]!;
      if ((yi > v) !== (yj > v) && u < ((xs[j]! - xs[i]!) * (v - yi)) / (yj - yi) + xs[i]!) inside = !inside;
    }
    return inside;
  };
}

/** Regular or star polygon: `k` vertices alternating radii, first vertex straight up. */
function radial(k: number, radii: readonly number[]): Pt[] {
  const pts: Pt[] = [];
  for (let i = 0; i < k; i++) {
    const a = Math.PI / 2 + (2 * Math.PI * i) / k;
    const r = radii[i % radii.length]!;
    pts.push([r * Math.cos(a), r * Math.sin(a)]);
  }
  return pts;
}

export const SILHOUETTES: readonly Silhouette[] = [
  { name: 'circle', inside: (u, v) => u * u + v * v <= 1 },
  { name: 'square', inside: (u, v) => Math.abs(u) <= 0.85 && Math.abs(v) <= 0.85 },
  { name: 'triangle', inside: polygon(radial(3, [1])) },
  { name: 'star', inside: polygon(radial(10, [1, 0.45])) },
  {
    name: 'cross',
    inside: (u, v) => (Math.abs(u) <= 0.3 && Math.abs(v) <= 0.95) || (Math.abs(v) <= 0.3 && Math.abs(u) <= 0.95),
  },
  {
    name: 'heart',
    inside: (u, v) => {
      const x = 1.2 * u, y = 1.2 * (v + 0.1);
      const q = x * x + y * y - 1;
      return q * q * q <= x * x * y * y * y;
    },
  },
  { name: 'ring', inside: (u, v) => { const r2 = u * u + v * v; return r2 <= 1 && r2 >= 0.55 * 0.55; } },
  {
    name: 'crescent',
    inside: (u, v) => u * u + v * v <= 1 && (u - 0.4) ** 2 + (v - 0.2) ** 2 > 0.8 * 0.8,
  },
  { name: 'hexagon', inside: polygon(radial(6, [1])) },
  { name: 'diamond', inside: (u, v) => Math.abs(u) / 0.75 + Math.abs(v) <= 1 },
  {
    name: 'arrow',
    inside: polygon([[0, 1], [0.8, 0.1], [0.3, 0.1], [0.3, -0.95], [-0.3, -0.95], [-0.3, 0.1], [-0.8, 0.1]]),
  },
  {
    name: 'tee',
    inside: (u, v) => (v >= 0.4 && v <= 0.85 && Math.abs(u) <= 0.85) || (Math.abs(u) <= 0.25 && v >= -0.95 && v < 0.4),
  },
];
