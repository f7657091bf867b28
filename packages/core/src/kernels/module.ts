/**
 * The convolution kernels' WebAssembly instance. The module is assembled from kernelsWat() by
 * wabt (a pure JS/wasm package) once per thread when the wasm backend is set up, and
 * instantiated on tfjs-backend-wasm's own memory: the kernels then read a layer's input and
 * write its output where tfjs keeps them, with no copies in or out, and their scratch and the
 * transformed filters are allocated by tfjs's malloc.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TileSize } from './winograd/transforms.js';
import { backendSettings } from './settings.js';
import { kernelsWat } from './wat.js';

type InputTransform = (x: number, V: number, C: number, Wp: number, Hp: number, tw: number, th: number, t0: number, tb: number, vPlane: number, vGroup: number) => void;
type OutputTransform = (M: number, y: number, res: number, bias: number, K: number, H: number, W: number, tw: number, th: number, t0: number, count: number, mPlane: number, mRow: number, relu: number) => void;

/** The instance's exports, bound to one tfjs-wasm memory, with that heap's allocator. */
export type ConvKernels = {
  memory: WebAssembly.Memory;
  /** tfjs-wasm's malloc and free: byte addresses in `memory`. */
  alloc(bytes: number): number;
  free(at: number): void;
  gemm(V: number, U: number, M: number, planes: number, tb: number, C: number, K: number, vPlane: number, vGroup: number, mPlane: number, mRow: number): void;
  gemm_bias_act(V: number, U: number, M: number, planes: number, tb: number, C: number, K: number, vPlane: number, vGroup: number, mPlane: number, mRow: number, bias: number, relu: number): void;
  im2col(x: number, V: number, H: number, W: number, C: number, OH: number, OW: number, kh: number, kw: number, stride: number, pad: number, r0: number, rows: number, total: number): void;
} & { [m in TileSize as `input_transform_${m}`]: InputTransform } & { [m in TileSize as `output_transform_${m}` | `output_transform_res_${m}`]: OutputTransform };

/** What this module needs of tfjs-backend-wasm 4.x's backend object (not in its typings). */
export interface WasmBackendInternals {
  wasm: { asm?: { memory?: WebAssembly.Memory }; _malloc(bytes: number): number; _free(at: number): void };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

/** The part of wabt's API used here. */
interface Wabt {
  parseWat(file: string, text: string, features: Record<string, boolean>): {
    resolveNames(): void; validate(): void; toBinary(o: object): { buffer: Uint8Array }; destroy(): void;
  };
}
let wabt: Wabt | null = null;
let loading: Promise<boolean> | null = null;
let failure: string | null = null;
/**
 * Compiled module per memory kind (tfjs's threaded build has a shared memory) and per use of
 * fused multiply-adds; an instance per memory and use of them.
 */
const compiled = new Map<string, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, Map<boolean, ConvKernels>>();
/** Whether this engine takes relaxed SIMD's fused multiply-add (found once, in loadConvKernels). */
let fmaAvailable = false;
/** Whether the engine was asked (only once fused multiply-adds are wanted: the probe may set a V8 flag). */
let fmaProbed = false;

/**
 * Whether the Winograd path is on (settings `winograd`): off, 3×3 stride-1 convolutions go
 * through tfjs (XNNPACK). Its largest tile is the setting `winogradMaxTile` (winograd/conv.ts).
 */
export function winogradWanted(): boolean {
  return backendSettings().winograd;
}

/** Whether the im2col path is on (settings `im2col`): off, the other convolutions go through tfjs. */
export function im2colWanted(): boolean {
  return backendSettings().im2col;
}

const anyWanted = () => winogradWanted() || im2colWanted();

/**
 * Whether the kernels use fused multiply-adds: where the engine has relaxed SIMD, unless the
 * setting `fma` is false (then a multiply and an add, SIMD128 only). Follows the settings in
 * force, so a test or the bench can compare both in one process (setBackendSettings).
 */
export function fmaInUse(): boolean {
  return fmaAvailable && backendSettings().fma;
}

const PROBE = '(module (func (result v128) (f32x4.relaxed_madd (v128.const f32x4 1 1 1 1) (v128.const f32x4 2 2 2 2) (v128.const f32x4 3 3 3 3))))';

/**
 * Whether this engine takes relaxed SIMD. Node 22 and browsers do by default; Node 20's V8
 * (11.3) has it behind --experimental-wasm-relaxed-simd, which V8 reads when it compiles a
 * module, so setting it here, before the kernels are compiled, is enough. The flag only adds
 * the relaxed instructions: nothing else in the process changes. When the engine refuses the
 * probe even then, the kernels are assembled without them.
 */
async function relaxedSimd(w: Wabt): Promise<boolean> {
  const parsed = w.parseWat('probe.wat', PROBE, { simd: true, relaxed_simd: true });
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = parsed.toBinary({}).buffer as Uint8Array<ArrayBuffer>;
  } finally {
    parsed.destroy();
  }
  if (WebAssembly.validate(bytes)) return true;
  try {
    const v8 = await import('node:v8');
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return WebAssembly.validate(bytes);
}

function compile(shared: boolean, fma: boolean): WebAssembly.Module {
  let mod = compiled.get(`${shared}/${fma}`);
  if (!mod) {
    const parsed = wabt!.parseWat('shapetex-kernels.wat', kernelsWat({ shared, fma }), { simd: true, threads: shared, relaxed_simd: fma });
    try {
      parsed.resolveNames();
      parsed.validate();
      mod = new WebAssembly.Module(parsed.toBinary({}).buffer as Uint8Array<ArrayBuffer>);
    } finally {
      parsed.destroy();
    }
    compiled.set(`${shared}/${fma}`, mod);
  }
  return mod;
}

/**
 * Loads wabt and assembles the module once per thread (unless both paths are switched off), and
 * asks the engine for relaxed SIMD once fused multiply-adds are wanted. Resolves to false, with
 * the reason in convKernelsStatus(), where WebAssembly SIMD is missing or assembly fails: callers
 * then use tfjs's own convolution, which gives the same numbers within float rounding. Called
 * again after the settings change (initBackend), it loads what is newly wanted.
 */
export async function loadConvKernels(): Promise<boolean> {
  if (!anyWanted()) return false;
  loading ??= (async () => {
    try {
      const { default: init } = await import('wabt');
      wabt = (await init()) as unknown as Wabt;
      return true;
    } catch (err) {
      failure = (err as Error).message;
      return false;
    }
  })();
  if (!(await loading)) return false;
  if (backendSettings().fma && !fmaProbed) {
    fmaProbed = true;
    fmaAvailable = await relaxedSimd(wabt!);
  }
  try {
    compile(false, fmaInUse());
    return true;
  } catch (err) {
    failure = (err as Error).message;
    return false;
  }
}

/** tfjs-wasm's backend object, when it is the current backend and has what the kernels need. */
export function wasmInternals(): WasmBackendInternals | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as WasmBackendInternals;
  return backend.wasm?.asm?.memory instanceof WebAssembly.Memory && backend.dataIdMap !== undefined ? backend : null;
}

