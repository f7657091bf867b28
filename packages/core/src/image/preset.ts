import { parseNorm, type Normalization, type NormPreset } from './norm.js';
import { CORE_DEFAULTS } from '../defaults.js';

/** How a probe image is brought to the square input size (see resample.ts and resize-cv2.ts). */
export type ResizeMethod = 'pil' | 'cv2-linear';
export const RESIZE_METHODS: readonly ResizeMethod[] = ['pil', 'cv2-linear'];

/** The order in which the colour channels are fed to the network. */
export type ChannelOrder = 'rgb' | 'bgr';
export const CHANNEL_ORDERS: readonly ChannelOrder[] = ['rgb', 'bgr'];

/** Named preprocessing recipes; `islam2021` is the reference implementation's. */
export type ImagePreset = 'islam2021';
export const IMAGE_PRESETS: Record<ImagePreset, { size: number; resize: ResizeMethod; channelOrder: ChannelOrder; norm: NormPreset }> = {
  // Islam et al.'s code: cv2.imread (BGR), cv2.resize to 513×513 INTER_LINEAR, its own vectors.
  islam2021: { size: 513, resize: 'cv2-linear', channelOrder: 'bgr', norm: 'islam2021' },
};

/** The preprocessing options as callers give them: any may be left out when a preset is given. */
export interface PreprocessOptions {
  /** Square side in pixels after resizing (aspect ratio not kept, as the reference does). */
  size?: number;
  /** Normalisation preset, `{ mean, std }` or `m1,m2,m3/s1,s2,s3` (R, G, B); default `imagenet`. */
  norm?: NormPreset | Normalization | string;
  /** Default `pil` (antialiased bilinear). */
  resize?: ResizeMethod;
  /** Default `rgb`. */
  channelOrder?: ChannelOrder;
  /** Sets size, resize, channel order and norm; each option given explicitly overrides it. */
  preset?: ImagePreset;
}

/** Every preprocessing choice made, the preset applied and checked. */
export interface Preprocessing {
  size: number;
  norm: Normalization;
  resize: ResizeMethod;
  channelOrder: ChannelOrder;
}

/**
 * Fills the preprocessing options: an explicit option wins, then the preset's value, then the
 * default (resize `pil`, channel order `rgb`, norm `imagenet`; size has no default without a
 * preset). Bad values are RangeErrors naming the option.
 */
export function resolvePreprocessing(opts: PreprocessOptions): Preprocessing {
  let base: Partial<(typeof IMAGE_PRESETS)[ImagePreset]> = {};
  if (opts.preset !== undefined) {
    base = IMAGE_PRESETS[opts.preset];
    if (!base) throw new RangeError(`preset must be one of ${Object.keys(IMAGE_PRESETS).join(', ')}, got ${JSON.stringify(opts.preset)}`);
  }
  const size = opts.size ?? base.size;
  if (size === undefined || !Number.isInteger(size) || size < 1) throw new RangeError(`image size must be a positive integer, got ${size}`);
  const resize = opts.resize ?? base.resize ?? CORE_DEFAULTS.resize;
  if (!RESIZE_METHODS.includes(resize)) throw new RangeError(`resize must be one of ${RESIZE_METHODS.join(', ')}, got ${JSON.stringify(resize)}`);
  const channelOrder = opts.channelOrder ?? base.channelOrder ?? CORE_DEFAULTS.channelOrder;
  if (!CHANNEL_ORDERS.includes(channelOrder)) throw new RangeError(`channelOrder must be one of ${CHANNEL_ORDERS.join(', ')}, got ${JSON.stringify(channelOrder)}`);
  return { size, norm: parseNorm(opts.norm ?? base.norm ?? CORE_DEFAULTS.norm), resize, channelOrder };
}
