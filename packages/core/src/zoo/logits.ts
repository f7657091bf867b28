/**
 * The classifier's output as a network output: the reserved name `logits`, beside the taps.
 *
 * `forward(x, ['final', 'logits'])` returns the `final` map and the logits, the latter as an
 * [N, 1, 1, K] "map" so that the features module's global average pooling leaves it unchanged
 * (the same convention as a 2-D TF.js tap). `logits` is never listed in `taps`, so `--taps all`
 * does not score the classifier as a representation. The head runs on the `final` map the same
 * pass computes: one forward gives features and decisions.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../io/types.js';
import { applyLinear, disposeLinear, linearOf, type Linear } from './linear.js';
import { LOGITS, type Network } from './types.js';

export { LOGITS };

/**
 * The Linear `${prefix}.weight` [out, in] (+ `${prefix}.bias` [out] when present) as the zoo's
 * `Linear` (linear.ts), or a sentence saying why it cannot be used (absent, wrong rank, input
 * width not `inFeatures`): a checkpoint may lack its classifier and still be scored.
 */
export function readLinear(sd: StateDict, prefix: string, inFeatures?: number): Linear | string {
  const wKey = `${prefix}.weight`;
  const w = sd.get(wKey);
  if (!w) return `the checkpoint has no classifier weights (${wKey})`;
  if (w.shape.length !== 2) return `${wKey} has shape [${w.shape.join(', ')}], expected [classes, ${inFeatures ?? 'features'}]`;
  const [O, I] = w.shape as [number, number];
  if (inFeatures !== undefined && I !== inFeatures) return `${wKey} has shape [${O}, ${I}], but the layer before it gives ${inFeatures} features`;
  const b = sd.get(`${prefix}.bias`);
  if (b && (b.shape.length !== 1 || b.shape[0] !== O)) return `${prefix}.bias has shape [${b.shape.join(', ')}], expected [${O}]`;
  return linearOf('classifier', sd, wKey, b ? `${prefix}.bias` : null);
}

/** Global average pooling NHWC → [N, C] (PyTorch's `adaptive_avg_pool2d(x, 1)` + flatten). */
export function globalMean(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}

/**
 * `net` with the reserved output `logits`, computed by `head` from the `final` map (inside the
 * caller's `tf.tidy`, as every forward). `release` frees the head's weights with the network's.
 */
export function withLogits(net: Network, head: (final: tf.Tensor4D) => tf.Tensor2D, numClasses: number, release: () => void): Network {
  return {
    ...net,
    numClasses,
    hasLogits: true,
    forward(x, wanted) {
      if (!wanted.includes(LOGITS)) return net.forward(x, wanted);
      const taps = wanted.filter((t) => t !== LOGITS);
      const maps = net.forward(x, taps.includes('final') ? taps : [...taps, 'final']);
      const logits = head(maps.final!);
      const out: Record<string, tf.Tensor4D> = {};
      for (const t of taps) out[t] = maps[t]!;
      out[LOGITS] = tf.reshape(logits, [logits.shape[0], 1, 1, logits.shape[1]]);
      return out;
    },
    dispose() {
      net.dispose();
      release();
    },
  };
}

/** `net` without a usable classifier: asking for `logits` fails with `reason`. */
export function withoutLogits(net: Network, reason: string): Network {
  return { ...net, hasLogits: false, noLogitsReason: reason };
}

/**
 * A head of linears `heads[0] … heads[n-1]` on the globally pooled final map (ResNet `fc`,
 * DenseNet `classifier`, MobileNetV2 / EfficientNet `classifier.1`, PreAct `linear`): the common
 * case, so builders need one call. A string is the reason it cannot be built.
 */
export function pooledLinearLogits(net: Network, head: Linear | string): Network {
  if (typeof head === 'string') return withoutLogits(net, head);
  return withLogits(net, (final) => applyLinear(globalMean(final), head), head.out, () => disposeLinear(head));
}
