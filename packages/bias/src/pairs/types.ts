/**
 * Pairs of probe images (SPEC §4), stored as row indices into the N×D feature matrix of the
 * probe set's unique images in record order, so the estimators read features in place.
 */
export interface Pairs {
  /** Factor names in the probe set's order (SVOC: `['shape', 'texture']`). */
  factors: string[];
  /** Row of the anchor image of pair p (index into the probe set's records). */
  a: Int32Array;
  /** Row of the partner image of pair p. */
  b: Int32Array;
  /** Factor index (0..K−1) pair p shares. Pairs are grouped by factor, in factor order. */
  factor: Int32Array;
  /** Pairs per factor (K numbers). */
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
}

export interface SamplePairsOptions {
  /** Generator seed; default 0. */
  seed?: number;
  /** Anchors drawn per factor without replacement; default every pairable record. */
  pairsPerFactor?: number;
}
