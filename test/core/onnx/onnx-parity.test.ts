/**
 * The ONNX engine against PyTorch: every tap (and the logits where logits.json has them) of every
 * fixture family that has a graph description, run by ONNX Runtime (backend `onnx`), within 1e-4
 * of the PyTorch references (test/fixtures/zoo/make_resnet.py, make_logits.py). The list is
 * explicit: a family joins it when it is described as a graph.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createFeaturePool, createModel, extractFeatures, initBackend, LOGITS, readStateDict, type OnnxFeatureModel } from '@shapetex/core';
import { expectClose, FIX } from '../zoo/others-parity.js';
import { fixturePath, inputTensor, readReference } from '../zoo/resnet-fixtures.js';

/** [fixture, arch]: the fixtures whose family has a graph (extend as families land). */
export const ONNX_PARITY_FIXTURES = [
  ['resnet18_small', 'resnet18'],
  ['resnet34_small', 'resnet34'],
  ['resnet50_small', 'resnet50'],
  ['resnet101_small', 'resnet101'],
  ['resnet152_small', 'resnet152'],
  ['wide_resnet50_2_small', 'wide_resnet50_2'],
] as const;

const LOGITS_REF = JSON.parse(readFileSync(path.join(FIX, 'logits.json'), 'utf8')) as Record<string, { logits: number[]; shape: [number, number] }>;

beforeAll(async () => {
  const info = await initBackend('onnx', { log: null, threads: 1 });
  expect(info).toMatchObject({ name: 'onnx', engine: 'onnxruntime', device: 'cpu', threads: 1 });
});

describe('ONNX Runtime equals PyTorch on every tap', () => {
  for (const [name, arch] of ONNX_PARITY_FIXTURES) {
    it(`${name} (${arch}): every tap${LOGITS_REF[name] ? ' and the logits' : ''} within 1e-4`, async () => {
      const ref = readReference(name);
      const model = createModel(arch, await readStateDict(fixturePath(name))) as OnnxFeatureModel;
      expect(model.engine).toBe('onnxruntime');
      const taps = [...model.taps, ...(LOGITS_REF[name] ? [LOGITS] : [])];
      const x = inputTensor(ref);
      const got = await model.features(x, taps);
      expect(Object.keys(got)).toEqual(taps);
      for (const t of model.taps) expectClose(got[t]!, ref.pooled[t]!.data, `${name} ${t}`);
      if (LOGITS_REF[name]) expectClose(got[LOGITS]!, LOGITS_REF[name]!.logits, `${name} logits`);
      expect(model.timings.sessions).toBe(1);
      x.dispose();
      model.dispose();
      await expect(model.features(x, ['final'])).rejects.toThrow(/after dispose/);
    });
  }
});

describe('the ONNX FeatureModel inside the extraction paths', () => {
  it('extractFeatures and a two-worker pool on onnx give the PyTorch rows', async () => {
    const ref = readReference('resnet18_small');
    const model = createModel('resnet18', await readStateDict(fixturePath('resnet18_small')));
    const x = inputTensor(ref);
    // one row per batch: the session is reused across batches (one per tap set and size)
    const rows = tf.split(x, x.shape[0]) as tf.Tensor4D[];
    const feats = await extractFeatures(model, rows, { taps: ['stage2', 'final'] });
    expectClose(feats.final!.data, ref.pooled.final!.data, 'extractFeatures final');
    expectClose(feats.stage2!.data, ref.pooled.stage2!.data, 'extractFeatures stage2');
    expect((model as OnnxFeatureModel).timings.sessions).toBe(1);
    const pool = await createFeaturePool({ workers: 2, arch: 'resnet18', modelPath: fixturePath('resnet18_small') });
    try {
      expect(pool.backend).toBe('onnx');
      const got = await pool.features(x, ['final']);
      expectClose(got.final!, ref.pooled.final!.data, 'pool final');
    } finally {
      await pool.dispose();
    }
    tf.dispose([x, ...rows]);
    model.dispose();
  });

  it('a family without a graph runs on TF.js under onnx and still matches PyTorch', async () => {
    const ref = readReference('resnet18k_small');
    const sd = await readStateDict(fixturePath('resnet18k_small'));
    const notices: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { notices.push(String(chunk)); return true; });
    let model;
    try {
      createModel('resnet18k', sd).dispose();
      model = createModel('resnet18k', sd);
    } finally {
      spy.mockRestore();
    }
    // said once per architecture, not per model
    expect(notices).toEqual(['shapetex: resnet18k is not described as a graph for ONNX Runtime (a TF.js model, or a family not described yet); it runs on TF.js (wasm)\n']);
    expect((model as Partial<OnnxFeatureModel>).engine).toBeUndefined();
    const x = inputTensor(ref);
    expectClose((await model.features(x, ['final'])).final!, ref.pooled.final!.data, 'resnet18k final');
    x.dispose();
    model.dispose();
  });

  it('unknown taps and logits without a classifier are the TF path\'s errors', async () => {
    const sd = await readStateDict(fixturePath('resnet18_small'));
    sd.delete('fc.weight');
    sd.delete('fc.bias');
    const model = createModel('resnet18', sd);
    const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    await expect(model.features(x, ['stage9'])).rejects.toThrow(/unknown tap "stage9"; available taps: stage1/);
    await expect(model.features(x, [LOGITS])).rejects.toThrow(/no logits: the checkpoint has no classifier weights \(fc.weight\)/);
    x.dispose();
    model.dispose();
  });
});
