/**
 * One weight of a TF.js `model.json` (layers or graph model) read from its shards. Core reads
 * whole models through tfjs; here only the manifest and one tensor's bytes are needed, so no
 * backend has to start for a picture of the first layer.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { halfToFloat } from '@shapetex/core';
import type { WeightShape } from './types.js';

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** A weight listed by the manifest: its group (whose shards are concatenated) and byte offset there. */
export interface TfjsWeightSlot extends WeightShape {
  entry: ManifestEntry;
  group: { paths: string[] };
  offset: number;
}

function bytesPerElement(e: ManifestEntry): number | null {
  const q = e.quantization?.dtype;
  if (q === 'uint8') return 1;
  if (q === 'uint16' || q === 'float16') return 2;
  if (e.dtype === 'float32' || e.dtype === 'int32') return 4;
  if (e.dtype === 'bool') return 1;
  if (e.dtype === 'complex64') return 8;
  return null;
}

/** The manifest's weights in the file's order, with where each one's bytes lie. */
export async function tfjsWeightSlots(modelJson: string): Promise<TfjsWeightSlot[]> {
  let json: { weightsManifest?: unknown };
  try {
    json = JSON.parse(await readFile(modelJson, 'utf8')) as { weightsManifest?: unknown };
  } catch (e) {
    throw new Error(`${modelJson}: cannot read model.json (${(e as Error).message})`);
  }
  if (!Array.isArray(json.weightsManifest)) throw new Error(`${modelJson}: no "weightsManifest" array; expected a TF.js model.json`);
  const slots: TfjsWeightSlot[] = [];
  for (const group of json.weightsManifest as { paths?: unknown; weights?: unknown }[]) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) {
      throw new Error(`${modelJson}: every weightsManifest group needs "paths" and "weights" arrays`);
    }
    let offset = 0;
    for (const entry of group.weights as ManifestEntry[]) {
      if (typeof entry?.name !== 'string' || !Array.isArray(entry.shape)) throw new Error(`${modelJson}: a manifest weight lacks "name" or "shape"`);
      slots.push({ key: entry.name, shape: entry.shape, entry, group: group as { paths: string[] }, offset });
      const per = bytesPerElement(entry);
      // A string weight has no fixed size: the weights after it in its group cannot be located.
      offset = per === null ? NaN : offset + per * entry.shape.reduce((a, b) => a * b, 1);
    }
  }
  return slots;
}

/** The shard files of a group, which must lie inside the model's folder (the manifest is untrusted). */
function shardFiles(modelJson: string, paths: string[]): string[] {
  const dir = path.dirname(path.resolve(modelJson));
  return paths.map((rel) => {
    const full = typeof rel === 'string' && rel.length > 0 && !path.isAbsolute(rel) ? path.resolve(dir, decodeURIComponent(rel)) : '';
    if (full === '' || path.relative(dir, full).startsWith('..')) throw new Error(`${modelJson}: weight shard path ${JSON.stringify(rel)} must lie inside the model folder`);
    return full;
  });
}

/** The values of one weight as float32, dequantized when the manifest says it was quantized. */
export async function readTfjsWeight(modelJson: string, slot: TfjsWeightSlot): Promise<Float32Array> {
  const { entry } = slot;
  const per = bytesPerElement(entry);
  const n = entry.shape.reduce((a, b) => a * b, 1);
  if (per === null || Number.isNaN(slot.offset) || (entry.dtype !== 'float32' && entry.quantization === undefined)) {
    throw new Error(`${modelJson}: weight ${entry.name} (${entry.dtype}) cannot be read as float32 kernels`);
  }
  const parts: Buffer[] = [];
  for (const f of shardFiles(modelJson, slot.group.paths)) {
    parts.push(await readFile(f).catch((e: Error) => { throw new Error(`${modelJson}: cannot read weight shard ${f} (${e.message})`); }));
  }
  const bytes = Buffer.concat(parts);
  if (slot.offset + per * n > bytes.byteLength) {
    throw new Error(`${modelJson}: weight shards ${slot.group.paths.join(', ')} hold ${bytes.byteLength} bytes; ${entry.name} needs bytes up to ${slot.offset + per * n}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + slot.offset, per * n);
  const out = new Float32Array(n);
  const q = entry.quantization;
  for (let i = 0; i < n; i++) {
    if (q?.dtype === 'float16') out[i] = halfToFloat(view.getUint16(2 * i, true));
    else if (q?.dtype === 'uint8') out[i] = view.getUint8(i) * (q.scale ?? 1) + (q.min ?? 0);
    else if (q?.dtype === 'uint16') out[i] = view.getUint16(2 * i, true) * (q.scale ?? 1) + (q.min ?? 0);
    else if (q === undefined) out[i] = view.getFloat32(4 * i, true);
    else throw new Error(`${modelJson}: weight ${entry.name} has an unknown quantization ${q.dtype}`);
  }
  return out;
}
