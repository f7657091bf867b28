/**
 * Choosing the `onnx` backend: ONNX Runtime on a device, and the TF.js backend underneath it
 * (wasm, else cpu) that decodes and resizes the images and runs TF.js models. An explicit
 * `onnx` takes the device asked for or fails; `auto` goes down its list of devices (the one
 * asked for, or CUDA where its provider is installed; then the CPU), saying when it falls back.
 */
import { defaultOnnxThreads, loadOnnx, providerInstalled, type OnnxEngine } from './onnx.js';
import type { OnnxDevice } from '../onnx/runtime.js';

export interface OnnxChoice {
  engine: OnnxEngine;
  /** The TF.js backend that was started underneath. */
  tfjsBackend: 'wasm' | 'cpu';
  tfjsDevice: string;
}

export interface OnnxSelectOptions {
  auto: boolean;
  threads?: number;
  device?: OnnxDevice;
  /** Starts a TF.js backend (init.ts activate); rejects when it cannot. */
  startTfjs(name: 'wasm' | 'cpu'): Promise<{ device: string }>;
  /** Where auto's fallback notice goes (stderr by default). */
  notice(line: string): void;
}

async function engineFor(o: OnnxSelectOptions): Promise<OnnxEngine> {
  const threads = o.threads ?? defaultOnnxThreads();
  if (!o.auto) return loadOnnx(o.device ?? 'cpu', threads);
  const devices: OnnxDevice[] = o.device ? [o.device] : providerInstalled('cuda') ? ['cuda'] : [];
  for (const d of devices.filter((x) => x !== 'cpu')) {
    try {
      return await loadOnnx(d, threads);
    } catch (err) {
      o.notice(`shapetex: auto: ${(err as Error).message}; falling back to ONNX Runtime on the cpu`);
    }
  }
  return loadOnnx('cpu', threads);
}

export async function selectOnnx(o: OnnxSelectOptions): Promise<OnnxChoice> {
  const engine = await engineFor(o);
  try {
    return { engine, tfjsBackend: 'wasm', tfjsDevice: (await o.startTfjs('wasm')).device };
  } catch {
    return { engine, tfjsBackend: 'cpu', tfjsDevice: (await o.startTfjs('cpu')).device };
  }
}
