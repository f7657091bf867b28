/**
 * How the kernels run inside tfjs: each path is registered once as a kernel of the wasm backend
 * and called through the engine, so tf.tidy tracks its output and tf.profile names it; the call
 * works in tfjs-wasm's heap, on the input where tfjs keeps it and into an output tfjs allocates.
 */
import * as tf from '@tensorflow/tfjs-core';
import { allocAligned } from './arena.js';
import { wasmInternals, type ConvKernels, type WasmBackendInternals } from './module.js';

type Body<A> = (backend: WasmBackendInternals, inputs: Record<string, tf.TensorInfo>, attrs: A) => tf.TensorInfo;

/**
 * Runs `body` as the wasm kernel `name` on `inputs` (registered on first use); attrs go through
 * as they are.
 */
export function runWasmKernel<A extends object>(name: string, inputs: Record<string, tf.Tensor4D>, attrs: A, body: Body<A>): tf.Tensor4D {
  if (!wasmInternals()) throw new Error(`${name}: needs the wasm backend, the current one is ${tf.getBackend()}`);
  if (!tf.getKernel(name, 'wasm')) {
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: ({ inputs: given, backend, attrs: a }) =>
        body(backend as unknown as WasmBackendInternals, given as Record<string, tf.TensorInfo>, a as unknown as A),
    });
  }
  return tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** Byte addresses of one call: its scratch, the input and the output. */
export interface HeapCall { scratch: number; x: number; y: number }

/**
 * Allocates `scratchBytes` of scratch and an output of `shape`, runs `body` on their addresses,
 * and frees the scratch; on an error the output, not yet the engine's, is freed too.
 */
export function inHeap(backend: WasmBackendInternals, k: ConvKernels, x: tf.TensorInfo, shape: number[], scratchBytes: number,
  body: (at: HeapCall) => void): tf.TensorInfo {
  const [n, H, W, C] = x.shape;
  const scratch = allocAligned(k, scratchBytes, `a ${n}×${H}×${W}×${C} → ${shape[3]} convolution's scratch`);
  const out = backend.makeOutput(shape, 'float32');
  try {
    body({ scratch: scratch.at, x: backend.dataIdMap.get(x.dataId)!.memoryOffset, y: backend.dataIdMap.get(out.dataId)!.memoryOffset });
  } catch (err) {
    backend.disposeData(out.dataId);
    throw err;
  } finally {
    k.free(scratch.block);
  }
  return out;
}
