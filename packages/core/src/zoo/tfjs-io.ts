/**
 * Reading a TF.js model (`model.json` + weight shards) from disk without tfjs-node: the
 * browser's `http`/`indexeddb` handlers do not apply in Node, and tfjs-node's `file://` handler
 * needs libtensorflow, which may not be installable (DESIGN.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

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

/** An IOHandler that hands already-read artifacts to tfjs's loaders. */
export function artifactsHandler(artifacts: tf.io.ModelArtifacts): tf.io.IOHandler {
  return { load: async () => artifacts };
}
