/**
 * Oracle suite: the logits of a full-size torchvision ResNet-50 (random weights, random BatchNorm
 * statistics) against PyTorch run now (test/fixtures/zoo/oracle_logits.py), ≤ 1e-4 of the
 * largest logit. Needs a python3 with torch and torchvision; without one it fails and says what
 * to install.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, LOGITS, loadModel } from '@shapetex/core';
import { expectClose } from './others-parity.js';
import { findTorchPython } from '../../torch-python.js';

const SCRIPT = path.resolve(__dirname, '../../fixtures/zoo/oracle_logits.py');
const dir = mkdtempSync(path.join(tmpdir(), 'shapetex-logits-oracle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('full-size ResNet-50 logits equal PyTorch (oracle, wasm backend)', () => {
  beforeAll(async () => {
    execFileSync(findTorchPython(), [SCRIPT, dir], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    await initBackend('wasm', { log: null });
  });

  it('resnet50 at 224x224: N×1000 logits within 1e-4 relative, argmax the same', async () => {
    const ref = JSON.parse(readFileSync(path.join(dir, 'resnet50.logits.json'), 'utf8')) as { shape: [number, number]; input: number[]; logits: number[] };
    expect(ref.shape).toEqual([2, 1000]);
    const model = await loadModel(path.join(dir, 'resnet50.pth'));
    expect(model.arch).toBe('resnet50');
    expect(model.hasLogits).toBe(true);
    const x = tf.tensor4d(ref.input, [2, 224, 224, 3]);
    const got = (await model.features(x, [LOGITS]))[LOGITS]!;
    expectClose(got, ref.logits, 'resnet50 logits');
    for (let n = 0; n < 2; n++) {
      const argmax = (a: ArrayLike<number>): number => { let b = 0; for (let k = 1; k < 1000; k++) if (a[n * 1000 + k]! > a[n * 1000 + b]!) b = k; return b; };
      expect(argmax(got)).toBe(argmax(ref.logits));
    }
    x.dispose();
    model.dispose();
  });
});
