/**
 * Compute backend selection.
 *
 * Order for `auto`: the native TensorFlow backend when `@tensorflow/tfjs-node-gpu`
 * or `@tensorflow/tfjs-node` is installed and loads; WebGPU when the `webgpu` package finds a
 * hardware adapter; the wasm backend (SIMD); the plain JS cpu backend. The optional packages are
 * only ever imported dynamically, so a machine without them installs and runs as usual.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BackendUnavailableError } from './errors.js';
import { loadNative } from './native.js';
import { loadWebgpu } from './webgpu.js';
import { checkWasmThreads, loadWasm, wasmDevice } from './wasm.js';
import { backendSettings, nextSettings, setBackendSettings, type BackendSettings } from '../kernels/settings.js';
import { CORE_DEFAULTS } from '../defaults.js';

export { BackendUnavailableError };

export type BackendName = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The tfjs backend in use: `tensorflow`, `webgpu`, `wasm` or `cpu`. */
  name: Exclude<BackendName, 'auto'>;
  /** Human-readable device, e.g. `NVIDIA H100 (vulkan)`, `wasm simd, 1 thread`, `cpu (js)`. */
  device: string;
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

const loaders: Record<Exclude<BackendName, 'auto'>, Loader> = {
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
  const { log: _log, ...given } = opts;
  checkWasmThreads(nextSettings(given).wasmThreads);
  const settings = setBackendSettings(given);
  if (current && (want === 'auto' || want === current.name)) {
    if (!sameSettings(current.settings, settings)) {
      current = { ...current, settings, device: current.name === 'wasm' ? await wasmDevice() : current.device };
    }
    return current;
  }
  // Concurrent callers asking for the same thing share one initialisation.
  if (pending && pendingFor === want) return pending;
  pendingFor = want;
  pending = select(want).then((found) => {
    const info = { ...found, settings: backendSettings() };
    current = info;
    const log = opts.log === undefined ? (l: string) => process.stderr.write(l + '\n') : opts.log;
    log?.(`shapetex: backend ${info.name} on ${info.device}${want === 'auto' ? ' (auto)' : ''}`);
    return info;
  });
  try {
    return await pending;
  } finally {
    pending = undefined;
    pendingFor = undefined;
  }
}

export function parseBackendName(name: string): BackendName {
  const n = name.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(n)) return n as BackendName;
  throw new BackendUnavailableError(name, `unknown backend name; expected one of ${BACKEND_NAMES.join(', ')}`);
}

type Found = Omit<BackendInfo, 'settings'>;

async function select(want: BackendName): Promise<Found> {
  if (want !== 'auto') return activate(want);
  const reasons: string[] = [];
  for (const candidate of ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const) {
    try {
      return await activate(candidate);
    } catch (err) {
      reasons.push(`${candidate}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no compute backend could be initialised:\n  ${reasons.join('\n  ')}`);
}

async function activate(name: Exclude<BackendName, 'auto'>): Promise<Found> {
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
  return { name, ...found };
}
