import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers every op's gradient as a side effect (tfjs-core alone registers none).
import '@tensorflow/tfjs-layers';
import { initBackend } from '@shapetex/core';
// The training example's own kernel (core is inference only).
import { registerWasmTrainingKernels } from '../../examples/train/wasm-kernels.mjs';

describe('wasm training kernels', () => {
  it('come from the training example, not from core', async () => {
    await initBackend('wasm', { log: null });
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    registerWasmTrainingKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelName).toBe('Conv2DBackpropFilter');
  });

  it('the filter gradient of a convolution on wasm equals the cpu backend\'s', async () => {
    const grads: Float32Array[] = [];
    for (const name of ['cpu', 'wasm'] as const) {
      await initBackend(name, { log: null });
      const g = tf.tidy(() => {
        const x = tf.tensor4d(Array.from({ length: 2 * 7 * 6 * 3 }, (_, i) => Math.sin(i * 0.37)), [2, 7, 6, 3]);
        const w = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i * 0.11)), [3, 3, 3, 4]);
        const f = (filter: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, filter as tf.Tensor4D, 1, 'same')));
        return tf.grad(f)(w);
      });
      grads.push((await g.data()) as Float32Array);
      g.dispose();
    }
    expect(grads[1]!.length).toBe(108);
    for (let i = 0; i < 108; i++) expect(grads[1]![i]).toBeCloseTo(grads[0]![i]!, 3);
  });

  it('refuses strided convolutions on wasm with a clear error rather than a wrong gradient', async () => {
    await initBackend('wasm', { log: null });
    const x = tf.ones([1, 6, 6, 2]) as tf.Tensor4D;
    const w = tf.ones([3, 3, 2, 2]) as tf.Tensor4D;
    expect(() => tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 2, 'same')))(w)).toThrow(/stride 1 only \(got 2x2\)/);
    tf.dispose([x, w]);
  });
});
