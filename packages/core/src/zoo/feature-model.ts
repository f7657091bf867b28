/**
 * A loaded network seen from the scorer: image batch in, one global-average-pooled vector per
 * image per tap out (docs/method.md). It lives with the zoo because the zoo's loaders return it;
 * features/ extracts whole image sets through it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelDescription, Network } from './types.js';
import { LOGITS } from './types.js';
import { CORE_DEFAULTS } from '../defaults.js';

export interface FeatureModel extends ModelDescription {
  /**
   * Whether `features` accepts the reserved output `logits`: the classifier's pre-softmax output,
   * row-major N×numClasses (not pooled further; not one of `taps`).
   */
  hasLogits: boolean;
  /** The zoo network underneath (unpooled NHWC maps via `forward`, inside `tf.tidy`). */
  network?: Network;
  /**
   * NHWC batch [N, H, W, 3] → per requested tap (default `['final']`) the row-major N×D matrix
   * z[n, c] = (1 / HW) · Σ_{h,w} map[n, h, w, c]; `logits` (with `hasLogits`) gives the N×K
   * classifier output of the same pass. The batch is not disposed.
   */
  features(batch: tf.Tensor4D, taps?: readonly string[]): Promise<Record<string, Float32Array>>;
}

/** An unknown tap name: the message lists the taps the model has. */
export class UnknownTapError extends Error {
  constructor(readonly arch: string, readonly tap: string, readonly available: string[]) {
    super(`${arch}: unknown tap ${JSON.stringify(tap)}; available taps: ${available.join(', ')}`);
    this.name = 'UnknownTapError';
  }
}

/** `logits` asked of a model without a usable classifier. */
export class NoLogitsError extends Error {
  constructor(readonly arch: string, readonly reason: string) {
    super(`${arch}: no logits: ${reason}`);
    this.name = 'NoLogitsError';
  }
}

/**
 * Check requested taps against a model's (its `taps` and `layerTaps`), dropping duplicates;
 * throws UnknownTapError, or
 * NoLogitsError for `logits` on a model without `hasLogits`.
 */
export function resolveTaps(
  model: { arch: string; taps: readonly string[]; layerTaps?: readonly string[]; hasLogits?: boolean; noLogitsReason?: string },
  taps: readonly string[] | undefined,
): string[] {
  const wanted = [...new Set(taps ?? CORE_DEFAULTS.taps)];
  for (const t of wanted) {
    if (t === LOGITS && !model.taps.includes(t)) {
      if (!model.hasLogits) throw new NoLogitsError(model.arch, model.noLogitsReason ?? 'this network has no classifier output');
      continue;
    }
    if (!model.taps.includes(t) && !model.layerTaps?.includes(t)) throw new UnknownTapError(model.arch, t, [...model.taps]);
  }
  return wanted;
}

/**
 * Pooled tap tensors [N, D] of one batch, created inside one tidy so the feature maps are freed
 * as soon as they are pooled; the caller owns (and disposes) the returned tensors.
 */
export function pooledTaps(network: Network, batch: tf.Tensor4D, taps: readonly string[]): Record<string, tf.Tensor2D> {
  return tf.tidy(() => {
    const maps = network.forward(batch, taps);
    const out: Record<string, tf.Tensor2D> = {};
    for (const t of taps) {
      const m = maps[t];
      if (!m) throw new Error(`${network.arch}: forward returned no map for tap ${t}`);
      out[t] = tf.mean(m, [1, 2]) as tf.Tensor2D;
    }
    return out;
  });
}

/** Wrap a zoo Network as a FeatureModel; disposing the model disposes the network. */
export function toFeatureModel(network: Network): FeatureModel {
  return {
    arch: network.arch,
    taps: [...network.taps],
    ...(network.numClasses !== undefined ? { numClasses: network.numClasses } : {}),
    defaultImageSize: network.defaultImageSize,
    hasLogits: network.hasLogits === true,
    ...(network.noLogitsReason !== undefined ? { noLogitsReason: network.noLogitsReason } : {}),
    ...(network.tapChannels ? { tapChannels: { ...network.tapChannels } } : {}),
    ...(network.inputSize !== undefined ? { inputSize: network.inputSize } : {}),
    ...(network.layerTaps ? { layerTaps: [...network.layerTaps] } : {}),
    network,
    async features(batch, taps) {
      const wanted = resolveTaps(network, taps);
      const pooled = pooledTaps(network, batch, wanted);
      try {
        const out: Record<string, Float32Array> = {};
        for (const t of wanted) out[t] = (await pooled[t]!.data()) as Float32Array;
        return out;
      } finally {
        for (const t of wanted) pooled[t]!.dispose();
      }
    },
    dispose() {
      network.dispose();
    },
  };
}
