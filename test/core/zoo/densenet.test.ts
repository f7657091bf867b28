import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@shapetex/core';
import { densenetSpecs } from '../../../packages/core/dist/zoo/densenet.js';
import { damaged, expectClaims, expectClose, gap, loadFixture } from './others-parity.js';

const spec = (name: string) => densenetSpecs.find((s) => s.name === name)!;

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`DenseNet parity with torchvision on ${backend}`, () => {
    beforeAll(async () => { await initBackend(backend, { log: null }); });

    it('densenet121 topology (growth 4, bottleneck 12, stem 10): final = ReLU(norm5) equals PyTorch', async () => {
      const { sd, ref } = await loadFixture('densenet_small');
      const net = spec('densenet121').build(sd);
      expect(net.taps).toEqual(['final']);
      expect(net.numClasses).toBe(10);
      const before = tf.memory().numTensors;
      const map = tf.tidy(() => net.forward(ref.input, ['final']).final!);
      expect(map.shape).toEqual(ref.final.shape);
      const got = map.dataSync() as Float32Array;
      expectClose(got, ref.final.data, 'densenet final map');
      expectClose(gap(got, map.shape), ref.pooled.data, 'densenet final pooled');
      map.dispose();
      expect(tf.memory().numTensors).toBe(before);
      net.dispose();
      ref.input.dispose();
    });
  });
}

describe('DenseNet detection and errors', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('each name claims its block config only: full-size torchvision layouts and growth-4 config-shaped ones', () => {
    expectClaims(densenetSpecs);
  });

  it('the parity fixture is claimed as densenet121 only', async () => {
    const { sd, ref } = await loadFixture('densenet_small');
    ref.input.dispose();
    expect(densenetSpecs.filter((s) => s.match(sd) > 0).map((s) => s.name)).toEqual(['densenet121']);
    expect(() => spec('densenet169').build(sd)).toThrow(/densenet169: dense block config \(6, 12, 32, 32\) expected, found \(6, 12, 24, 16\)/);
  });

  it('a state_dict that does not fit lists missing, unexpected and misshapen keys', async () => {
    const { sd, ref } = await loadFixture('densenet_small');
    ref.input.dispose();
    const bad = damaged(sd, 'features.denseblock2.denselayer3.norm2.running_var', 'features.norm5.weight');
    expect(spec('densenet121').match(bad)).toBe(0);
    expect(() => spec('densenet121').build(bad)).toThrow(
      /densenet121: missing keys: features\.denseblock2\.denselayer3\.norm2\.running_var; unexpected keys: extra\.weight; shape mismatches: features\.norm5\.weight expected \[128\] found \[129\]/);
  });

  it('memory is flat over 50 build / forward / dispose cycles', async () => {
    const { sd, ref } = await loadFixture('densenet_small');
    const x = tf.tidy(() => tf.slice(ref.input, [0, 0, 0, 0], [1, 32, 32, 3]));
    ref.input.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      const net = spec('densenet121').build(sd);
      tf.tidy(() => net.forward(x, ['final']).final!.dataSync());
      net.dispose();
      net.dispose(); // a second dispose is harmless
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
