import { IMAGE_PRESETS, resolvePreprocessing, type ChannelOrder, type Normalization, type ResizeMethod } from '@shapetex/core';
import { DEFAULT_ESTIMATOR } from '../estimate/estimators.js';
import type { EstimatorMethod, PercentRounding } from '../estimate/types.js';
import type { Pairing } from '../pairs/types.js';
import { BIAS_DEFAULTS } from '../defaults.js';

/** Named measurement recipes; `islam2021` is the reference implementation's. */
export type ScorePreset = 'islam2021';
export const SCORE_PRESETS: Record<ScorePreset, { imageSize: number; resize: ResizeMethod; channelOrder: ChannelOrder; norm: string; methods: EstimatorMethod[]; pairing: Pairing; rounding: PercentRounding }> = {
  // Islam et al.'s shape_texture_neuron: cv2.imread + cv2.resize to 513 (INTER_LINEAR), BGR with
  // its own vectors, the pooled `dim_est`, one pair per record, Python's round.
  islam2021: {
    imageSize: IMAGE_PRESETS.islam2021.size, resize: IMAGE_PRESETS.islam2021.resize,
    channelOrder: IMAGE_PRESETS.islam2021.channelOrder, norm: IMAGE_PRESETS.islam2021.norm,
    methods: ['pooled'], pairing: 'reference', rounding: 'python',
  },
};

/** The options a preset sets, as callers give them (each may be left out). */
export interface MeasurementOptions {
  preset?: ScorePreset;
  imageSize?: number;
  norm?: string | Normalization;
  resize?: ResizeMethod;
  channelOrder?: ChannelOrder;
  methods?: readonly EstimatorMethod[];
  pairing?: Pairing;
  rounding?: PercentRounding;
}

/** Every choice a preset touches, made: what run.json records and the settings hash covers. */
export interface Measurement {
  preset: ScorePreset | null;
  imageSize: number;
  norm: Normalization;
  resize: ResizeMethod;
  channelOrder: ChannelOrder;
  methods: EstimatorMethod[];
  pairing: Pairing;
  rounding: PercentRounding;
}

/**
 * An option given explicitly wins, then the preset's value, then the default (224 px, `pil`,
 * `rgb`, `imagenet`, `per-neuron`, `balanced`, `half-up`). Unknown values are RangeErrors
 * naming the option.
 */
export function resolveMeasurement(opts: MeasurementOptions): Measurement {
  const preset = opts.preset ?? null;
  if (preset !== null && !(preset in SCORE_PRESETS)) {
    throw new RangeError(`preset must be one of ${Object.keys(SCORE_PRESETS).join(', ')}, got ${JSON.stringify(preset)}`);
  }
  const base: Partial<(typeof SCORE_PRESETS)[ScorePreset]> = preset ? SCORE_PRESETS[preset] : {};
  const imageSize = opts.imageSize ?? base.imageSize ?? BIAS_DEFAULTS.imageSize;
  if (!(Number.isSafeInteger(imageSize) && imageSize >= 1)) throw new RangeError(`imageSize must be an integer ≥ 1, got ${imageSize}`);
  const image = resolvePreprocessing({
    size: imageSize,
    norm: opts.norm ?? base.norm ?? BIAS_DEFAULTS.norm,
    resize: opts.resize ?? base.resize ?? BIAS_DEFAULTS.resize,
    channelOrder: opts.channelOrder ?? base.channelOrder ?? BIAS_DEFAULTS.channelOrder,
  });
  const pairing = opts.pairing ?? base.pairing ?? BIAS_DEFAULTS.pairing;
  if (pairing !== 'balanced' && pairing !== 'reference') throw new RangeError(`pairing must be balanced or reference, got ${JSON.stringify(pairing)}`);
  const rounding = opts.rounding ?? base.rounding ?? BIAS_DEFAULTS.rounding;
  if (rounding !== 'half-up' && rounding !== 'python') throw new RangeError(`rounding must be half-up or python, got ${JSON.stringify(rounding)}`);
  return {
    preset, imageSize: image.size, norm: image.norm, resize: image.resize, channelOrder: image.channelOrder,
    methods: [...(opts.methods ?? base.methods ?? [DEFAULT_ESTIMATOR])], pairing, rounding,
  };
}
