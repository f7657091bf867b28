import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, parseBackendName, BackendUnavailableError } from '@shapetex/core';

describe('initBackend', () => {
  it('auto takes ONNX Runtime on the cpu (TF.js wasm underneath) on a machine with onnxruntime-node and no CUDA provider', async () => {
    const lines: string[] = [];
    const info = await initBackend('auto', { log: (l) => lines.push(l) });
    expect(info.name).toBe('onnx');
    expect(info).toMatchObject({ device: 'cpu', engine: 'onnxruntime', tfjsBackend: 'wasm' });
    expect(info.accelerated).toBe(false);
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toEqual([expect.stringContaining('backend onnx on cpu')]);
    // a second call returns the same choice and does not log again
    const again = await initBackend('auto', { log: (l) => lines.push(l) });
    expect(again).toBe(info);
    expect(lines.length).toBe(1);
  });

  it('computes on the chosen backend: a 3x3 convolution equals its hand sum', async () => {
    await initBackend('wasm', { log: null });
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
    const y = tf.conv2d(x, w, 1, 'valid');
    expect(Array.from(await y.data())).toEqual([45]);
    tf.dispose([x, w, y]);
  });

  it('switches to cpu on request', async () => {
    const info = await initBackend('cpu', { log: null });
    expect(info).toMatchObject({ name: 'cpu', accelerated: false });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('an explicit backend that cannot be had says why and what to install', async () => {
    await expect(initBackend('tensorflow', { log: null })).rejects.toThrow(/tfjs-node-gpu.*CUDA/s);
    await expect(initBackend('tensorflow', { log: null })).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(initBackend('webgpu', { log: null })).rejects.toThrow(/webgpu.*(adapter|install)/s);
  });

  it('rejects unknown names', () => {
    expect(() => parseBackendName('cuda')).toThrow(/expected one of auto, tensorflow, webgpu, wasm, cpu/);
  });

  it('SHAPETEX_BACKEND selects the backend in a plain Node process importing by name', () => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "import { initBackend } from '@shapetex/core'; const b = await initBackend(); console.log(b.name);"],
      { cwd: new URL('../../packages/bias', import.meta.url), env: { ...process.env, SHAPETEX_BACKEND: 'cpu' }, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('cpu');
  });
});
