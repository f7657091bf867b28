/**
 * Compute backend selection.
 *
 * Order for `auto`: ONNX Runtime (`onnx`) when onnxruntime-node loads (on CUDA when its provider
 * is installed, else the CPU); the native TensorFlow backend when `@tensorflow/tfjs-node-gpu`
 * or `@tensorflow/tfjs-node` is installed and loads; WebGPU when the `webgpu` package finds a
 * hardware adapter; the wasm backend (SIMD); the plain JS cpu backend. The optional packages are
 * only ever imported dynamically, so a machine without them installs and runs as usual. With
 * `onnx`, TF.js still runs underneath (wasm, else cpu) for the image tensors and TF.js models.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BackendUnavailableError } from './errors.js';
import { loadNative } from './native.js';
import { loadWebgpu } from './webgpu.js';
import { checkWasmThreads, loadWasm, wasmDevice } from './wasm.js';
import { backendSettings, nextSettings, setBackendSettings, type BackendSettings } from '../kernels/settings.js';
import { CORE_DEFAULTS } from '../defaults.js';
import { UsageError } from '../util/usage-error.js';
import type { OnnxDevice } from '../onnx/runtime.js';
import { selectOnnx, type OnnxChoice } from './onnx-select.js';
import { checkOnnxOptions } from './onnx.js';

export { BackendUnavailableError };

export type BackendName = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu' | 'onnx';
export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu', 'onnx'];

/** The TF.js backends (everything but `onnx`). */
export type TfjsBackendName = Exclude<BackendName, 'auto' | 'onnx'>;

export interface BackendInfo {
  /** The backend in use: `onnx` (ONNX Runtime), or the tfjs backend `tensorflow`, `webgpu`, `wasm` or `cpu`. */
  name: Exclude<BackendName, 'auto'>;
  /**
   * The device: with `onnx` the execution provider (`cpu`, `cuda`, `tensorrt`, `webgpu`);
   * otherwise in words, e.g. `NVIDIA H100 (vulkan)`, `wasm (simd, …)`, `cpu (js)`.
   */
  device: string;
  /** What runs the networks: `onnxruntime` (backend `onnx`) or `tfjs`. */
  engine: 'onnxruntime' | 'tfjs';
  /** That engine's version (onnxruntime-node's, or tfjs-core's). */
  engineVersion: string;
  /** ONNX Runtime's intra-op threads per session (backend `onnx` only). */
  threads?: number;
  /** With `onnx`: the tfjs backend underneath, for the image tensors and TF.js models. */
  tfjsBackend?: TfjsBackendName;
  /** True when the work runs on a GPU. */
  accelerated: boolean;
  /**
   * The backend and kernel settings in force (options given, else their environment variables,
   * else the defaults); they matter on the wasm backend, whose device string lists the kernels on.
   */
  settings: Readonly<BackendSettings>;
}

type Loader = () => Promise<{ device: string; accelerated: boolean }>;
const sameSettings = (a: BackendSettings, b: BackendSettings): boolean => JSON.stringify(a) === JSON.stringify(b);

const loaders: Record<TfjsBackendName, Loader> = {
  tensorflow: loadNative,
  webgpu: loadWebgpu,
  wasm: loadWasm,
  cpu: async () => ({ device: 'cpu (js)', accelerated: false }),
};

let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;
let pendingFor: BackendName | undefined;

/** The backend chosen by the last successful `initBackend`, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/**
 * The backend and kernel settings (settings.ts, BackendSettings), each falling back to its
 * environment variable, read once, when not given; and where the choice message goes.
 */
export interface InitBackendOptions extends Partial<BackendSettings> {
  /** Where the one-line choice message goes; default stderr. Pass `null` to stay silent. */
  log?: ((line: string) => void) | null;
  /** Backend `onnx`: ONNX Runtime's intra-op threads per session; default `defaultOnnxThreads()` (every core this process may use, or SHAPETEX_THREADS). */
  threads?: number;
  /**
   * Backend `onnx`: the execution provider; default `cpu` (under `auto`: `cuda` when its provider
   * is installed). A device that cannot be had is a BackendUnavailableError saying what to
   * install; only `auto` falls back, saying so on stderr.
   */
  device?: OnnxDevice;
}

/**
 * Select and initialise the compute backend. `name` defaults to the `SHAPETEX_BACKEND`
 * environment variable, then `auto`. The settings in `opts` are put in force before the backend
 * starts; one not given keeps its value (on the first call: its environment variable, else its
 * default), so changing the environment later changes nothing. Calling again with the same name
 * returns the same choice, with the settings given applied; the choice is logged once.
 */
