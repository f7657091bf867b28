import { createRequire } from 'node:module';
import path from 'node:path';
import { BackendUnavailableError } from './errors.js';
import { convKernelsInUse, loadConvKernels } from '../kernels/module.js';
import { backendSettings } from '../kernels/settings.js';
import { UsageError } from '../util/usage-error.js';

/** The threads setting the wasm backend was started with (tfjs takes it only before it starts). */
let startedThreads: number | undefined;

/**
 * The embedded default: tfjs's WebAssembly backend (XNNPACK kernels, SIMD). Its `.wasm` files
 * ship inside the npm package, so it works on every machine Node runs on.
 */
export async function loadWasm(): Promise<{ device: string; accelerated: boolean }> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    throw new BackendUnavailableError('wasm', `'@tensorflow/tfjs-backend-wasm' does not load: ${(err as Error).message}`);
  }
  // Node has no page to resolve the .wasm files against: point at the package's dist folder.
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/';
  wasm.setWasmPaths(dist);
  const threads = backendSettings().wasmThreads;
  if (startedThreads === undefined) {
    startedThreads = threads;
    if (threads > 0) wasm.setThreadsCount(threads);
  }
  return { device: await wasmDevice(), accelerated: false };
}

/**
 * The wasm device string for the settings in force, e.g. `wasm (simd, fma, winograd 3×3,
 * im2col)`; loads shapetex's own convolution kernels (kernels/: Winograd for 3×3 stride 1,
 * im2col + GEMM for the others) where they are newly wanted. Without them tfjs's own run.
 */
export async function wasmDevice(): Promise<string> {
  await loadConvKernels();
  return `wasm (${['simd', ...convKernelsInUse()].join(', ')})`;
}

/** Refuses a threads setting other than the one the wasm backend already runs with. */
export function checkWasmThreads(threads: number): void {
  if (startedThreads !== undefined && threads !== startedThreads) {
    throw new UsageError(`backend option wasmThreads: the wasm backend already runs with wasmThreads ${startedThreads}; it is taken only before the backend starts (got ${threads})`);
  }
}
