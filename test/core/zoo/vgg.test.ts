import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type StateDict } from '@shapetex/core';
import { vggSpecs } from '../../../packages/core/dist/zoo/vgg.js';
import { damaged, expectClaims, expectClose, gap, loadFixture } from './others-parity.js';

const spec = (name: string) => vggSpecs.find((s) => s.name === name)!;

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`VGG16 / VGG16-BN parity with torchvision on ${backend}`, () => {
    beforeAll(async () => { await initBackend(backend, { log: null }); });

    for (const [fixture, arch] of [['vgg16_small', 'vgg16'], ['vgg16_bn_small', 'vgg16_bn']] as const) {
      it(`${arch} (channels / 16, 72x72 input): final = last ReLU before the last max-pool equals PyTorch`, async () => {
        const { sd, ref } = await loadFixture(fixture);
        expect(ref.arch).toBe(arch);
        const net = spec(arch).build(sd);
        expect(net.taps).toEqual(['final']);
        expect(net.numClasses).toBe(10);
        expect(net.defaultImageSize).toBe(224);
        const before = tf.memory().numTensors;
        const map = tf.tidy(() => net.forward(ref.input, ['final']).final!);
        expect(map.shape).toEqual(ref.final.shape);
        const got = map.dataSync() as Float32Array;
        expectClose(got, ref.final.data, `${arch} final map`);
        expectClose(gap(got, map.shape), ref.pooled.data, `${arch} final pooled`);
        map.dispose();
        expect(tf.memory().numTensors).toBe(before);
        net.dispose();
        ref.input.dispose();
      });
    }
  });
}

describe('VGG detection and errors', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('vgg16 and vgg16_bn claim their own torchvision layouts only (not VGG11-BN, VGG19, ResNets, DenseNets)', () => {
    expectClaims(vggSpecs);
  });

  it('claims the small fixtures by their own name', async () => {
    for (const [fixture, arch] of [['vgg16_small', 'vgg16'], ['vgg16_bn_small', 'vgg16_bn']]) {
      const { sd, ref } = await loadFixture(fixture!);
      ref.input.dispose();
      expect(vggSpecs.filter((s) => s.match(sd) > 0).map((s) => s.name)).toEqual([arch]);
    }
  });

  it('loads a CIFAR-style VGG16-BN (one Linear classifier on the C-wide vector): same features, 32px default', async () => {
    const { sd, ref } = await loadFixture('vgg16_bn_small');
    const cifar: StateDict = new Map([...sd].filter(([k]) => !k.startsWith('classifier.')));
    cifar.set('classifier.weight', { dtype: 'float32', shape: [7, 32], data: new Float32Array(7 * 32) });
    cifar.set('classifier.bias', { dtype: 'float32', shape: [7], data: new Float32Array(7) });
    expect(spec('vgg16_bn').match(cifar)).toBeGreaterThan(0);
    const net = spec('vgg16_bn').build(cifar);
    expect([net.numClasses, net.defaultImageSize]).toEqual([7, 32]);
    const got = tf.tidy(() => net.forward(ref.input, ['final']).final!.dataSync());
    expectClose(got, ref.final.data, 'cifar vgg16_bn final map');
    net.dispose();
    ref.input.dispose();
  });

  it('a state_dict that does not fit lists missing, unexpected and misshapen keys', async () => {
    const { sd, ref } = await loadFixture('vgg16_bn_small');
    ref.input.dispose();
    const bad = damaged(sd, 'features.41.running_var', 'features.1.bias');
    expect(spec('vgg16_bn').match(bad)).toBe(0);
    expect(() => spec('vgg16_bn').build(bad)).toThrow(
      /vgg16_bn: missing keys: features\.41\.running_var; unexpected keys: extra\.weight; shape mismatches: features\.1\.bias expected \[4\] found \[5\]/);
    // vgg16 on a vgg16_bn state_dict: the BN keys are unexpected and conv indices are missing
    expect(() => spec('vgg16').build(sd)).toThrow(/does not fit vgg16: missing keys: features\.2\.weight/);
  });

  it('memory is flat over 50 build / forward / dispose cycles', async () => {
    const { sd, ref } = await loadFixture('vgg16_bn_small');
    const x = tf.tidy(() => tf.slice(ref.input, [0, 0, 0, 0], [1, 32, 32, 3]));
    ref.input.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      const net = spec('vgg16_bn').build(sd);
      tf.tidy(() => net.forward(x, ['final']).final!.dataSync());
      net.dispose();
      net.dispose(); // a second dispose is harmless
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
