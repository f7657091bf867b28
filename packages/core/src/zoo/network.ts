/**
 * The Network wrapper of the builders with one tap: checks the taps and the input, and guards
 * use after dispose.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Network } from './types.js';

/**
 * A network whose only tap is `final`. `run` maps the NHWC input to the final map; the caller
 * holds it inside `tf.tidy` (Network contract).
 */
export function finalOnlyNetwork(
  arch: string,
  meta: { numClasses?: number | undefined; defaultImageSize: number },
  run: (x: tf.Tensor4D) => tf.Tensor4D,
  release: () => void,
): Network {
  let disposed = false;
  return {
    arch,
    taps: ['final'],
    ...(meta.numClasses !== undefined ? { numClasses: meta.numClasses } : {}),
    defaultImageSize: meta.defaultImageSize,
    forward(x, taps) {
      if (disposed) throw new Error(`${arch}: network used after dispose()`);
      for (const t of taps) if (t !== 'final') throw new Error(`${arch}: unknown tap ${JSON.stringify(t)}; taps: final`);
      if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`${arch}: input must be NHWC with 3 channels, found [${x.shape.join(', ')}]`);
      const out: Record<string, tf.Tensor4D> = {};
      if (taps.length) out.final = run(x);
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      release();
    },
  };
}
