/**
 * The reserved output `logits` of every zoo builder against PyTorch: logits.json holds the
 * torchvision module's own forward on each small fixture's stored input
 * (test/fixtures/zoo/make_logits.py), so avgpool, flatten order, dropout and every classifier
 * layer are checked, within 1e-4 of the largest logit.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, initBackend, LOGITS, NoLogitsError, readStateDict } from '@shapetex/core';
import { expectClose, FIX, readRefArrays } from './others-parity.js';

interface LogitsRef { arch: string; shape: [number, number]; logits: number[] }
const REF = JSON.parse(readFileSync(path.join(FIX, 'logits.json'), 'utf8')) as Record<string, LogitsRef>;

function inputOf(name: string): tf.Tensor4D {
  const input = readRefArrays(name).arrays.input!;
  return tf.tensor4d(input.data, input.shape as [number, number, number, number]);
}

beforeAll(async () => {
  await initBackend('wasm', { log: null });
});

describe('logits equal the PyTorch module forward', () => {
  it('the reference file covers every zoo family', () => {
    expect(Object.keys(REF).sort()).toEqual([
      'densenet_small', 'efficientnet_b0_small', 'mobilenet_v2_small', 'resnet18_small', 'resnet18k_bn_small',
      'resnet18k_small', 'resnet50_small', 'vgg16_bn_small', 'vgg16_small',
    ]);
  });

  for (const [name, ref] of Object.entries(REF)) {
    it(`${name} (${ref.arch}): features(x, ['final', 'logits']) gives N×${ref.shape[1]} logits within 1e-4`, async () => {
      const model = createModel(ref.arch, await readStateDict(path.join(FIX, `${name}.pth`)));
      expect(model.hasLogits).toBe(true);
      expect(model.taps).not.toContain(LOGITS);
      expect(model.numClasses).toBe(ref.shape[1]);
      const x = inputOf(name);
      const before = tf.memory().numTensors;
      const out = await model.features(x, ['final', LOGITS]);
      expect(tf.memory().numTensors).toBe(before);
      expect(out[LOGITS]!.length).toBe(ref.shape[0] * ref.shape[1]);
      expectClose(out[LOGITS]!, ref.logits, `${name} logits`);
      // logits alone: the same numbers, and `final` is not returned
      const only = await model.features(x, [LOGITS]);
      expect(Object.keys(only)).toEqual([LOGITS]);
      expect(Array.from(only[LOGITS]!)).toEqual(Array.from(out[LOGITS]!));
      x.dispose();
      model.dispose();
    });
  }
});

describe('a checkpoint without a usable classifier', () => {
  it('has no logits; asking for them names the missing key, the taps still work', async () => {
    const sd = await readStateDict(path.join(FIX, 'resnet18_small.pth'));
    sd.delete('fc.weight');
    sd.delete('fc.bias');
    const model = createModel('resnet18', sd);
    expect(model.hasLogits).toBe(false);
    const x = inputOf('resnet18_small');
    await expect(model.features(x, ['final', LOGITS])).rejects.toThrow(NoLogitsError);
    await expect(model.features(x, [LOGITS])).rejects.toThrow(/no classifier weights \(fc\.weight\)/);
    expect((await model.features(x, ['final'])).final!.length).toBeGreaterThan(0);
    x.dispose();
    model.dispose();
  });

  it('a classifier of the wrong width is reported, not run', async () => {
    const sd = await readStateDict(path.join(FIX, 'resnet18_small.pth'));
    const fc = sd.get('fc.weight')!;
    sd.set('fc.weight', { ...fc, shape: [fc.shape[0]! * 2, fc.shape[1]! / 2] });
    const model = createModel('resnet18', sd);
    expect(model.hasLogits).toBe(false);
    expect(model.noLogitsReason).toMatch(/fc\.weight has shape \[20, 16\], but the layer before it gives 32 features/);
    model.dispose();
  });
});
