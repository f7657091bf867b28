/**
 * Contracts of the architecture zoo (a registry of architectures, each a builder from
 * a state_dict, with named taps — after timm / torchvision feature extraction).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../io/types.js';
import type { ZooGraph } from './graph/ops.js';

/**
 * Which tokens a transformer tap stands for: `cls` = the class token (a [N, 1, 1, D] map),
 * `mean` = the patch tokens as their [N, gh, gw, D] grid, which global average pooling turns
 * into their mean. Prefix tokens (class, distillation) never enter `mean`.
 */
export type TokenChoice = 'cls' | 'mean';

export const TOKEN_CHOICES: readonly TokenChoice[] = ['cls', 'mean'];

/** The reserved output name of the classifier's pre-softmax output (asked of `forward`, not a tap). */
export const LOGITS = 'logits';

/** A ViT / DeiT as read from its weights, with the options it was built with. */
export interface TransformerInfo {
  /** Patch side in pixels. */
  patch: number;
  /** Side of the trained patch grid (position embeddings); other grids are resampled bicubically. */
  grid: number;
  heads: number;
  /** Tokens before the patch tokens: 1 (class) or 2 (class, distillation). */
  prefixTokens: number;
  token: TokenChoice;
}

export interface CreateModelOptions {
  /** Classifier size when it cannot be read from the weights. */
  numClasses?: number;
  /** Transformer taps: class token or mean over patch tokens; default `cls`. CNNs ignore it. */
  token?: TokenChoice;
  /**
   * Attention heads of a ViT / DeiT; default D / 64 (the head size of every named model), which
   * a narrowed model whose width is not a multiple of 64 must override. CNNs ignore it.
   */
  heads?: number;
}

/**
 * What a model says about itself, the same whether it returns feature maps (`Network`) or pooled
 * rows (`FeatureModel`): its taps, the names it accepts besides them, its classifier, its input.
 */
export interface ModelDescription {
  arch: string;
  /** Every tap the model can return, in forward order; always includes `final`. */
  taps: string[];
  /**
   * Further tap names the model accepts besides `taps` (a TF.js model's layer or node names);
   * not part of `taps`, so `all` never means them.
   */
  layerTaps?: string[];
  /** Output classes read from the classifier weights (or given), if known. */
  numClasses?: number;
  /** Input size the topology was made for (224 for ImageNet models, 32 for CIFAR ones). */
  defaultImageSize: number;
  /** Channel count D of each tap when known without a forward pass (absent for TF.js models). */
  tapChannels?: Record<string, number>;
  /**
   * The one square input size the model accepts, when it has one (a TF.js model saved with a
   * fixed input shape); absent when any size works (the zoo's networks pool globally).
   */
  inputSize?: number;
  /**
   * Whether the model returns the reserved output `logits` (zoo/logits.ts): the classifier's
   * pre-softmax output, N×numClasses. Not one of `taps`.
   */
  hasLogits?: boolean;
  /** Why `logits` is not available (no classifier weights, a classifier of the wrong width). */
  noLogitsReason?: string;
  /** Releases the weights. */
  dispose(): void;
}

/** An inference network built from a state_dict: BatchNorm folded, weights on the backend. */
export interface Network extends ModelDescription {
  /** What a vision transformer was read as (absent for CNNs). */
  transformer?: TransformerInfo;
  /**
   * The architecture's one description (graph/ops.ts), from which the ONNX graph is emitted;
   * absent for TF.js models and for families not yet described as a graph.
   */
  graph?: ZooGraph;
  /**
   * NHWC input → NHWC feature maps of the requested taps, before pooling; with `hasLogits` the
   * name `logits` may be asked for too, returned as an [N, 1, 1, K] map. Creates tensors: call
   * it inside `tf.tidy` (`pooledTaps` does).
   */
  forward(x: tf.Tensor4D, taps: readonly string[]): Record<string, tf.Tensor4D>;
}

export interface ArchitectureSpec {
  /** Registry name, e.g. `resnet18`, `resnet18k`, `densenet121`. */
  name: string;
  /** Family, e.g. `resnet`, `densenet`, `mobilenet_v2`, `efficientnet`, `vgg`, `preact_resnet`. */
  family: string;
  /**
   * How well a state_dict fits: 0 = cannot be this architecture; higher = better fit. Used by
   * `detectArchitecture`, which takes the highest.
   */
  match(sd: StateDict): number;
  build(sd: StateDict, opts?: CreateModelOptions): Network;
}
