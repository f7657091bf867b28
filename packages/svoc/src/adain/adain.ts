import * as tf from '@tensorflow/tfjs-core';

/** Added to the per-channel variance, as the reference implementation does. */
export const ADAIN_EPS = 1e-5;

/**
 * Per-sample, per-channel mean μ and standard deviation σ = sqrt(s² + ε) over the spatial
 * positions of an NHWC tensor, with s² the unbiased variance Σ(x − μ)²/(n − 1) and ε = 1e-5
 * (Huang & Belongie 2017, as their `calc_mean_std`). Shapes [N, 1, 1, C].
 */
export function channelMoments(x: tf.Tensor4D, eps = ADAIN_EPS): { mean: tf.Tensor4D; std: tf.Tensor4D } {
  const n = x.shape[1] * x.shape[2];
  if (n < 2) throw new RangeError(`AdaIN needs at least 2 spatial positions per channel, got ${x.shape[1]}x${x.shape[2]}`);
  return tf.tidy(() => {
    const mean = tf.mean(x, [1, 2], true) as tf.Tensor4D;
    const ss = tf.sum(tf.square(tf.sub(x, mean)), [1, 2], true);
    const std = tf.sqrt(tf.add(tf.div(ss, n - 1), eps)) as tf.Tensor4D;
    return { mean, std };
  });
}

/**
 * Adaptive instance normalisation: AdaIN(c, s) = σ(s)·(c − μ(c))/σ(c) + μ(s), per channel,
 * with μ, σ from `channelMoments`. `content` and `style` are NHWC with the same N and C and any
 * spatial sizes. With `alpha` < 1 the result is blended back towards the content features:
 * α·AdaIN(c, s) + (1 − α)·c.
 */
export function adaptiveInstanceNorm(content: tf.Tensor4D, style: tf.Tensor4D, alpha = 1): tf.Tensor4D {
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${alpha}`);
  const [cn, , , cc] = content.shape;
  const [sn, , , sc] = style.shape;
  if (cn !== sn || cc !== sc) {
    throw new RangeError(`AdaIN: content features [${content.shape.join(', ')}] and style features [${style.shape.join(', ')}] differ in batch or channels`);
  }
  return tf.tidy(() => {
    const c = channelMoments(content);
    const s = channelMoments(style);
    const t = tf.add(tf.mul(tf.div(tf.sub(content, c.mean), c.std), s.std), s.mean) as tf.Tensor4D;
    return alpha === 1 ? t : (tf.add(tf.mul(t, alpha), tf.mul(content, 1 - alpha)) as tf.Tensor4D);
  });
}
