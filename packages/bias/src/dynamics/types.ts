/** A test-error curve: epochs ascending, errors in percent (docs/method.md). */
export interface ErrorCurve {
  epochs: number[];
  errors: number[];
  /** Where it was read from (file path, or a caller-given name for text). */
  source?: string;
  /** The CSV column the errors came from, and whether it held fractions or accuracies. */
  column?: string;
  converted?: { fromFraction: boolean; fromAccuracy: boolean };
}

export type PhaseMethod = 'threshold' | 'extrema';

export type PhaseName = '1' | '2' | '3' | '1+2';

/** One phase: inclusive index range into the split curve and the epochs at its ends. */
export interface Phase {
  name: PhaseName;
  start: number;
  end: number;
  startEpoch: number;
  endEpoch: number;
}

/**
 * The result of a phase split. Phases 1, 2, 3 share their boundaries (Phase 1 ends where
 * Phase 2 starts), as in the thesis's table (2–12, 12–41, 41–1000).
 */
export interface PhaseSplit {
  method: PhaseMethod;
  /**
   * threshold: i1, j, i2 of docs/method.md. extrema: i1 = first local minimum, i2 = the following
   * local maximum (j absent). Indices into the curve that was split.
   */
  indices: { i1: number; j?: number; i2: number };
  /** Epochs at i1 and i2 (the shared boundaries). */
  boundaries: [number, number];
  /** Phases 1, 2, 3 in order. */
  phases: [Phase, Phase, Phase];
}

export interface SplitPhasesOptions {
  /** `threshold` (default) or `extrema`. */
  method?: PhaseMethod;
  /** Epoch of each point; defaults to 0, 1, …, n−1. */
  epochs?: readonly number[];
  /** threshold: lag w of Δ_i = |e_i − e_{i+w}| (default 5). */
  window?: number;
  /** threshold: θ in percentage points (default 0.1). */
  theta?: number;
  /**
   * Moving-average window applied before splitting. Default 1 (none) for `threshold`, whose
   * method's formula is on the errors e themselves; 5 for `extrema`, which the method defines on the
   * smoothed curve.
   */
  smooth?: number;
}

/** Pearson r of test error against each bias over one phase; null = N/A. */
export interface PhaseCorrelation {
  phase: PhaseName;
  /** Epochs at the phase's ends, or null when there is no split. */
  startEpoch: number | null;
  endEpoch: number | null;
  /** Points of the correlated series inside the phase. */
  n: number;
  shapeR: number | null;
  textureR: number | null;
  /** (|shapeR| + |textureR|)/2, null when either is N/A. */
  score: number | null;
  /**
   * 95% intervals: Fisher's z for the two r's, a bootstrap over the phase's epochs for Score
   * (see `interval.ts`); null where the figure is N/A or the phase has 3 points or fewer.
   */
  shapeCi: [number, number] | null;
  textureCi: [number, number] | null;
  scoreCi: [number, number] | null;
  /** Whether each bias moves within the phase by more than its measurement noise; null without points. */
  noise: { shape: BiasNoise | null; texture: BiasNoise | null };
}

/**
 * How far a bias moves within a phase against how precisely it is measured. When `range` <
 * `width` the correlation rests on noise: the trend r follows is smaller than one checkpoint's
 * uncertainty.
 */
export interface BiasNoise {
  /** max − min of the smoothed values the correlation uses, over the phase's points. */
  range: number;
  /** Mean width of the bootstrap 95% interval of the fraction over the phase's points, or 0.01. */
  width: number;
  /** Where `width` came from: the run's `--bootstrap` intervals, or the fixed 0.01 without them. */
  basis: 'bootstrap' | 'fixed';
  /** range < width. */
  restsOnNoise: boolean;
}

export interface PhaseCorrelationOptions {
  /**
   * Epoch of each point of the correlated series. When given, a phase takes the points whose
   * epoch lies in [startEpoch, endEpoch] (so phases split on a per-epoch error curve can be
   * applied to checkpoints saved less often); otherwise the points at indices start..end.
   */
  epochs?: readonly number[];
  /** Moving-average window for the shape and texture series before correlating (default 5). */
  smooth?: number;
  /** Moving-average window for the errors too (default 1: errors as measured). */
  smoothErrors?: number;
  /**
   * Bootstrap 95% interval width of the shape and texture fraction at each point (high − low);
   * without it the noise check compares against 0.01 (`NOISE_WIDTH_DEFAULT`).
   */
  ciWidth?: { shape: readonly number[]; texture: readonly number[] };
  /** Resamples and seed of Score's bootstrap interval (default 1000, 0). */
  scoreResamples?: number;
  seed?: number;
}
