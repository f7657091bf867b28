// examples/train/train.mjs as a user runs it: a real process on a small synthetic set. What the
// demo and the notebook rely on: the same seed gives the same run bit for bit, the error CSV is
// what `bias-score --errors` reads, every checkpoint loads as a feature model with its taps, the
// label noise replaces exactly the share asked for, and a rerun continues instead of redoing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadModel } from '@shapetex/core';
import { readErrorCsv } from '@shapetex/bias';
import { REPO } from './helpers.js';

const TRAIN = path.join(REPO, 'examples/train/train.mjs');
let dir: string;

/** One training run; `backend` null: the default backend, as the demo runs it (SHAPETEX_BACKEND unset). */
function train(out: string, extra: string[] = [], backend: string | null = 'wasm'): { status: number | null; stdout: string; stderr: string } {
  const args = [
    TRAIN, '--synth', path.join(dir, 'set'), '--label-factor', 'shape', '--per-factor', '4', '--out', out,
    '--epochs', '2', '--label-noise', '0.25', '--image-size', '32', '--width', '4', '--batch-size', '16', '--seed', '3',
    ...(backend === null ? [] : ['--backend', backend]), ...extra,
  ];
  const env = { ...process.env };
  delete env.SHAPETEX_BACKEND;
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shapetex-train-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/train/train.mjs', () => {
  it('gives the same checkpoints and errors for the same seed, and another run for another seed', () => {
    const a = path.join(dir, 'a'), b = path.join(dir, 'b'), c = path.join(dir, 'c');
    expect(train(a).status).toBe(0);
    expect(train(b).status).toBe(0);
    expect(train(c, ['--seed', '4']).status).toBe(0);
    const weights = (run: string, e: number): Buffer => readFileSync(path.join(run, `checkpoints/epoch_000${e}/weights.bin`));
    expect(readFileSync(path.join(b, 'errors.csv'), 'utf8')).toBe(readFileSync(path.join(a, 'errors.csv'), 'utf8'));
    expect(weights(b, 2).equals(weights(a, 2))).toBe(true);
    expect(weights(c, 1).equals(weights(a, 1))).toBe(false);
  });

  it('on the default backend (onnx) trains on the TF.js wasm underneath, not on cpu: the --backend wasm run bit for bit', () => {
    const d = path.join(dir, 'default');
    const r = train(d, [], null);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/backend onnx on cpu .*TF\.js wasm/);
    expect(r.stdout + r.stderr).not.toMatch(/training on cpu/);
    const weights = (run: string): Buffer => readFileSync(path.join(run, 'checkpoints/epoch_0002/weights.bin'));
    expect(weights(d).equals(weights(path.join(dir, 'a')))).toBe(true);
  });

  it('writes an error CSV that bias-score reads, and checkpoints that load with their taps', async () => {
    const run = path.join(dir, 'a');
    const curve = await readErrorCsv(path.join(run, 'errors.csv'));
    expect(curve.epochs).toEqual([1, 2]);
    expect(curve.column).toBe('test_error');
    // errors are written as fractions; the reader turns them into percent
    const raw = readFileSync(path.join(run, 'errors.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[2]));
    curve.errors.forEach((e, i) => expect(e).toBeCloseTo(100 * raw[i]!, 6));

    await initBackend('wasm', { log: null });
    const model = await loadModel(path.join(run, 'checkpoints/epoch_0002/model.json'));
    try {
      expect(model.taps).toEqual(expect.arrayContaining(['stage1', 'stage2', 'final']));
      const x = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
      const f = await model.features(x, ['stage1', 'final']);
      x.dispose();
      // width 4: stages of 4, 8 and 16 channels; `final` is the last stage
      expect(f.stage1!.length).toBe(2 * 4);
      expect(f.final!.length).toBe(2 * 16);
    } finally {
      model.dispose();
    }
  });

  it('replaces exactly the share of training labels asked for, each by another class', () => {
    const info = JSON.parse(readFileSync(path.join(dir, 'a', 'train.json'), 'utf8'));
    const { noisy, train: n, changed } = info.labelNoise as { noisy: number; train: number; changed: number };
    expect(n).toBe(48); // 64 images, a quarter held out for testing
    expect(changed).toBe(Math.round(0.25 * n));
    expect(noisy).toBe(0.25);
  });

  it('continues after the last finished epoch, and refuses other options in the same folder', () => {
    const run = path.join(dir, 'a');
    const more = train(run, ['--epochs', '3']);
    expect(more.status).toBe(0);
    expect(more.stdout).toMatch(/resuming after epoch 2/);
    expect(readFileSync(path.join(run, 'errors.csv'), 'utf8').trim().split('\n').map((l) => l.split(',')[0])).toEqual(['epoch', '1', '2', '3']);
    expect(existsSync(path.join(run, 'checkpoints/epoch_0003/model.json'))).toBe(true);
    const again = train(run, ['--epochs', '3']);
    expect(again.stdout).toMatch(/all 3 epochs already trained/);
    const other = train(run, ['--epochs', '3', '--lr', '0.01']);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/other options/);
  });
});
