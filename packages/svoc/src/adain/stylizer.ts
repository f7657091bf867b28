import * as tf from '@tensorflow/tfjs-core';
import { readStateDict, type StateDict } from '@shapetex/core';
import { adaptiveInstanceNorm } from './adain.js';
import { AdainWeightsError, convWeights, DECODER_STEPS, ENCODER_STEPS, releaseConvWeights, runSteps, type ConvWeights } from './layers.js';

/** A path to a PyTorch weights file (zip or legacy format) or an already-read state_dict. */
export type WeightsSource = string | StateDict;

export interface StylizerOptions {
  /** The VGG-normalised encoder: the official `vgg_normalised.pth`, or its state_dict. */
  vgg: WeightsSource;
  /** The AdaIN decoder: the official `decoder.pth`, or its state_dict. */
  decoder: WeightsSource;
}

export interface StylizeOptions {
  /** Style strength α ∈ [0, 1]; default 1. */
  alpha?: number;
}

export interface Stylizer {
  /**
   * Stylizes `content` (HWC RGB in [0, 1]) with `style` (HWC RGB in [0, 1]), each used at its
   * given size: decoder(α·AdaIN(f(c), f(s)) + (1 − α)·f(c)) with f the encoder up to relu4_1.
   * Returns the decoder's output, HWC, not clipped; its size is the content's rounded up to a
   * multiple of 8 (three ceil-mode pools, three 2x upsamplings). The caller disposes it.
   */
  stylize(content: tf.Tensor3D, style: tf.Tensor3D, opts?: StylizeOptions): Promise<tf.Tensor3D>;
  /**
   * The encoder's relu4_1 features of an HWC image, [1, ⌈H/8⌉, ⌈W/8⌉, C]. With `decode`, lets
   * a caller encode each content and each style once and combine them many times (the builder
   * stylizes every content with every texture). The caller disposes the result.
   */
  encode(image: tf.Tensor3D): tf.Tensor4D;
  /** decoder(α·AdaIN(contentFeatures, styleFeatures) + (1 − α)·contentFeatures), HWC, not clipped. */
  decode(contentFeatures: tf.Tensor4D, styleFeatures: tf.Tensor4D, opts?: StylizeOptions): tf.Tensor3D;
  /** Channels of the encoder's relu4_1 output (512 for the official weights). */
  readonly featureChannels: number;
  dispose(): void;
}

async function readWeights(src: WeightsSource, what: string): Promise<{ sd: StateDict; source: string }> {
  if (typeof src !== 'string') return { sd: src, source: `${what} state_dict` };
  return { sd: await readStateDict(src), source: src };
}

function checkImage(x: tf.Tensor, name: string): void {
  if (x.rank !== 3 || x.shape[2] !== 3) {
    throw new RangeError(`stylize: ${name} must be an HWC RGB tensor [H, W, 3], got [${x.shape.join(', ')}]`);
  }
  if (x.shape[0]! < 8 || x.shape[1]! < 8) {
    throw new RangeError(`stylize: ${name} is ${x.shape[0]}x${x.shape[1]}; AdaIN needs at least 8x8 (three 2x pools)`);
  }
}

/**
 * Builds an AdaIN stylizer (Huang & Belongie, ICCV 2017; docs/formats.md) from the official
 * pytorch-AdaIN weight files or their state_dicts. Errors name the file and, for a wrong file
 * (e.g. the decoder given as the encoder), the keys it lacks.
 */
export async function createStylizer(opts: StylizerOptions): Promise<Stylizer> {
  const v = await readWeights(opts.vgg, 'vgg');
  const d = await readWeights(opts.decoder, 'decoder');
  const enc = convWeights(v.sd, ENCODER_STEPS, v.source, 3, 'encoder (vgg_normalised)');
  let dec: ConvWeights[];
  try {
    const featureChannels = enc[enc.length - 1]!.K;
    dec = convWeights(d.sd, DECODER_STEPS, d.source, featureChannels, 'decoder');
    const outChannels = dec[dec.length - 1]!.K;
    if (outChannels !== 3) throw new AdainWeightsError(`${d.source}: 28.weight has ${outChannels} output channels; the AdaIN decoder ends in RGB (3)`);
  } catch (err) {
    releaseConvWeights(enc);
    throw err;
  }
  let disposed = false;
  const alive = (what: string): void => { if (disposed) throw new Error(`${what}: this stylizer was disposed`); };
  const encode = (image: tf.Tensor3D, name = 'image'): tf.Tensor4D => {
    alive('encode');
    checkImage(image, name);
    return tf.tidy(() => runSteps(tf.expandDims(image, 0) as tf.Tensor4D, ENCODER_STEPS, enc));
  };
  const decode = (fc: tf.Tensor4D, fs: tf.Tensor4D, so: StylizeOptions = {}): tf.Tensor3D => {
    alive('decode');
    return tf.tidy(() => tf.squeeze(runSteps(adaptiveInstanceNorm(fc, fs, so.alpha ?? 1), DECODER_STEPS, dec), [0]) as tf.Tensor3D);
  };
  return {
    featureChannels: enc[enc.length - 1]!.K,
    encode: (image) => encode(image),
    decode,
    async stylize(content, style, so = {}) {
      alive('stylize');
      checkImage(content, 'content');
      checkImage(style, 'style');
      return tf.tidy(() => decode(encode(content, 'content'), encode(style, 'style'), so));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      releaseConvWeights([...enc, ...dec]);
    },
  };
}
