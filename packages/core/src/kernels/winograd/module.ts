/**
 * The Winograd kernels' WebAssembly instance: assembled from winogradWat() by wabt (a pure
 * JS/wasm package) the first time a thread asks for it, then kept for the thread's life.
 * Assembly is asynchronous, so it happens when the wasm backend is set up; the convolution
 * itself runs synchronously inside a network's tf.tidy.
 */
import type { TileSize } from './transforms.js';
import { winogradWat } from './wat.js';

type InputTransform = (x: number, V: number, C: number, Wp: number, Hp: number, tw: number, th: number, t0: number, tb: number) => void;
type OutputTransform = (M: number, y: number, bias: number, K: number, tw: number, th: number, t0: number, count: number, tb: number, relu: number) => void;

/** The module's exports: the memory, one GEMM, and the transforms of each tile size m. */
export type WinogradKernels = {
  memory: WebAssembly.Memory;
  gemm(V: number, U: number, M: number, planes: number, tb: number, C: number, K: number): void;
} & { [m in TileSize as `input_transform_${m}`]: InputTransform } & { [m in TileSize as `output_transform_${m}`]: OutputTransform };

let kernels: WinogradKernels | null = null;
let loading: Promise<WinogradKernels | null> | null = null;
let failure: string | null = null;

/** Off with SHAPETEX_WINOGRAD=0 (then every 3×3 convolution goes through tfjs). */
export function winogradWanted(): boolean {
  return process.env.SHAPETEX_WINOGRAD !== '0';
}

/**
 * Assembles and instantiates the kernels once per thread. Resolves to null, with the reason in
 * winogradStatus(), where WebAssembly SIMD is missing or assembly fails: callers then use tfjs's
 * own convolution, which gives the same numbers within float rounding.
 */
export function loadWinogradKernels(): Promise<WinogradKernels | null> {
  if (!winogradWanted()) return Promise.resolve(null);
  loading ??= (async () => {
    try {
      const { default: init } = await import('wabt');
      const wabt = await init();
      const mod = wabt.parseWat('winograd.wat', winogradWat(), { simd: true });
      mod.resolveNames();
      mod.validate();
      const { buffer } = mod.toBinary({});
      mod.destroy();
      const instance = new WebAssembly.Instance(new WebAssembly.Module(buffer as Uint8Array<ArrayBuffer>));
      kernels = instance.exports as unknown as WinogradKernels;
      return kernels;
    } catch (err) {
      failure = (err as Error).message;
      return null;
    }
  })();
  return loading;
}

/** The kernels when this thread has loaded them (and they are wanted), else null. */
export function winogradKernels(): WinogradKernels | null {
  return winogradWanted() ? kernels : null;
}

/** Why the kernels are not in use, or null when they are. */
export function winogradStatus(): string | null {
  if (!winogradWanted()) return 'off (SHAPETEX_WINOGRAD=0)';
  if (kernels) return null;
  return failure ?? 'not loaded';
}
