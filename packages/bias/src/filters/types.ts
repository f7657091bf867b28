/** Data of the first-layer filter grids: kernels, grid images, and what a run wrote. */

/** How a checkpoint stores a convolution kernel. */
export type KernelLayout = 'oihw' | 'hwio';

/** A 4-D weight's name and shape as listed by a checkpoint, in the file's order. */
export interface WeightShape {
  key: string;
  shape: readonly number[];
}

/**
 * The kernels of one convolution in PyTorch's order [O, I, kh, kw] (row-major `data`),
 * whatever the file's layout was; `key` and `layout` say where they came from.
 */
export interface ConvKernels {
  key: string;
  layout: KernelLayout;
  /** Output channels (one tile each), input channels (3: RGB), kernel height and width. */
  out: number;
  in: number;
  kh: number;
  kw: number;
  data: Float32Array;
}

export interface FilterGridOptions {
  /** Screen pixels per kernel pixel (nearest neighbour); default {@link defaultScale}. */
  scale?: number;
  /** Pixels between tiles and around the grid; default 2. */
  gap?: number;
  /** RGB of the gaps and border; default white. */
  gapColor?: readonly [number, number, number];
  /** Tiles per row; default ⌈√O⌉ (a near-square grid). */
  columns?: number;
}

/**
 * A grid of kernel tiles as raw RGB (row-major, 3 bytes a pixel). Tile t sits in row
 * ⌊t / columns⌋, column t mod columns, its top-left corner at
 * (gap + column·(tileWidth + gap), gap + row·(tileHeight + gap)).
 */
export interface FilterGrid {
  width: number;
  height: number;
  rgb: Uint8Array;
  columns: number;
  rows: number;
  tiles: number;
  scale: number;
  gap: number;
  gapColor: [number, number, number];
  tileWidth: number;
  tileHeight: number;
}
