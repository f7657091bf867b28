import { createRequire } from 'node:module';
import path from 'node:path';
import { BackendUnavailableError } from './errors.js';
import { convKernelsInUse, loadConvKernels } from '../kernels/module.js';

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
  const threads = Number(process.env.SHAPETEX_WASM_THREADS ?? 0);
  if (threads > 0) wasm.setThreadsCount(threads);
  // shapetex's own convolution kernels (kernels/: Winograd for 3×3 stride 1, im2col + GEMM for
  // the others); without them tfjs's own run
  await loadConvKernels();
  return { device: `wasm (${['simd', ...convKernelsInUse()].join(', ')})`, accelerated: false };
}
