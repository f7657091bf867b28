/**
 * The TF.js lowering of the graph ops added for the CIFAR ResNets and the block scopes, against
 * values written out by hand from PyTorch's definitions (F.pad on the channel axis,
 * x[:, :, ::2, ::2], tf.tidy's bookkeeping).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@shapetex/core';
import { createTfOps } from '../../../packages/core/dist/zoo/graph/tf-ops.js';

describe('graph ops on TF.js', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('padChannels(x, 1, 2) is F.pad(x, (0, 0, 0, 0, 1, 2)): zero channels before and after, NHWC', () => {
    const ops = createTfOps();
    // one pixel with channels [5, 6], one with [7, 8]: [N=1, H=1, W=2, C=2]
    const y = tf.tidy(() => ops.padChannels(tf.tensor4d([5, 6, 7, 8], [1, 1, 2, 2]), 1, 2));
    expect(y.shape).toEqual([1, 1, 2, 5]);
    expect(Array.from(y.dataSync())).toEqual([0, 5, 6, 0, 0, 0, 7, 8, 0, 0]);
    y.dispose();
    ops.release();
  });

  it('maxPool k=1 stride 2 pad 0 is x[:, :, ::2, ::2], ceil(H / 2) rows on an odd map', () => {
    const ops = createTfOps();
    // a 3x3 one-channel map 0..8: rows 0 and 2, columns 0 and 2
    const y = tf.tidy(() => ops.maxPool(tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 3, 3, 1]), { k: 1, stride: 2, pad: 0 }));
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.dataSync())).toEqual([0, 2, 6, 8]);
    y.dispose();
    ops.release();
  });

  it('scope(f) keeps only the value f returns; the intermediates it made are freed at once', () => {
    const ops = createTfOps();
    const x = tf.tensor4d([1, -2, 3, -4], [1, 2, 2, 1]);
    const before = tf.memory().numTensors;
    const y = ops.scope(() => ops.relu(ops.add(ops.add(x, x), x)));
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(y.dataSync())).toEqual([3, 0, 9, 0]);
    // a scope returning its input leaves it alive
    expect(ops.scope(() => x)).toBe(x);
    expect(x.isDisposed).toBe(false);
    tf.dispose([x, y]);
    ops.release();
  });
});
