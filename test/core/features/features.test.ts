import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, extractFeatures, initBackend, toFeatureModel, UnknownTapError, type Network } from '@shapetex/core';
import { expectClose } from '../zoo/others-parity.js';
import { inputTensor, loadResnetFixture } from '../zoo/resnet-fixtures.js';

/**
 * A network with a closed-form tap: `final` = the input itself, `double` = 2·input. Pooling it
 * must give the per-channel image mean.
 */
function identityNetwork(): Network & { disposed: boolean } {
  const net = {
    arch: 'identity',
    taps: ['double', 'final'],
    defaultImageSize: 4,
    disposed: false,
    forward(x: tf.Tensor4D, taps: readonly string[]) {
      const out: Record<string, tf.Tensor4D> = {};
      for (const t of taps) out[t] = t === 'final' ? tf.clone(x) : tf.mul(x, 2);
      return out;
    },
    dispose() { net.disposed = true; },
  };
  return net;
}

describe('FeatureModel and extractFeatures', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('features = global average pool per channel, row-major N×D (closed form)', async () => {
    // image n, pixel p, channel c holds 100n + 10c + p for p in 0..3 (2x2): mean = 100n + 10c + 1.5
    const vals = new Float32Array(2 * 2 * 2 * 3);
    for (let n = 0; n < 2; n++) for (let p = 0; p < 4; p++) for (let c = 0; c < 3; c++) vals[(n * 4 + p) * 3 + c] = 100 * n + 10 * c + p;
    const x = tf.tensor4d(vals, [2, 2, 2, 3]);
    const net = identityNetwork();
    const m = toFeatureModel(net);
    const before = tf.memory().numTensors;
    const f = await m.features(x);
    expect(Object.keys(f)).toEqual(['final']);
    expect(Array.from(f.final!)).toEqual([1.5, 11.5, 21.5, 101.5, 111.5, 121.5]);
    const g = await m.features(x, ['double', 'double', 'final']);
    expect(Array.from(g.double!)).toEqual([3, 23, 43, 203, 223, 243]);
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    await expect(m.features(x, ['stage9'])).rejects.toThrow(UnknownTapError);
    await expect(m.features(x, ['stage9'])).rejects.toThrow(/identity: unknown tap "stage9"; available taps: double, final/);
    m.dispose();
    expect(net.disposed).toBe(true);
    x.dispose();
  });

  it('extractFeatures over batches (array or async stream) equals one forward of the whole set, batches untouched', async () => {
    const { sd, ref } = await loadResnetFixture('resnet18k_bn_small');
    const x = inputTensor(ref);
    const m = createModel('resnet18k', sd);
    const whole = await m.features(x, ['stage2', 'final']);
    const parts = [tf.slice(x, [0, 0, 0, 0], [1, 32, 32, 3]), tf.slice(x, [1, 0, 0, 0], [1, 32, 32, 3])] as tf.Tensor4D[];
    async function* stream() { for (const p of parts) yield p; }
    const before = tf.memory().numTensors;
    for (const source of [parts, stream()]) {
      const out = await extractFeatures(m, source, { taps: ['stage2', 'final'] });
      expect(Object.keys(out)).toEqual(['stage2', 'final']);
      expect(out.stage2!.D).toBe(8);
      expect(out.final!.D).toBe(32);
      expect(out.final!.data.length).toBe(2 * 32);
      expectClose(out.final!.data, whole.final!, 'batched final');
      expectClose(out.stage2!.data, whole.stage2!, 'batched stage2');
      expectClose(out.final!.data, ref.pooled.final!.data, 'batched final vs PyTorch');
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(parts.every((p) => !p.isDisposed)).toBe(true);
    const def = await extractFeatures(m, parts);
    expect(Object.keys(def)).toEqual(['final']);
    await expect(extractFeatures(m, parts, { taps: ['layer9'] })).rejects.toThrow(/available taps: stage1, stage2, stage3, stage4, final/);
    parts.forEach((p) => p.dispose());
    m.dispose();
    x.dispose();
  });
});
