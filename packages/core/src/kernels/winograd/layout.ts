/**
 * Where one block's transformed tiles (V) and products (M) lie in the scratch, as the byte
 * strides the transforms and the GEMM take (wat.ts). Each tile's α² planes sit together: V in
 * groups of MR tiles, [group][ξ][C][MR], and M [tile][ξ][K]. The input transform then writes,
 * and the output transform reads, one region per tile instead of α² streams a block apart,
 * which the hardware prefetcher follows; the GEMM still reads each plane's rows at a constant
 * stride.
 */
import { MR } from '../text.js';

/**
 * Bytes added after each plane. Planes of C or K floats are a power of two apart, and a
 * transform touches all α² planes at one offset: without the pad those 16 or 36 addresses
 * fall in a few L1 cache sets and evict one another.
 */
export const PLANE_PAD = 64;

export interface BlockLayout {
  /** V: bytes between planes ξ of one group, and between groups of MR tiles. */
  vPlane: number;
  vGroup: number;
  /** M: bytes between planes ξ of one tile, and between tiles. */
  mPlane: number;
  mRow: number;
  /** Bytes of V and of M for a block of tb tiles (tb a multiple of MR). */
  vBytes: number;
  mBytes: number;
}

export function blockLayout(planes: number, tb: number, C: number, K: number): BlockLayout {
  const vPlane = C * MR * 4 + PLANE_PAD;
  const vGroup = planes * vPlane;
  const mPlane = K * 4 + PLANE_PAD;
  const mRow = planes * mPlane;
  return { vPlane, vGroup, mPlane, mRow, vBytes: (tb / MR) * vGroup, mBytes: tb * mRow };
}
