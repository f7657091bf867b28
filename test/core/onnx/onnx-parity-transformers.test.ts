/**
 * The ONNX engine against PyTorch for the transformers and ConvNeXt: the fixtures of
 * test/fixtures/zoo/make_vit.py run by ONNX Runtime (backend `onnx`) — every block tap and
 * `final` with both token choices, at the trained size and at a second size (the position
 * embeddings resampled as timm does, emitted into that size's graph), and the logits — within
 * 1e-4 of PyTorch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, initBackend, LOGITS, type OnnxFeatureModel } from '@shapetex/core';
import { expectClose } from '../zoo/others-parity.js';
import { inputOf, loadVitFixture } from '../zoo/vit-fixtures.js';

const VITS = [
  ['vit_b_16_small', 'vit_b_16'],
  ['vit_b_32_small', 'vit_b_32'],
  ['vit_l_16_small', 'vit_l_16'],
  ['vit_tiny_timm_small', 'vit_tiny_patch16_224'],
  ['deit_tiny_distilled_small', 'deit_tiny_distilled_patch16_224'],
] as const;

beforeAll(async () => {
  const info = await initBackend('onnx', { log: null, threads: 1 });
  expect(info).toMatchObject({ name: 'onnx', engine: 'onnxruntime' });
});

describe('ONNX Runtime equals PyTorch on the transformers', () => {
  for (const [fixture, arch] of VITS) {
    for (const token of ['cls', 'mean'] as const) {
      it(`${arch}: every tap with token ${token}, at both sizes, and the logits, within 1e-4`, async () => {
        const f = await loadVitFixture(fixture);
        const model = createModel(arch, f.sd, { token, ...(f.meta.heads ? { heads: f.meta.heads } : {}) }) as OnnxFeatureModel;
        expect(model.engine).toBe('onnxruntime');
        for (const tag of ['', ...(f.meta.extraSize ? [`${f.meta.extraSize}:`] : [])]) {
          const x = inputOf(f, tag);
          const got = await model.features(x, [...model.taps, LOGITS]);
          for (const t of model.taps) expectClose(got[t]!, f.arrays[`${tag}${t}@${token}`]!.data, `${arch} ${tag}${t} ${token}`);
          expectClose(got[LOGITS]!, f.arrays[`${tag}logits`]!.data, `${arch} ${tag}logits`);
          x.dispose();
        }
        // one session per input size
        expect(model.timings.sessions).toBe(f.meta.extraSize ? 2 : 1);
        model.dispose();
      });
    }
  }
});

describe('ONNX Runtime equals PyTorch on ConvNeXt', () => {
  it('convnext_tiny: every stage, final and the logits within 1e-4', async () => {
    const f = await loadVitFixture('convnext_tiny_small');
    const model = createModel('convnext_tiny', f.sd) as OnnxFeatureModel;
    expect(model.engine).toBe('onnxruntime');
    const x = inputOf(f);
    const got = await model.features(x, [...model.taps, LOGITS]);
    for (const t of model.taps) expectClose(got[t]!, f.arrays[`${t}_pooled`]!.data, `convnext_tiny ${t}`);
    expectClose(got[LOGITS]!, f.arrays.logits!.data, 'convnext_tiny logits');
    x.dispose();
    model.dispose();
  });
});
