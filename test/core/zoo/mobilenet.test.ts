import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@shapetex/core';
import { mobilenetSpecs } from '../../../packages/core/dist/zoo/mobilenet.js';
import { damaged, expectClaims, expectClose, gap, loadFixture } from './others-parity.js';

const spec = (name: string) => mobilenetSpecs.find((s) => s.name === name)!;

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`MobileNetV2 parity with torchvision on ${backend}`, () => {
    beforeAll(async () => { await initBackend(backend, { log: null }); });

    it('mobilenet_v2 topology (width 0.1, 72x72 input): final = features.18 equals PyTorch', async () => {
      const { sd, ref } = await loadFixture('mobilenet_v2_small');
      const net = spec('mobilenet_v2').build(sd);
      expect(net.taps).toEqual(['final']);
      expect(net.numClasses).toBe(4);
      const before = tf.memory().numTensors;
      const map = tf.tidy(() => net.forward(ref.input, ['final']).final!);
      expect(map.shape).toEqual(ref.final.shape);
      const got = map.dataSync() as Float32Array;
      expectClose(got, ref.final.data, 'mobilenet_v2 final map');
      expectClose(gap(got, map.shape), ref.pooled.data, 'mobilenet_v2 final pooled');
      map.dispose();
      expect(tf.memory().numTensors).toBe(before);
      net.dispose();
      ref.input.dispose();
    });
  });
}

describe('MobileNetV2 detection and errors', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('claims the torchvision mobilenet_v2 layout only (not MobileNetV3, EfficientNets, ResNets, VGGs, DenseNets)', () => {
    expectClaims(mobilenetSpecs);
  });

  it('claims the narrowed parity fixture', async () => {
    const { sd, ref } = await loadFixture('mobilenet_v2_small');
    ref.input.dispose();
    expect(spec('mobilenet_v2').match(sd)).toBeGreaterThan(0);
  });

  it('a state_dict that does not fit lists missing, unexpected and misshapen keys', async () => {
    const { sd, ref } = await loadFixture('mobilenet_v2_small');
    ref.input.dispose();
    const bad = damaged(sd, 'features.7.conv.1.1.running_mean', 'classifier.1.bias');
    expect(spec('mobilenet_v2').match(bad)).toBe(0);
    expect(() => spec('mobilenet_v2').build(bad)).toThrow(
      /mobilenet_v2: missing keys: features\.7\.conv\.1\.1\.running_mean; unexpected keys: extra\.weight; shape mismatches: classifier\.1\.bias expected \[4\] found \[5\]/);
  });

  it('memory is flat over 50 build / forward / dispose cycles', async () => {
    const { sd, ref } = await loadFixture('mobilenet_v2_small');
    const x = tf.tidy(() => tf.slice(ref.input, [0, 0, 0, 0], [1, 32, 32, 3]));
    ref.input.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      const net = spec('mobilenet_v2').build(sd);
      tf.tidy(() => net.forward(x, ['final']).final!.dataSync());
      net.dispose();
      net.dispose(); // a second dispose is harmless
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
