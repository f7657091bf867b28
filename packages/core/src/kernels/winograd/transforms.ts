/**
 * The Winograd transform matrices F(m×m, 3×3) for the three output tile sizes the kernels
 * implement (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016):
 * Y = Aᵀ·[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A for an (m + 2)² input tile d and a 3×3 filter g.
 * - m = 2 (points 0, ±1, ∞): 16 products per 4 outputs, 2.25× fewer than a direct 3×3;
 * - m = 4 (points 0, ±1, ±2, ∞): 36 products per 16 outputs, 4× fewer, at the price of
 *   larger transforms and a little more float rounding (coefficients up to 8);
 * - m = 6 (points 0, ±1, ±2, ±1/2, ∞): 64 products per 36 outputs, 5.06× fewer, with more
 *   rounding still (coefficients up to 32, and 21/4 in Bᵀ); used only on large maps.
 * Both the WAT generator and the filter planner read these tables, so they cannot disagree.
 */

/** Output tile size: m × m outputs per tile. */
export type TileSize = 2 | 4 | 6;

export interface TileTransforms {
  /** Output tile size m; the input tile is α × α with α = m + 2. */
  m: TileSize;
  alpha: number;
  /** Bᵀ, α × α (input transform). */
  BT: number[][];
  /** G, α × 3 (filter transform). */
  G: number[][];
  /** Aᵀ, m × α (output transform). */
  AT: number[][];
}

const F2: TileTransforms = {
  m: 2,
  alpha: 4,
  BT: [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
  G: [[1, 0, 0], [1 / 2, 1 / 2, 1 / 2], [1 / 2, -1 / 2, 1 / 2], [0, 0, 1]],
  AT: [[1, 1, 1, 0], [0, 1, -1, -1]],
};

const F4: TileTransforms = {
  m: 4,
  alpha: 6,
  BT: [
    [4, 0, -5, 0, 1, 0],
    [0, -4, -4, 1, 1, 0],
    [0, 4, -4, -1, 1, 0],
    [0, -2, -1, 2, 1, 0],
    [0, 2, -1, -2, 1, 0],
    [0, 4, 0, -5, 0, 1],
  ],
  G: [
    [1 / 4, 0, 0],
    [-1 / 6, -1 / 6, -1 / 6],
    [-1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6],
    [1 / 24, -1 / 12, 1 / 6],
    [0, 0, 1],
  ],
  AT: [
    [1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 0],
    [0, 1, 1, 4, 4, 0],
    [0, 1, -1, 8, -8, 1],
  ],
};

const F6: TileTransforms = {
  m: 6,
  alpha: 8,
  BT: [
    [1, 0, -21 / 4, 0, 21 / 4, 0, -1, 0],
    [0, 1, 1, -17 / 4, -17 / 4, 1, 1, 0],
    [0, -1, 1, 17 / 4, -17 / 4, -1, 1, 0],
    [0, 1 / 2, 1 / 4, -5 / 2, -5 / 4, 2, 1, 0],
    [0, -1 / 2, 1 / 4, 5 / 2, -5 / 4, -2, 1, 0],
    [0, 2, 4, -5 / 2, -5, 1 / 2, 1, 0],
    [0, -2, 4, 5 / 2, -5, -1 / 2, 1, 0],
    [0, -1, 0, 21 / 4, 0, -21 / 4, 0, 1],
  ],
  G: [
    [1, 0, 0],
    [-2 / 9, -2 / 9, -2 / 9],
    [-2 / 9, 2 / 9, -2 / 9],
    [1 / 90, 1 / 45, 2 / 45],
    [1 / 90, -1 / 45, 2 / 45],
    [32 / 45, 16 / 45, 8 / 45],
    [32 / 45, -16 / 45, 8 / 45],
    [0, 0, 1],
  ],
  AT: [
    [1, 1, 1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 1 / 2, -1 / 2, 0],
    [0, 1, 1, 4, 4, 1 / 4, 1 / 4, 0],
    [0, 1, -1, 8, -8, 1 / 8, -1 / 8, 0],
    [0, 1, 1, 16, 16, 1 / 16, 1 / 16, 0],
    [0, 1, -1, 32, -32, 1 / 32, -1 / 32, 1],
  ],
};

export const TILE_SIZES: readonly TileSize[] = [2, 4, 6];

export function tileTransforms(m: TileSize): TileTransforms {
  return m === 2 ? F2 : m === 4 ? F4 : F6;
}

/**
 * F(6×6) is taken only where it saves at least this share of F(4×4)'s products: from 64×64
 * maps up (AdaIN's), not on a ResNet's at 224 (56×56 and below, where it would save 9% or
 * less), so the networks there keep F(4×4)'s smaller rounding.
 */
const F6_GAIN = 0.13;

/**
 * The tile size with the fewer multiply-adds in the matrix products for an H × W output:
 * tiles · α². F(4×4) wins from 3×3 outputs up (at 56×56: 0.56× of F(2×2)'s work); on 1×1 and
 * 2×2 maps one F(2×2) tile does the job with 16 products instead of 36. Ties go to F(2×2),
 * whose rounding is smaller. F(6×6) replaces F(4×4) where it saves at least F6_GAIN of its
 * products (at 512×512: 20%). `largest` caps the choice (the setting `winogradMaxTile`).
 */
export function chooseTileSize(H: number, W: number, largest: TileSize = 6): TileSize {
  const cost = (m: TileSize) => Math.ceil(H / m) * Math.ceil(W / m) * (m + 2) ** 2;
  if (largest === 2 || cost(4) >= cost(2)) return 2;
  return largest === 6 && cost(6) <= (1 - F6_GAIN) * cost(4) ? 6 : 4;
}
