/**
 * Reading a TF.js model (`model.json` + weight shards) from disk without tfjs-node: the
 * browser's `http`/`indexeddb` handlers do not apply in Node, and tfjs-node's `file://` handler
 * needs libtensorflow, which may not be installable.
 */
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { CheckpointError } from '../io/errors.js';
import { halfToFloat } from '../io/tensor.js';
import { readRegularFile, resolveInside, UnsafeFileError } from './tfjs-files.js';

export type TfjsModelKind = 'layers' | 'graph';

/** A TF.js model (`model.json` and its shards) that cannot be read or built; a {@link CheckpointError}. */
export class TfjsModelError extends CheckpointError {
  declare readonly file: string;
  constructor(file: string, message: string) {
    super(file, message);
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

const WEIGHT_DTYPES = new Set(['float32', 'int32', 'bool', 'complex64', 'string']);
const QUANT_DTYPES = new Set(['uint8', 'uint16', 'float16']);

/**
 * Checks the weightsManifest against the format before anything is read: every malformed field
 * is a TfjsModelError naming it, never a TypeError from deep inside tfjs.
 */
function checkWeightsManifest(manifest: unknown, file: string): tf.io.WeightsManifestConfig {
  const bad = (msg: string): never => {
    throw new TfjsModelError(file, `weightsManifest: ${msg}`);
  };
  if (!Array.isArray(manifest)) return bad('must be an array of { paths, weights } groups');
  manifest.forEach((group: unknown, g) => {
    const grp = group as { paths?: unknown; weights?: unknown } | null;
    if (typeof grp !== 'object' || grp === null || !Array.isArray(grp.paths) || !Array.isArray(grp.weights)) {
      bad(`group ${g} needs "paths" and "weights" arrays`);
    }
    (grp!.paths as unknown[]).forEach((p: unknown, i: number) => {
      if (typeof p !== 'string' || p.length === 0) bad(`group ${g} path ${i} is ${JSON.stringify(p)}, expected a file name`);
    });
    (grp!.weights as unknown[]).forEach((w: unknown, i: number) => {
      const spec = w as Partial<tf.io.WeightsManifestEntry> | null;
      const where = `group ${g} weight ${i}`;
      if (typeof spec !== 'object' || spec === null || typeof spec.name !== 'string') return bad(`${where} needs a "name" string`);
      const name = `${where} (${JSON.stringify(spec.name.slice(0, 80))})`;
      if (!Array.isArray(spec.shape) || spec.shape.length > 16 || !spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
        return bad(`${name} needs a "shape" array of non-negative integers, got ${JSON.stringify(spec.shape)?.slice(0, 60)}`);
      }
      if (!Number.isSafeInteger(spec.shape.reduce((a, b) => a * b, 1))) return bad(`${name} has an absurd shape [${spec.shape.join(', ')}]`);
      if (typeof spec.dtype !== 'string' || !WEIGHT_DTYPES.has(spec.dtype)) return bad(`${name} has dtype ${JSON.stringify(spec.dtype)}; expected one of ${[...WEIGHT_DTYPES].join(', ')}`);
      const q = spec.quantization as { dtype?: unknown; scale?: unknown; min?: unknown } | undefined | null;
      if (q !== undefined) {
        if (typeof q !== 'object' || q === null || typeof q.dtype !== 'string' || !QUANT_DTYPES.has(q.dtype)) return bad(`${name} has a quantization without a dtype of ${[...QUANT_DTYPES].join(', ')}`);
        for (const k of ['scale', 'min'] as const) if (q[k] !== undefined && !Number.isFinite(q[k])) bad(`${name}: quantization ${k} must be a number`);
      }
      return undefined;
    });
  });
  return manifest as tf.io.WeightsManifestConfig;
}

/** A manifest path → the real path of the shard, checked to be inside the model folder. */
async function shardPath(dir: string, rel: string, file: string): Promise<string> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(rel)) throw new TfjsModelError(file, `weight shard path ${JSON.stringify(rel)} must be relative to the model folder`);
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    throw new TfjsModelError(file, `weight shard path ${JSON.stringify(rel)} has a malformed percent-encoding`);
  }
  try {
    return await resolveInside(dir, decoded);
  } catch (e) {
    throw new TfjsModelError(file, e instanceof UnsafeFileError ? `weight shard ${e.message}` : `cannot read weight shard ${rel} (${(e as Error).message})`);
  }
}

/** model.json must be a regular file too (a FIFO named model.json would hang the run). */
async function readModelJson(file: string): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(file, MAX_MODEL_JSON);
  } catch (e) {
    throw new TfjsModelError(file, `cannot read model.json (${(e as Error).message})`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new TfjsModelError(file, `not valid JSON (${(e as Error).message})`);
  }
}

/** Larger than any topology tfjs's converter writes; weights live in the shards. */
const MAX_MODEL_JSON = 512 * 1024 * 1024;

/**
 * The shards of one manifest group, concatenated, read no further than the bytes its weights
 * declare (a group with a string weight has no declared size: each shard is read to its end).
 */
async function readGroup(dir: string, group: tf.io.WeightsManifestConfig[number], file: string): Promise<ArrayBuffer[]> {
  let need = 0;
  let sized = true;
  for (const w of group.weights) {
    const per = bytesPerElement(w);
    if (per === null) sized = false;
    else need += per * w.shape.reduce((a, b) => a * b, 1);
  }
  const buffers: ArrayBuffer[] = [];
  let got = 0;
  for (const rel of group.paths) {
    const p = await shardPath(dir, rel, file);
    let buf: Uint8Array;
    try {
      buf = await readRegularFile(p, sized ? Math.max(0, need - got) : Number.MAX_SAFE_INTEGER);
    } catch (e) {
      throw new TfjsModelError(file, `cannot read weight shard ${rel} (${(e as Error).message})`);
    }
    buffers.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
    got += buf.byteLength;
  }
  // A truncated shard would otherwise decode as a silently shifted tensor.
  if (got < need) throw new TfjsModelError(file, `weight shards ${group.paths.join(', ')} hold ${got} bytes; the weights listed need ${need}`);
  return buffers;
}

/** Parsed model.json and the weights it lists, checked for presence and length. */
export async function readTfjsArtifacts(modelJsonPath: string): Promise<{ kind: TfjsModelKind; artifacts: tf.io.ModelArtifacts }> {
  const file = path.resolve(modelJsonPath);
  const json = await readModelJson(file);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new TfjsModelError(file, 'model.json is not a JSON object');
  const model = json as tf.io.ModelJSON;
  const kind = tfjsModelKind(model, file);
  if (model.weightsManifest !== undefined) checkWeightsManifest(model.weightsManifest, file);
  const dir = path.dirname(file);
  try {
    const artifacts = await tf.io.getModelArtifactsForJSON(model, async (manifest) => {
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of manifest) {
        buffers.push(...(await readGroup(dir, group, file)));
        specs.push(...group.weights);
      }
      return [specs, tf.io.concatenateArrayBuffers(buffers)];
    });
    return { kind, artifacts };
  } catch (e) {
    if (e instanceof TfjsModelError) throw e;
    throw new TfjsModelError(file, `cannot read the model (${(e as Error).message})`);
  }
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
