/**
 * Oracle suite: full-size random-weight ViT-B/16 (torchvision), DeiT-S (timm key names and
 * arithmetic, from make_vit.py's TimmViT) and ConvNeXt-T (torchvision) against PyTorch run now,
 * at 224 px, on every tap and both token choices, and the classifier output `logits`. Needs python3 with torch and torchvision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ARCHITECTURES, createModel, initBackend, LOGITS, loadModel } from '@shapetex/core';
import { expectClose, gap } from './others-parity.js';
import { findTorchPython } from '../../torch-python.js';
import { expectVitTaps, inputOf, loadVitFixture } from './vit-fixtures.js';

const SCRIPT = path.resolve(__dirname, '../../fixtures/zoo/make_vit.py');
const dir = mkdtempSync(path.join(tmpdir(), 'shapetex-vit-oracle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  execFileSync(findTorchPython(), [SCRIPT, '--oracle', dir], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
});

describe('full-size ViT-B/16, DeiT-S and ConvNeXt-T equal PyTorch (oracle, wasm backend)', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: null });
  });

  for (const arch of ['vit_b_16', 'deit_small_patch16_224']) {
    it(`${arch} at 224x224: every block tap and final within 1e-4 of PyTorch, class token and patch mean`, async () => {
      const f = await loadVitFixture(arch, dir);
      const spec = ARCHITECTURES.find((s) => s.name === arch)!;
      for (const token of ['cls', 'mean'] as const) {
        const net = spec.build(f.sd, { token });
        expect(net.taps).toHaveLength(13);
        expect(net.defaultImageSize).toBe(224);
        expect(net.numClasses).toBe(1000);
        expectVitTaps(net, f, token);
        const x = inputOf(f);
        const logits = tf.tidy(() => net.forward(x, ['logits']).logits!.dataSync());
        expectClose(logits, f.arrays.logits!.data, `${arch} logits (${token})`);
        x.dispose();
        net.dispose();
      }
      // detection by loadModel: DeiT-S is the same network as vit_small_patch16_224, so it is named that
      const model = await loadModel(path.join(dir, `${arch}.pth`));
      expect(model.arch).toBe(arch === 'vit_b_16' ? 'vit_b_16' : 'vit_small_patch16_224');
      const x = inputOf(f);
      const feats = await model.features(x, ['final']);
      expectClose(feats.final!, f.arrays['final@cls']!.data, `${arch} loadModel final`);
      x.dispose();
      model.dispose();
    });
  }

  it('convnext_tiny at 224x224: loadModel detects it; stage1..stage4 and final within 1e-4 of PyTorch', async () => {
    const f = await loadVitFixture('convnext_tiny', dir);
    const taps = ['stage1', 'stage2', 'stage3', 'stage4', 'final'];
    const model = await loadModel(path.join(dir, 'convnext_tiny.pth'));
    expect(model.arch).toBe('convnext_tiny');
    expect(model.numClasses).toBe(1000);
    const x = inputOf(f);
    const feats = await model.features(x, taps);
    for (const t of taps) expectClose(feats[t]!, f.arrays[`${t}_pooled`]!.data, `convnext_tiny ${t} pooled`);
    const maps = tf.tidy(() => {
      const out = model.network!.forward(x, taps);
      return taps.map((t) => ({ shape: out[t]!.shape, data: out[t]!.dataSync() as Float32Array }));
    });
    const logits = tf.tidy(() => model.network!.forward(x, ['logits']).logits!.dataSync());
    expectClose(logits, f.arrays.logits!.data, 'convnext_tiny logits');
    taps.forEach((t, i) => {
      expect(maps[i]!.shape).toEqual(f.arrays[t]!.shape);
      expectClose(maps[i]!.data, f.arrays[t]!.data, `convnext_tiny ${t} map`);
      expectClose(gap(maps[i]!.data, maps[i]!.shape), f.arrays[`${t}_pooled`]!.data, `convnext_tiny ${t} map pooled`);
    });
    x.dispose();
    model.dispose();
  });
});

// The same full-size networks on ONNX Runtime: graphs emitted from the checkpoints, taps reduced
// on the engine, both token choices, the logits.
describe('full-size ViT-B/16, DeiT-S and ConvNeXt-T equal PyTorch (oracle, onnx backend)', () => {
  beforeAll(async () => {
    await initBackend('onnx', { log: null, threads: 2 });
  });

  for (const arch of ['vit_b_16', 'deit_small_patch16_224']) {
    it(`${arch} at 224x224 on ONNX Runtime: every block tap, final and the logits within 1e-4 of PyTorch`, async () => {
      const f = await loadVitFixture(arch, dir);
      for (const token of ['cls', 'mean'] as const) {
        const model = createModel(arch, f.sd, { token });
        expect((model as { engine?: string }).engine).toBe('onnxruntime');
        const x = inputOf(f);
        const got = await model.features(x, [...model.taps, LOGITS]);
        for (const t of model.taps) expectClose(got[t]!, f.arrays[`${t}@${token}`]!.data, `${arch} ${t} ${token} (onnx)`);
        expectClose(got[LOGITS]!, f.arrays.logits!.data, `${arch} logits ${token} (onnx)`);
        x.dispose();
        model.dispose();
      }
    });
  }

  it('convnext_tiny at 224x224 on ONNX Runtime: stage1..stage4, final and the logits within 1e-4 of PyTorch', async () => {
    const f = await loadVitFixture('convnext_tiny', dir);
    const model = await loadModel(path.join(dir, 'convnext_tiny.pth'));
    expect((model as { engine?: string }).engine).toBe('onnxruntime');
    const x = inputOf(f);
    const taps = ['stage1', 'stage2', 'stage3', 'stage4', 'final'];
    const got = await model.features(x, [...taps, LOGITS]);
    for (const t of taps) expectClose(got[t]!, f.arrays[`${t}_pooled`]!.data, `convnext_tiny ${t} (onnx)`);
    expectClose(got[LOGITS]!, f.arrays.logits!.data, 'convnext_tiny logits (onnx)');
    x.dispose();
    model.dispose();
  });
});