/**
 * The kernels on the current wasm backend's memory (instantiated on first use), or null when
 * they are not loaded or the backend is not tfjs-wasm.
 */
export function convKernels(): ConvKernels | null {
  if (!wabt) return null;
  const backend = wasmInternals();
  if (!backend) return null;
  const memory = backend.wasm.asm!.memory!;
  const fma = fmaInUse();
  let variants = instances.get(memory);
  if (!variants) instances.set(memory, (variants = new Map()));
  let k = variants.get(fma);
  if (!k) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    try {
      const instance = new WebAssembly.Instance(compile(shared, fma), { env: { memory } });
      const wasm = backend.wasm;
      k = { ...(instance.exports as object), memory, alloc: (bytes: number) => wasm._malloc(bytes), free: (at: number) => wasm._free(at) } as ConvKernels;
    } catch (err) {
      failure = (err as Error).message;
      return null;
    }
    variants.set(fma, k);
  }
  return k;
}

/** The kernels for the Winograd path, unless the setting `winograd` is off. */
export function winogradKernels(): ConvKernels | null {
  return winogradWanted() ? convKernels() : null;
}

/** The kernels for the im2col path, unless the setting `im2col` is off. */
export function im2colKernels(): ConvKernels | null {
  return im2colWanted() ? convKernels() : null;
}

/**
 * Which of the kernels' paths are on, as the device string lists them ('fma' when they use
 * relaxed SIMD's fused multiply-add, 'winograd 3×3', 'im2col').
 */
export function convKernelsInUse(): string[] {
  if (!wabt || failure) return [];
  return [...(fmaInUse() ? ['fma'] : []), ...(winogradWanted() ? ['winograd 3×3'] : []), ...(im2colWanted() ? ['im2col'] : [])];
}

/** Why the kernels are not in use, or null when they are. */
export function convKernelsStatus(): string | null {
  if (!anyWanted()) return 'off (settings winograd and im2col both false)';
  if (wabt && !failure) return null;
  return failure ?? 'not loaded';
}
