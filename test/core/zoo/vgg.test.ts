import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '@shapetex/core';
import { vggSpecs } from '../../../packages/core/dist/zoo/vgg.js';
import { describeParity, expectClose, loadFixture } from './others-parity.js';

const spec = (name: string) => vggSpecs.find((s) => s.name === name)!;

describeParity('VGG16 / VGG16-BN', vggSpecs, {
  cases: (['vgg16', 'vgg16_bn'] as const).map((arch) => ({
    fixture: `${arch}_small`,
    arch,
    what: `${arch} (channels / 16, 72x72 input): final = last ReLU before the last max-pool equals PyTorch`,
    numClasses: 10,
  })),
  claims: 'vgg16 and vgg16_bn claim their own torchvision layouts only (not VGG11-BN, VGG19, ResNets, DenseNets)',
  subject: { fixture: 'vgg16_bn_small', arch: 'vgg16_bn' },
  mismatch: {
    drop: 'features.41.running_var',
    reshape: 'features.1.bias',
    error: /vgg16_bn: missing keys: features\.41\.running_var; unexpected keys: extra\.weight; shape mismatches: features\.1\.bias expected \[4\] found \[5\]/,
  },
}, () => {
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

  it('vgg16 on a vgg16_bn state_dict: the BN keys are unexpected and conv indices are missing', async () => {
    const { sd, ref } = await loadFixture('vgg16_bn_small');
    ref.input.dispose();
    expect(() => spec('vgg16').build(sd)).toThrow(/does not fit vgg16: missing keys: features\.2\.weight/);
  });
});
