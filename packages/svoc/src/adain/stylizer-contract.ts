/**
 * What an AdaIN stylizer is, whichever engine runs it (tf-stylizer.ts, onnx-stylizer.ts).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '@shapetex/core';

export type StylizerEngine = 'onnx' | 'tfjs';

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
  encode(image: tf.Tensor3D): Promise<tf.Tensor4D>;
  /** decoder(α·AdaIN(contentFeatures, styleFeatures) + (1 − α)·contentFeatures), HWC, not clipped. */
  decode(contentFeatures: tf.Tensor4D, styleFeatures: tf.Tensor4D, opts?: StylizeOptions): Promise<tf.Tensor3D>;
  /**
   * `decode` of one content with each of `styleFeatures`, in order: on ONNX Runtime one batched
   * run for all styles of one size (the builder's every-texture-of-a-content step).
   */
  decodeMany(contentFeatures: tf.Tensor4D, styleFeatures: readonly tf.Tensor4D[], opts?: StylizeOptions): Promise<tf.Tensor3D[]>;
  /** The engine that runs the networks. */
  readonly engine: StylizerEngine;
  /** Channels of the encoder's relu4_1 output (512 for the official weights). */
  readonly featureChannels: number;
  dispose(): void;
}

export function checkImage(x: tf.Tensor, name: string): void {
  if (x.rank !== 3 || x.shape[2] !== 3) {
    throw new RangeError(`stylize: ${name} must be an HWC RGB tensor [H, W, 3], got [${x.shape.join(', ')}]`);
  }
  if (x.shape[0]! < 8 || x.shape[1]! < 8) {
    throw new RangeError(`stylize: ${name} is ${x.shape[0]}x${x.shape[1]}; AdaIN needs at least 8x8 (three 2x pools)`);
  }
}

/** The weights of both networks, read and checked (widths chain 3 → … → C → … → 3). */
export interface AdainWeights {
  vgg: { sd: StateDict; source: string };
  decoder: { sd: StateDict; source: string };
  featureChannels: number;
}

