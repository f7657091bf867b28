import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@shapetex/core';
import { efficientnetSpecs } from '../../../packages/core/dist/zoo/efficientnet.js';
import { damaged, expectClaims, expectClose, gap, loadFixture } from './others-parity.js';

const spec = (name: string) => efficientnetSpecs.find((s) => s.name === name)!;

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`EfficientNet-B0 parity with torchvision on ${backend}`, () => {
    beforeAll(async () => { await initBackend(backend, { log: null }); });

    it('efficientnet_b0 topology (width 0.1, 72x72 input): final = features.8 equals PyTorch', async () => {
      const { sd, ref } = await loadFixture('efficientnet_b0_small');
      const net = spec('efficientnet_b0').build(sd);
      expect(net.taps).toEqual(['final']);
      expect(net.numClasses).toBe(10);
      const before = tf.memory().numTensors;
      const map = tf.tidy(() => net.forward(ref.input, ['final']).final!);
      expect(map.shape).toEqual(ref.final.shape);
      const got = map.dataSync() as Float32Array;
      expectClose(got, ref.final.data, 'efficientnet_b0 final map');
      expectClose(gap(got, map.shape), ref.pooled.data, 'efficientnet_b0 final pooled');
      map.dispose();
      expect(tf.memory().numTensors).toBe(before);
      net.dispose();
      ref.input.dispose();
    });
  });
}

describe('EfficientNet-B0 detection and errors', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('claims the torchvision efficientnet_b0 layout only (not B1, MobileNets, ResNets, VGGs, DenseNets)', () => {
    expectClaims(efficientnetSpecs);
  });

  it('claims the narrowed parity fixture; a deeper (B1) layout is named in the error', async () => {
    const { sd, ref } = await loadFixture('efficientnet_b0_small');
    ref.input.dispose();
    expect(spec('efficientnet_b0').match(sd)).toBeGreaterThan(0);
    const b1: Map<string, unknown> = new Map(sd);
    b1.set('features.1.1.block.0.0.weight', sd.get('features.1.0.block.0.0.weight'));
    expect(() => spec('efficientnet_b0').build(b1 as typeof sd)).toThrow(/blocks per stage \(1, 2, 2, 3, 3, 4, 1\) expected, found \(2, 2, 2, 3, 3, 4, 1\)/);
  });

  it('a state_dict that does not fit lists missing, unexpected and misshapen keys', async () => {
    const { sd, ref } = await loadFixture('efficientnet_b0_small');
    ref.input.dispose();
    const bad = damaged(sd, 'features.6.2.block.2.fc2.bias', 'features.8.1.weight');
    expect(spec('efficientnet_b0').match(bad)).toBe(0);
    expect(() => spec('efficientnet_b0').build(bad)).toThrow(
      /efficientnet_b0: missing keys: features\.6\.2\.block\.2\.fc2\.bias; unexpected keys: extra\.weight; shape mismatches: features\.8\.1\.weight expected \[128\] found \[129\]/);
  });

  it('memory is flat over 50 build / forward / dispose cycles', async () => {
    const { sd, ref } = await loadFixture('efficientnet_b0_small');
    const x = tf.tidy(() => tf.slice(ref.input, [0, 0, 0, 0], [1, 32, 32, 3]));
    ref.input.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      const net = spec('efficientnet_b0').build(sd);
      tf.tidy(() => net.forward(x, ['final']).final!.dataSync());
      net.dispose();
      net.dispose(); // a second dispose is harmless
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
