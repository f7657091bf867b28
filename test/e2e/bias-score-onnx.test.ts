/**
 * bias-score on the onnx backend: run.json records the engine, its version, the device and the
 * threads; the rows equal those of the wasm backend (the same network through TF.js, itself
 * checked against PyTorch); a device that is not installed is a typed error saying what to
 * install (exit 1 before any checkpoint), and bad engine options are usage errors (exit 2).
 */
import { cp, mkdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResultRecord } from '@shapetex/bias';
import { bias, makeWorld, readLines, REPO, type World } from './helpers.js';

let w: World;
let ckpts: string;
const common = () => ['--probe', w.probe, '--image-size', '32', '--norm', 'cifar', '--taps', 'stage2,final', '--method', 'pooled'];

beforeAll(async () => {
  w = await makeWorld();
  ckpts = path.join(w.dir, 'resnet18');
  await mkdir(ckpts, { recursive: true });
  await cp(path.join(REPO, 'test/fixtures/zoo/resnet18_small.pth'), path.join(ckpts, 'resnet18_epoch0001.pth'));
});

describe('bias-score --backend onnx', () => {
  it('records engine, version, device and threads in run.json and gives the wasm backend\'s rows', async () => {
    const onnxOut = path.join(w.dir, 'onnx-out');
    const run = await bias([ckpts, ...common(), '--backend', 'onnx', '--threads', '2', '--out', onnxOut]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/backend onnx on cpu \(onnxruntime 1\.\d+\.\d+, 2 threads; TF\.js wasm for images\)/);
    const info = JSON.parse(await readFile(path.join(onnxOut, 'run.json'), 'utf8'));
    expect(info.backend).toMatchObject({ name: 'onnx', engine: 'onnxruntime', engineVersion: expect.stringMatching(/^1\.\d+\.\d+$/), device: 'cpu', threads: 2, accelerated: false });
    expect(info.options).toMatchObject({ backend: 'onnx', threads: 2, device: null });

    const wasmOut = path.join(w.dir, 'wasm-out');
    const ref = await bias([ckpts, ...common(), '--backend', 'wasm', '--out', wasmOut]);
    expect(ref.status, ref.stderr).toBe(0);
    const a = (await readLines(path.join(onnxOut, 'results.jsonl'))) as ResultRecord[];
    const b = (await readLines(path.join(wasmOut, 'results.jsonl'))) as ResultRecord[];
    expect(a.map((r) => `${r.tap}/${r.method}`)).toEqual(b.map((r) => `${r.tap}/${r.method}`));
    a.forEach((r, i) => {
      expect(r.D).toBe(b[i]!.D);
      expect(r.dims).toEqual(b[i]!.dims);
      r.scores.forEach((s, k) => expect(Math.abs(s - b[i]!.scores[k]!), `${r.tap} score ${k}: ${s} vs ${b[i]!.scores[k]}`).toBeLessThan(1e-4));
    });
  });

  it('without --threads one session takes every core this process may use (SHAPETEX_THREADS unset)', async () => {
    const out = path.join(w.dir, 'default-threads');
    const run = await bias([ckpts, ...common(), '--backend', 'onnx', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const info = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'));
    expect(info.backend).toMatchObject({ name: 'onnx', threads: availableParallelism() });
    expect(run.stderr).toContain(`${availableParallelism()} thread`);
  });

  it('a device that is not installed says what to install; bad engine options exit 2 naming the option', async () => {
    const r = await bias([ckpts, ...common(), '--backend', 'onnx', '--device', 'cuda', '--out', path.join(w.dir, 'cuda-out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/backend 'onnx' is not available: device cuda: the CUDA execution provider is not installed; install it with `npm install onnxruntime-node --onnxruntime-node-install=cuda12`/);
    const cases: [string[], RegExp][] = [
      [['--device', 'tpu'], /--device must be one of cpu, cuda, tensorrt, webgpu, got "tpu"/],
      [['--threads', '0'], /--threads must be an integer ≥ 1/],
      [['--backend', 'wasm', '--device', 'cuda'], /backend option device: cuda is a device of the onnx backend \(or auto\), not of wasm/],
    ];
    for (const [args, message] of cases) {
      const u = await bias([ckpts, ...common(), ...args, '--out', path.join(w.dir, 'usage')]);
      expect(u.status, args.join(' ')).toBe(2);
      expect(u.stderr).toMatch(message);
    }
  });
});
