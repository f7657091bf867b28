/**
 * Every default of bias in one place: the library functions, `bias-score`'s option defaults and
 * its help text read them from here, so a default is changed once and the CLI, the API and the
 * run.json a run records can never disagree. Frozen, so no caller can change them at run time.
 */
import { CORE_DEFAULTS } from '@shapetex/core';

export const BIAS_DEFAULTS = Object.freeze({
  // measurement
  /** Seed of the pair sampling and of every bootstrap. */
  seed: 0,
  /** Bootstrap resamples of each Score (0: no intervals). */
  bootstrap: 0,
  /** How anchors are paired within a factor. */
  pairing: 'balanced',
  /** Rounding of the factor fractions to whole percent. */
  rounding: 'half-up',
  /** Square input size, pixels, when neither the option, a preset nor the model fixes one (core's). */
  imageSize: CORE_DEFAULTS.imageSize,
  /** Normalisation of the input (R, G, B mean and std). */
  norm: CORE_DEFAULTS.norm,
  /** Resize rule of the input pipeline. */
  resize: CORE_DEFAULTS.resize,
  /** Channel order fed to the network. */
  channelOrder: CORE_DEFAULTS.channelOrder,
  /** Transformer taps: the class token (or `mean` over the patch tokens). */
  token: CORE_DEFAULTS.token,
  /** Taps scored. */
  taps: CORE_DEFAULTS.taps,
  // running
  /** Images per forward pass on a CPU backend. */
  batch: 32,
  /** Images per forward pass on a GPU backend. */
  gpuBatch: 128,
  /** Worker threads for the forward passes (1: this thread). */
  workers: 1,
  /** Compute backend. */
  backend: CORE_DEFAULTS.backend,
  /** `bias-score` output folder. */
  out: './bias-score-out',
  /** `bias-score compare` output folder. */
  compareOut: './bias-score-compare',
  /** `bias-score filters` output folder. */
  filtersOut: './bias-score-filters',
  /** Pixels between the tiles of a filter grid. */
  filterGap: 2,
  // learning dynamics
  /** Phase split of the error curve. */
  phaseMethod: 'threshold',
  /** Centred moving-average window on the biases (and the error curve for `extrema`). */
  smooth: 5,
  /** Lag w of the threshold split. */
  window: 5,
  /** θ of the threshold split, percentage points. */
  theta: 0.1,
  /** Moving-average window on the error curve before a threshold split (1: the raw curve). */
  splitSmooth: 1,
  /** Bootstrap resamples of a phase's Score interval. */
  scoreResamples: 1000,
  /** Draw the residual fraction in the bias plots. */
  plotResidual: false,
} as const);
