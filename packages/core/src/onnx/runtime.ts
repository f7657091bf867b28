/**
 * ONNX Runtime (onnxruntime-node) as an engine: loading it, opening a session on a model held in
 * memory, and running an image batch through it. Pure plumbing: which device and how many
 * threads are the caller's choice (the backend settings); no model knowledge lives here.
 */
import type * as ort from 'onnxruntime-node';
import { CheckpointError } from '../io/errors.js';
import type { ExternalDataFile } from './proto.js';

/** Execution providers shapetex asks ONNX Runtime for. */
export type OnnxDevice = 'cpu' | 'cuda' | 'tensorrt' | 'webgpu';
export const ONNX_DEVICES: readonly OnnxDevice[] = ['cpu', 'cuda', 'tensorrt', 'webgpu'];

export interface OnnxSessionOptions {
  /** Intra-op threads; 1 = one core (the default, as the wasm backend's one thread). */
  threads?: number;
  device?: OnnxDevice;
  /** Only the device, no CPU provider behind it for the ops it lacks (the start-up probe). */
  strictDevice?: boolean;
}

/** What a session gives back for one output: row-major data and its dimensions. */
export interface OnnxOutput {
  data: Float32Array;
  dims: number[];
}

export interface OnnxSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** Runs `feeds` (name → float32 NCHW data) and returns the asked outputs. */
  run(feeds: Record<string, OnnxOutput>, outputs: readonly string[]): Promise<Record<string, OnnxOutput>>;
  release(): Promise<void>;
}

let loaded: Promise<typeof ort> | null = null;

/** The onnxruntime-node module, imported once; rejects when it cannot load here. */
export function loadOnnxRuntime(): Promise<typeof ort> {
  loaded ??= import('onnxruntime-node').then((m) => {
    const mod = ((m as unknown as { default?: typeof ort }).default ?? m) as typeof ort;
    // ONNX Runtime's own warnings (e.g. an unknown CPU vendor on VMs) are not the user's business
    mod.env.logLevel = 'error';
    return mod;
  });
  return loaded;
}

/** The execution-provider list for a device: the device, then the CPU for any op it lacks. */
function providers(device: OnnxDevice, strict: boolean): ort.InferenceSession.SessionOptions['executionProviders'] {
  return device === 'cpu' || strict ? [device] : [device, 'cpu'];
}

/**
 * Opens a session on `model` (ONNX protobuf bytes); `source` names the model in errors.
 * `externalData`: the files that the model's external tensors name, in memory.
 */
export async function createOnnxSession(model: Uint8Array, opts: OnnxSessionOptions = {}, source = 'ONNX model', externalData: readonly ExternalDataFile[] = []): Promise<OnnxSession> {
  const o = await loadOnnxRuntime();
  const threads = opts.threads ?? 1;
  let s: ort.InferenceSession;
  try {
    s = await o.InferenceSession.create(model, {
      executionProviders: providers(opts.device ?? 'cpu', opts.strictDevice === true),
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      ...(externalData.length > 0 ? { externalData: [...externalData] } : {}),
    });
  } catch (err) {
    throw new CheckpointError(null, `${source}: ONNX Runtime cannot open the model: ${(err as Error).message}`);
  }
  return {
    inputNames: s.inputNames,
    outputNames: s.outputNames,
    async run(feeds, outputs) {
      const t: Record<string, ort.Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) t[k] = new o.Tensor('float32', v.data, v.dims);
      const r = await s.run(t, [...outputs]);
      const out: Record<string, OnnxOutput> = {};
      for (const name of outputs) {
        const v = r[name]!;
        out[name] = { data: v.data as Float32Array, dims: [...v.dims].map(Number) };
        v.dispose();
      }
      for (const v of Object.values(t)) v.dispose();
      return out;
    },
    release: () => s.release(),
  };
}

/** NHWC [N, H, W, C] → NCHW, the layout ONNX graphs take. */
export function nhwcToNchw(src: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(src.length);
  const hw = h * w;
  for (let b = 0; b < n; b++) {
    const base = b * hw * c;
    for (let p = 0; p < hw; p++) {
      for (let k = 0; k < c; k++) out[base + k * hw + p] = src[base + p * c + k]!;
    }
  }
  return out;
}
