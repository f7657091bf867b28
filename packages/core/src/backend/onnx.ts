/**
 * The `onnx` backend: ONNX Runtime (onnxruntime-node) runs the zoo's networks, on the execution
 * provider of `device`. A device is only taken once a one-node session has run on it, so a
 * missing provider is found here, at start, not by the first checkpoint. The providers that
 * onnxruntime-node does not bundle (CUDA, TensorRT) are separate downloads of its install
 * script; the error says how to get them.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { encodeModel, node, valueInfo } from '../onnx/proto.js';
import { BackendUnavailableError } from './errors.js';
import { hasLinuxGpuNode } from './webgpu.js';
import { createOnnxSession, loadOnnxRuntime, ONNX_DEVICES, type OnnxDevice } from '../onnx/runtime.js';
import { UsageError } from '../util/usage-error.js';


/** How to add the CUDA 12 provider to onnxruntime-node (docs/gpu.md). */
export const CUDA_INSTALL_HINT =
  'install it with `npm install onnxruntime-node --onnxruntime-node-install=cuda12` ' +
  '(or set ONNXRUNTIME_NODE_INSTALL=cuda12 and reinstall onnxruntime-node); it needs CUDA 12 and cuDNN 9 on the machine';

export interface OnnxEngine {
  device: OnnxDevice;
  threads: number;
  version: string;
}

let defaultThreads: number | undefined;

/**
 * ONNX Runtime's intra-op threads when none are asked for: `SHAPETEX_THREADS` (a whole number ≥
 * 1), else every core this process may use (its CPU affinity, so a Slurm task's share). One
 * session with N threads beat N single-thread sessions in worker threads on 2 cores, for
 * bias-score and for svoc build (bench/e2e.mjs, bench/build-engine.mjs); worker threads get one
 * thread each unless asked (core's feature pool, svoc's build lanes). Read once, like the
 * kernel settings: changing the environment later changes nothing.
 */
export function defaultOnnxThreads(): number {
  if (defaultThreads !== undefined) return defaultThreads;
  const raw = process.env.SHAPETEX_THREADS;
  if (raw !== undefined && raw !== '') {
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) throw new UsageError(`SHAPETEX_THREADS: ${JSON.stringify(raw)} is not allowed; expected a whole number ≥ 1`);
    defaultThreads = Number(raw);
  } else {
    defaultThreads = availableParallelism();
  }
  return defaultThreads;
}

/** `threads` and `device` as initBackend takes them: checked, named in the error. */
export function checkOnnxOptions(o: { threads?: unknown; device?: unknown }): { threads?: number; device?: OnnxDevice } {
  if (o.threads !== undefined && !(typeof o.threads === 'number' && Number.isInteger(o.threads) && o.threads >= 1)) {
    throw new UsageError(`backend option threads: ${JSON.stringify(o.threads)} is not allowed; expected a whole number ≥ 1`);
  }
  if (o.device !== undefined && !(ONNX_DEVICES as readonly unknown[]).includes(o.device)) {
    throw new UsageError(`backend option device: ${JSON.stringify(o.device)} is not allowed; expected one of ${ONNX_DEVICES.join(', ')}`);
  }
  return { ...(o.threads !== undefined ? { threads: o.threads as number } : {}), ...(o.device !== undefined ? { device: o.device as OnnxDevice } : {}) };
}

/** The folder of onnxruntime-node's native binding, where its install script puts the providers. */
function bindingFolder(): string {
  const require = createRequire(import.meta.url);
  const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
}

/** Whether the shared library of a non-bundled provider (cuda, tensorrt) is installed. */
export function providerInstalled(device: 'cuda' | 'tensorrt'): boolean {
  const lib = process.platform === 'win32' ? `onnxruntime_providers_${device}.dll` : `libonnxruntime_providers_${device}.so`;
  try {
    return existsSync(path.join(bindingFolder(), lib));
  } catch {
    return false;
  }
}

/** A one-Relu model, run once on the device to prove its provider works. */
function probeModel(): Uint8Array {
  return encodeModel({ name: 'probe', nodes: [node('Relu', ['x'], ['y'])], initializers: [], inputs: [valueInfo('x', [1])], outputs: [valueInfo('y', [1])] });
}

/** Why `device` cannot be used before trying it (no library, no GPU), or null. */
function missingDevice(device: OnnxDevice, listed: readonly { name: string; bundled: boolean }[]): string | null {
  if (device === 'cpu') return null;
  const entry = listed.find((b) => b.name === device);
  if (!entry) return `this onnxruntime-node build has no ${device} execution provider on ${process.platform}/${process.arch}`;
  if (device === 'webgpu') {
    return process.platform === 'linux' && !hasLinuxGpuNode() ? 'no GPU device on this machine (no /dev/dri/renderD*, /dev/nvidia* or /dev/dxg), so no WebGPU adapter' : null;
  }
  if (!entry.bundled && !providerInstalled(device)) {
    return device === 'cuda'
      ? `the CUDA execution provider is not installed; ${CUDA_INSTALL_HINT}`
      : 'the TensorRT execution provider is not installed; install it with `npm install onnxruntime-node --onnxruntime-node-install=cuda12` (it brings the CUDA and TensorRT providers; TensorRT 10 itself must be on the machine)';
  }
  return null;
}

/** ONNX Runtime on `device` with `threads` intra-op threads, or a BackendUnavailableError saying what to install. */
export async function loadOnnx(device: OnnxDevice, threads: number): Promise<OnnxEngine> {
  let ort: Awaited<ReturnType<typeof loadOnnxRuntime>>;
  try {
    ort = await loadOnnxRuntime();
  } catch (err) {
    throw new BackendUnavailableError('onnx', `'onnxruntime-node' does not load (${(err as Error).message.split('\n')[0]}); install it with \`npm install onnxruntime-node\``);
  }
  const listed = (ort as unknown as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends?.() ?? [];
  const missing = missingDevice(device, listed);
  if (missing) throw new BackendUnavailableError('onnx', `device ${device}: ${missing}`);
  try {
    const s = await createOnnxSession(probeModel(), { device, threads: 1, strictDevice: true }, `the ${device} probe`);
    await s.run({ x: { data: Float32Array.of(1), dims: [1] } }, ['y']);
    await s.release();
  } catch (err) {
    const hint = device === 'cuda' ? `; ${CUDA_INSTALL_HINT}` : '';
    throw new BackendUnavailableError('onnx', `device ${device}: ONNX Runtime cannot run on it (${(err as Error).message.split('\n')[0]})${hint}`);
  }
  return { device, threads, version: ort.env.versions?.common ?? 'unknown' };
}
