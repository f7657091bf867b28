/**
 * User-supplied ONNX graphs run through loadModel equal PyTorch (make_onnx.py): declared outputs,
 * an intermediate tensor tapped by name, 3-D token outputs by --token, a fixed batch dimension
 * run in padded chunks.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, initBackend, loadModel, UnknownTapError } from '@shapetex/core';
import { expectRows, ONNX_FIX, REF, refArray } from './fixtures.js';

const fix = (n: string): string => path.join(ONNX_FIX, n);
let x: tf.Tensor4D;

beforeAll(async () => {
  await initBackend('cpu', { log: null });
  const input = refArray('input');
  x = tf.tensor4d(input.data, input.shape as [number, number, number, number]);
});

describe('an .onnx file through loadModel', () => {
  it('gives PyTorch\'s rows for the outputs (stage2 averaged over H and W, logits as they are) and an intermediate tap', async () => {
    const m = await loadModel(fix('cnn.onnx'));
    expect(m.arch).toBe('onnx:cnn.onnx');
    expect(m.taps).toEqual(['stage2', 'logits']);
    expect(m.layerTaps).toContain('final');
    expect(m.layerTaps).toContain(REF.intermediate);
    expect(m.hasLogits).toBe(true);
    expect(m.numClasses).toBe(10);
    expect(m.inputSize).toBe(REF.imageSize);
    expect(m.defaultImageSize).toBe(REF.imageSize);
    const got = await m.features(x, ['stage2', 'final', 'logits', REF.intermediate]);
    expectRows(got.stage2, refArray('cnn/stage2').data, 'stage2');
    expectRows(got.final, refArray('cnn/stage2').data, 'final (= stage2, the last output besides logits)');
    expectRows(got.logits, refArray('cnn/logits').data, 'logits');
    expectRows(got[REF.intermediate], refArray(`cnn/${REF.intermediate}`).data, REF.intermediate);
    m.dispose();
  });

  it('runs a graph with a fixed batch of 2 in chunks, padding the last one and dropping its padded row', async () => {
    const m = await loadModel(fix('cnn_fixed.onnx'));
    expect(x.shape[0]).toBe(3);
    const got = await m.features(x, ['stage2', 'logits']);
    expectRows(got.stage2, refArray('cnn/stage2').data, 'stage2');
    expectRows(got.logits, refArray('cnn/logits').data, 'logits');
    m.dispose();
  });

  it('reduces a 3-D token output by the token choice: cls = token 0, mean = tokens 1..T−1', async () => {
    const cls = await loadModel(fix('vit.onnx'));
    const mean = await loadModel(fix('vit.onnx'), { token: 'mean' });
    expectRows((await cls.features(x, ['tokens'])).tokens, refArray('vit/cls').data, 'tokens cls');
    expectRows((await mean.features(x, ['final'])).final, refArray('vit/mean').data, 'tokens mean');
    expectRows((await cls.features(x, ['logits'])).logits, refArray('vit/logits').data, 'vit logits');
    cls.dispose();
    mean.dispose();
  });

  it('refuses an unknown tap naming the taps, and an input of another size', async () => {
    const m = await loadModel(fix('cnn.onnx'));
    await expect(m.features(x, ['nope'])).rejects.toBeInstanceOf(UnknownTapError);
    const big = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    await expect(m.features(big)).rejects.toThrow(/takes 16×16 RGB images, got a batch of shape \[1, 32, 32, 3\]/);
    big.dispose();
    m.dispose();
  });

  it('a tap that is not 2-, 3- or 4-D is an error naming the tap and its shape', async () => {
    const m = await loadModel(fix('vit.onnx'));
    const oneD = m.layerTaps!.find((t) => /Shape/.test(t));
    expect(oneD, 'a Shape node output in vit.onnx').toBeDefined();
    await expect(m.features(x, [oneD!])).rejects.toThrow(new RegExp(`tap "${oneD!.replace(/[/.]/g, '\\$&')}" has shape \\[\\d\\]: `));
    m.dispose();
  });

  it('a missing file is a CheckpointError naming it', async () => {
    const err = await loadModel(fix('absent.onnx')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/absent\.onnx: cannot read the ONNX model/);
  });
});