export async function initBackend(name?: BackendName | string, opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const want = parseBackendName(name ?? process.env.SHAPETEX_BACKEND ?? CORE_DEFAULTS.backend);
  const { log: _log, threads: _t, device: _d, ...given } = opts;
  const engine = checkOnnxOptions(opts);
  if (engine.device !== undefined && want !== 'onnx' && want !== 'auto') {
    throw new UsageError(`backend option device: ${engine.device} is a device of the onnx backend (or auto), not of ${want}`);
  }
  if (engine.threads !== undefined && want !== 'onnx' && want !== 'auto') {
    throw new UsageError(`backend option threads: ONNX Runtime's threads are an option of the onnx backend (or auto), not of ${want}; TF.js on wasm takes worker threads (--workers) or wasmThreads`);
  }
  checkWasmThreads(nextSettings(given).wasmThreads);
  const settings = setBackendSettings(given);
  const log = opts.log === undefined ? (l: string) => process.stderr.write(l + '\n') : opts.log;
  if (current && keeps(current, want, engine.device)) {
    if (!sameSettings(current.settings, settings)) {
      current = { ...current, settings, device: current.name === 'wasm' ? await wasmDevice() : current.device };
    }
    if (current.name === 'onnx' && engine.threads !== undefined && engine.threads !== current.threads) current = { ...current, threads: engine.threads };
    return current;
  }
  // Concurrent callers asking for the same thing share one initialisation.
  if (pending && pendingFor === want) return pending;
  pendingFor = want;
  pending = select(want, engine, log).then((found) => {
    const info = { ...found, settings: backendSettings() };
    current = info;
    log?.(`shapetex: backend ${info.name} on ${describe(info)}${want === 'auto' ? ' (auto)' : ''}`);
    return info;
  });
  try {
    return await pending;
  } finally {
    pending = undefined;
    pendingFor = undefined;
  }
}

/**
 * Whether the backend in force answers a call for `want`: the same name, or `auto` (which keeps
 * any choice, unless a device is asked for that the choice does not run on).
 */
function keeps(cur: BackendInfo, want: BackendName, device: OnnxDevice | undefined): boolean {
  if (want !== 'auto' && want !== cur.name) return false;
  if (device === undefined) return true;
  return cur.name === 'onnx' && cur.device === device;
}

/** The device in the start-up line; for onnx with the engine, its threads and the TF.js backend underneath. */
function describe(info: BackendInfo): string {
  if (info.name !== 'onnx') return info.device;
  const t = info.threads ?? 1;
  return `${info.device} (onnxruntime ${info.engineVersion}, ${t} thread${t === 1 ? '' : 's'}; TF.js ${info.tfjsBackend} for images)`;
}

export function parseBackendName(name: string): BackendName {
  const n = name.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(n)) return n as BackendName;
  throw new BackendUnavailableError(name, `unknown backend name; expected one of ${BACKEND_NAMES.join(', ')}`);
}

type Found = Omit<BackendInfo, 'settings'>;

type EngineOptions = { threads?: number; device?: OnnxDevice };

async function startOnnx(auto: boolean, engine: EngineOptions, log: ((line: string) => void) | null): Promise<Found> {
  const c: OnnxChoice = await selectOnnx({
    auto, ...engine,
    startTfjs: (n) => activate(n),
    notice: (line) => (log ?? ((l: string) => process.stderr.write(l + '\n')))(line),
  });
  return {
    name: 'onnx', device: c.engine.device, accelerated: c.engine.device !== 'cpu',
    engine: 'onnxruntime', engineVersion: c.engine.version, threads: c.engine.threads, tfjsBackend: c.tfjsBackend,
  };
}

async function select(want: BackendName, engine: EngineOptions, log: ((line: string) => void) | null): Promise<Found> {
  if (want === 'onnx') return startOnnx(false, engine, log);
  if (want !== 'auto') return activate(want);
  const reasons: string[] = [];
  for (const candidate of ['onnx', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const) {
    try {
      return await (candidate === 'onnx' ? startOnnx(true, engine, log) : activate(candidate));
    } catch (err) {
      reasons.push(`${candidate}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no compute backend could be initialised:\n  ${reasons.join('\n  ')}`);
}

async function activate(name: TfjsBackendName): Promise<Found> {
  let found;
  try {
    found = await loaders[name]();
  } catch (err) {
    if (err instanceof BackendUnavailableError) throw err;
    throw new BackendUnavailableError(name, (err as Error).message);
  }
  // Production mode: no per-op debug checks, and no console banner suggesting tfjs-node.
  tf.env().set('PROD', true);
  const ok = await tf.setBackend(name);
  if (!ok) throw new BackendUnavailableError(name, 'tfjs could not initialise it');
  await tf.ready();
  return { name, ...found, engine: 'tfjs', engineVersion: tf.version_core };
}
