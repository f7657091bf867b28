/**
 * initBackend('onnx'): what BackendInfo says, the typed error for a device whose provider is not
 * installed (checked against onnxruntime-node's own list of what it bundles), the option checks,
 * and auto's fallback to the CPU saying so.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, initBackend, loadOnnxRuntime, UsageError } from '@shapetex/core';
import { providerInstalled } from '../../../packages/core/dist/backend/onnx.js';

// onnxruntime-node is core's dependency, not the tests': through core's loader
const ort = await loadOnnxRuntime();

describe("initBackend('onnx')", () => {
  it('records the engine, its version, the device and the threads; TF.js wasm runs underneath', async () => {
    const lines: string[] = [];
    const info = await initBackend('onnx', { threads: 3, log: (l) => lines.push(l) });
    expect(info).toMatchObject({ name: 'onnx', engine: 'onnxruntime', engineVersion: ort.env.versions.common, device: 'cpu', threads: 3, tfjsBackend: 'wasm', accelerated: false });
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toEqual([`shapetex: backend onnx on cpu (onnxruntime ${ort.env.versions.common}, 3 threads; TF.js wasm for images)`]);
    // the same name again with other threads: the same backend, the new threads for sessions opened later
    expect(await initBackend('onnx', { threads: 1, log: null })).toMatchObject({ name: 'onnx', threads: 1 });
  });

  it('a device whose provider is not installed is a BackendUnavailableError saying what to install', async () => {
    const listed = ort.listSupportedBackends();
    expect(listed.find((b) => b.name === 'cuda')).toMatchObject({ bundled: false });
    // this machine has no CUDA provider library: the case the error is for
    expect(providerInstalled('cuda')).toBe(false);
    const err = await initBackend('onnx', { device: 'cuda', log: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/^backend 'onnx' is not available: device cuda: the CUDA execution provider is not installed; install it with `npm install onnxruntime-node --onnxruntime-node-install=cuda12` \(or set ONNXRUNTIME_NODE_INSTALL=cuda12/);
    await expect(initBackend('onnx', { device: 'tensorrt', log: null })).rejects.toThrow(/device tensorrt: the TensorRT execution provider is not installed/);
    await expect(initBackend('onnx', { device: 'webgpu', log: null })).rejects.toThrow(/device webgpu: .*(no GPU device|adapter)/);
  });

  it('auto falls back to the cpu when the device asked for is missing, saying so', async () => {
    const lines: string[] = [];
    await initBackend('wasm', { log: null }); // leave onnx so auto chooses again
    const info = await initBackend('auto', { device: 'cuda', log: (l) => lines.push(l) });
    expect(info).toMatchObject({ name: 'onnx', device: 'cpu' });
    expect(lines[0]).toMatch(/^shapetex: auto: backend 'onnx' is not available: device cuda: the CUDA execution provider is not installed.*; falling back to ONNX Runtime on the cpu$/);
    expect(lines[1]).toMatch(/backend onnx on cpu .*\(auto\)$/);
  });

  it('threads and device are checked, naming the option', async () => {
    await expect(initBackend('onnx', { threads: 0, log: null })).rejects.toThrow(UsageError);
    await expect(initBackend('onnx', { threads: 1.5, log: null })).rejects.toThrow(/backend option threads: 1.5 is not allowed; expected a whole number ≥ 1/);
    await expect(initBackend('onnx', { device: 'tpu' as 'cpu', log: null })).rejects.toThrow(/backend option device: "tpu" is not allowed; expected one of cpu, cuda, tensorrt, webgpu/);
    await expect(initBackend('cpu', { device: 'cuda', log: null })).rejects.toThrow(/device: cuda is a device of the onnx backend \(or auto\), not of cpu/);
    await expect(initBackend('wasm', { threads: 2, log: null })).rejects.toThrow(/backend option threads: ONNX Runtime's threads are an option of the onnx backend \(or auto\), not of wasm/);
  });
});
