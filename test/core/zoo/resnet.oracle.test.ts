/**
 * Oracle suite: full-size torchvision resnet18 and resnet50 against PyTorch run now, on this
 * machine (`npm run test:oracle`). Needs a python3 with torch and torchvision; without one the
 * suite fails and says what to install.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, loadModel, readStateDict, resnetSpecs } from '@shapetex/core';
import { expectClose } from './others-parity.js';
import { findTorchPython } from '../../torch-python.js';

const SCRIPT = path.resolve(__dirname, '../../fixtures/zoo/oracle_resnet.py');
const TAPS = ['stage1', 'stage2', 'stage3', 'stage4', 'final'];

interface Ref { input: tf.Tensor4D; maps: Record<string, { shape: number[]; data: Float32Array }>; pooled: Record<string, Float32Array> }

function readRef(dir: string, arch: string): Ref {
  const meta = JSON.parse(readFileSync(path.join(dir, `${arch}.ref.json`), 'utf8'));
  const buf = readFileSync(path.join(dir, `${arch}.ref.bin`));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const arr = (k: string) => {
    const { shape, offset } = meta.arrays[k] as { shape: number[]; offset: number };
    return { shape, data: all.subarray(offset, offset + shape.reduce((a, b) => a * b, 1)) };
  };
  const inp = arr('input');
  return {
    input: tf.tensor4d(inp.data, inp.shape as [number, number, number, number]),
    maps: Object.fromEntries(TAPS.map((t) => [t, arr(t)])),
    pooled: Object.fromEntries(TAPS.map((t) => [t, arr(`${t}_pooled`).data])),
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'shapetex-oracle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  const py = findTorchPython();
  execFileSync(py, [SCRIPT, dir], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
});

describe('full-size ResNets equal PyTorch (oracle, wasm backend)', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: null });
  });

  for (const arch of ['resnet18', 'resnet50']) {
    it(`${arch} at 224x224: loadModel detects it; every tap map and pooled vector within 1e-4 of PyTorch`, async () => {
      const file = path.join(dir, `${arch}.pth`);
      const ref = readRef(dir, arch);
      const model = await loadModel(file);
      expect(model.arch).toBe(arch);
      expect(model.numClasses).toBe(1000);
      const feats = await model.features(ref.input, TAPS);
      for (const t of TAPS) expectClose(feats[t]!, ref.pooled[t]!, `${arch} ${t} pooled`);
      model.dispose();

      const net = resnetSpecs.find((s) => s.name === arch)!.build(await readStateDict(file));
      const before = tf.memory().numTensors;
      const maps = tf.tidy(() => {
        const out = net.forward(ref.input, TAPS);
        return TAPS.map((t) => ({ shape: out[t]!.shape, data: out[t]!.dataSync() as Float32Array }));
      });
      TAPS.forEach((t, i) => {
        expect(maps[i]!.shape).toEqual(ref.maps[t]!.shape);
        expectClose(maps[i]!.data, ref.maps[t]!.data, `${arch} ${t} map`);
      });
      expect(tf.memory().numTensors).toBe(before);
      net.dispose();
      ref.input.dispose();
    });
  }
});

// The same full-size networks on ONNX Runtime: the graph emitted from the checkpoint, every tap
// reduced on the engine.
describe('full-size ResNets equal PyTorch (oracle, onnx backend)', () => {
  beforeAll(async () => {
    await initBackend('onnx', { log: null, threads: 2 });
  });

  for (const arch of ['resnet18', 'resnet50']) {
    it(`${arch} at 224x224 on ONNX Runtime: every pooled tap within 1e-4 of PyTorch`, async () => {
      const ref = readRef(dir, arch);
      const model = await loadModel(path.join(dir, `${arch}.pth`));
      expect((model as { engine?: string }).engine).toBe('onnxruntime');
      const feats = await model.features(ref.input, TAPS);
      for (const t of TAPS) expectClose(feats[t]!, ref.pooled[t]!, `${arch} ${t} pooled (onnx)`);
      model.dispose();
      ref.input.dispose();
    });
  }
});
