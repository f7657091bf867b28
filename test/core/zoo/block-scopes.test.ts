/**
 * The blocks of DenseNet, MobileNetV2, EfficientNet, the CIFAR ResNets and resnet18k free their intermediates as they go
 * (graph ops `scope`): inside one forward only the block outputs stay alive, not every layer's
 * maps, which bounds a forward's peak memory the way their former per-block `tf.tidy` did.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildNetwork, initBackend } from '@shapetex/core';
import { loadFixture } from './others-parity.js';

// [fixture, arch, the values a scoped forward keeps, what they are]; unscoped, each of the
// layers leaves several maps (BN, ReLU, convs, concatenation or residual): hundreds for DenseNet
const CASES = [
  ['densenet_small', 'densenet121', 12, 'stem conv and pool, 4 dense blocks, 3 transitions, norm5 (scale, shift) and its ReLU'],
  ['mobilenet_v2_small', 'mobilenet_v2', 19, 'the stem, 17 inverted residuals, the last 1x1 conv'],
  ['efficientnet_b0_small', 'efficientnet_b0', 18, 'the stem, 16 MBConv blocks, the last 1x1 conv'],
  ['resnet20_a', 'resnet20', 10, 'the stem, 9 residual blocks'],
  ['resnet18k_small', 'resnet18k', 9, 'the stem, 8 pre-activation blocks'],
] as const;

describe('block scopes bound what a forward keeps alive', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  for (const [fixture, arch, kept, what] of CASES) {
    it(`${arch}: a forward keeps at most ${kept} maps alive (${what})`, async () => {
      const { sd, ref } = await loadFixture(fixture);
      const net = buildNetwork(arch, sd);
      // a first forward makes whatever a conv plan creates lazily
      tf.tidy(() => { net.forward(ref.input, ['final']); });
      tf.tidy(() => {
        const before = tf.memory().numTensors;
        net.forward(ref.input, ['final']);
        expect(tf.memory().numTensors - before).toBeLessThanOrEqual(kept);
      });
      net.dispose();
      ref.input.dispose();
    });
  }
});
