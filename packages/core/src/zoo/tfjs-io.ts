/**
 * Reading a TF.js model (`model.json` + weight shards) from disk without tfjs-node: the
 * browser's `http`/`indexeddb` handlers do not apply in Node, and tfjs-node's `file://` handler
 * needs libtensorflow, which may not be installable (DESIGN.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { halfToFloat } from '../io/tensor.js';

export type TfjsModelKind = 'layers' | 'graph';

export class TfjsModelError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'TfjsModelError';
  }
}

/** Bytes per stored element, accounting for weight quantization. */
function bytesPerElement(spec: tf.io.WeightsManifestEntry): number | null {
  const q = spec.quantization?.dtype;
  if (q === 'uint8') return 1;
  if (q === 'uint16' || q === 'float16') return 2;
  switch (spec.dtype) {
    case 'float32': case 'int32': return 4;
    case 'bool': return 1;
    case 'complex64': return 8;
    default: return null; // strings have variable length
  }
}

/**
 * A model.json is a layers model when its topology is a Keras config (`class_name`/`config`)
 * and a graph model when it is a GraphDef (`node`); `format` is only a hint written by newer
 * converters, so the topology decides.
 */
export function tfjsModelKind(json: tf.io.ModelJSON, file: string): TfjsModelKind {
  const topo = json.modelTopology as Record<string, unknown> | undefined;
  if (topo === undefined || topo === null || typeof topo !== 'object') {
    throw new TfjsModelError(file, 'no "modelTopology" object; expected a TF.js model.json (layers or graph model)');
  }
  if (Array.isArray((topo as { node?: unknown }).node)) return 'graph';
  const keras = (topo as { model_config?: unknown }).model_config ?? topo;
  if (typeof keras === 'object' && keras !== null && 'class_name' in keras) return 'layers';
  throw new TfjsModelError(file, `modelTopology is neither a Keras model config (class_name) nor a GraphDef (node); keys: ${Object.keys(topo).join(', ')}`);
}

/**
 * Resolve a shard path from the manifest against the model's folder. The manifest is untrusted:
 * a shard must stay inside that folder.
 */
function shardPath(dir: string, rel: string, file: string): string {
  if (typeof rel !== 'string' || rel.length === 0 || path.isAbsolute(rel) || /^[a-z]+:\/\//i.test(rel)) {
    throw new TfjsModelError(file, `weight shard path ${JSON.stringify(rel)} must be relative to the model folder`);
  }
  const full = path.resolve(dir, decodeURIComponent(rel));
  if (path.relative(dir, full).startsWith('..')) {
    throw new TfjsModelError(file, `weight shard path ${JSON.stringify(rel)} leaves the model folder`);
  }
  return full;
}

/** Parsed model.json and the weights it lists, checked for presence and length. */
export async function readTfjsArtifacts(modelJsonPath: string): Promise<{ kind: TfjsModelKind; artifacts: tf.io.ModelArtifacts }> {
  const file = path.resolve(modelJsonPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new TfjsModelError(file, `cannot read model.json (${(e as Error).message})`);
  }
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(text) as tf.io.ModelJSON;
  } catch (e) {
    throw new TfjsModelError(file, `not valid JSON (${(e as Error).message})`);
  }
  const kind = tfjsModelKind(json, file);
  if (json.weightsManifest !== undefined && !Array.isArray(json.weightsManifest)) {
    throw new TfjsModelError(file, '"weightsManifest" must be an array of { paths, weights } groups');
  }
  const dir = path.dirname(file);
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) {
        throw new TfjsModelError(file, 'every weightsManifest group needs "paths" and "weights" arrays');
      }
      let groupBytes = 0;
      for (const rel of group.paths) {
        const p = shardPath(dir, rel, file);
        let buf: Buffer;
        try {
          buf = await readFile(p);
        } catch (e) {
          throw new TfjsModelError(file, `cannot read weight shard ${rel} (${(e as Error).message})`);
        }
        buffers.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
        groupBytes += buf.byteLength;
      }
      let need = 0;
      for (const w of group.weights) {
        const per = bytesPerElement(w);
        if (per !== null) need += per * w.shape.reduce((a, b) => a * b, 1);
        specs.push(w);
      }
      // A truncated shard would otherwise decode as a silently shifted tensor.
      if (groupBytes < need) {
        throw new TfjsModelError(file, `weight shards ${group.paths.join(', ')} hold ${groupBytes} bytes; the weights listed need ${need}`);
      }
    }
    return [specs, tf.io.concatenateArrayBuffers(buffers)];
  });
  return { kind, artifacts };
}

/** One weight of a TF.js model as float32 values; `data` is null for a dtype that has none (string). */
export interface TfjsWeightValues {
  name: string;
  shape: number[];
  dtype: string;
  data: Float32Array | null;
}

/**
 * The weights of read artifacts ({@link readTfjsArtifacts}) in manifest order, decoded in plain
 * JS, with no backend: float32 and int32 as stored, quantized weights (uint8, uint16, float16)
 * dequantized as tfjs does (q·scale + min, or the half-precision value). For callers that want
 * a few tensors' values (a picture of the first layer) without building the model.
 */
export function tfjsWeightValues(artifacts: tf.io.ModelArtifacts, file = 'model.json'): TfjsWeightValues[] {
  const specs = artifacts.weightSpecs ?? [];
  const raw = artifacts.weightData;
  const buffer = raw === undefined ? new ArrayBuffer(0) : Array.isArray(raw) ? tf.io.concatenateArrayBuffers(raw) : raw;
  const out: TfjsWeightValues[] = [];
  let offset = 0;
  for (const spec of specs) {
    const per = bytesPerElement(spec);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (per === null || Number.isNaN(offset)) {
      // a string weight has no fixed size: nothing after it in the buffer can be located
      out.push({ name: spec.name, shape: spec.shape, dtype: spec.dtype, data: null });
      offset = NaN;
      continue;
    }
    if (offset + per * n > buffer.byteLength) {
      throw new TfjsModelError(file, `weight ${spec.name} needs bytes up to ${offset + per * n}; the shards hold ${buffer.byteLength}`);
    }
    const view = new DataView(buffer, offset, per * n);
    const q = spec.quantization;
    let data: Float32Array | null = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (q?.dtype === 'float16') data[i] = halfToFloat(view.getUint16(2 * i, true));
      else if (q?.dtype === 'uint8') data[i] = view.getUint8(i) * (q.scale ?? 1) + (q.min ?? 0);
      else if (q?.dtype === 'uint16') data[i] = view.getUint16(2 * i, true) * (q.scale ?? 1) + (q.min ?? 0);
      else if (spec.dtype === 'float32') data[i] = view.getFloat32(4 * i, true);
      else if (spec.dtype === 'int32') data[i] = view.getInt32(4 * i, true);
      else { data = null; break; } // bool, complex64: no float values to give
    }
    out.push({ name: spec.name, shape: spec.shape, dtype: spec.dtype, data });
    offset += per * n;
  }
  return out;
}

/** An IOHandler that hands already-read artifacts to tfjs's loaders. */
export function artifactsHandler(artifacts: tf.io.ModelArtifacts): tf.io.IOHandler {
  return { load: async () => artifacts };
}
