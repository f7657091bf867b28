/**
 * Pairs of probe images (docs/method.md), stored as row indices into the N×D feature matrix of the
 * probe set's unique images in record order, so the estimators read features in place.
 */
export interface Pairs {
  /** Factor names in the probe set's order (SVOC: `['shape', 'texture']`). */
  factors: string[];
  /** Row of the anchor image of pair p (index into the probe set's records). */
  a: Int32Array;
  /** Row of the partner image of pair p. */
  b: Int32Array;
  /**
   * Factor index pair p shares, 0..K−1. Balanced pairing: pairs grouped by factor, in factor
   * order. Reference pairing: in record order, and indices ≥ K are pairs of the last factor
   * that enter only the pooled variance V, as in the reference implementation.
   */
  factor: Int32Array;
  /** Pairs per factor (K numbers; reference pairing: the rows with index ≥ K not counted). */
  counts: number[];
  /** Records per factor that could not anchor a pair (no valid partner exists); K numbers. */
  unpairable: number[];
  /** Number of records (rows of the feature matrix the indices point into). */
  rows: number;
  /** How partners were chosen: SVOC semantics, or the generic K-factor rule. */
  rule: 'svoc' | 'factors';
  seed: number;
  /** Anchors per factor asked for; null = every pairable record. */
  pairsPerFactor: number | null;
  /** How anchors and factors were drawn (see {@link SamplePairsOptions.pairing}). */
  pairing: Pairing;
}

/**
 * `balanced` (default): every record anchors one pair per factor. `reference`: as the reference
 * implementation of Islam et al.: one pair per record, its factor drawn uniformly from
 * {0, …, K+1} (for SVOC {0, 1, 2, 3}): 0..K−2 a pair of that factor, K−1 and above a pair of
 * the last factor (SVOC: 0 a shape pair, 1–3 texture pairs); only 0..K−1 are scored, every row
 * enters the pooled variance V.
 */
export type Pairing = 'balanced' | 'reference';

export interface SamplePairsOptions {
  /** Generator seed; default 0. */
  seed?: number;
  /** Anchors drawn per factor without replacement; default every pairable record (balanced pairing only). */
  pairsPerFactor?: number;
  /** Default `balanced`. */
  pairing?: Pairing;
}
