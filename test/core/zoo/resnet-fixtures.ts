/**
 * Loads a fixture made by test/fixtures/zoo/make_resnet.py: the state_dict (through core's
 * checkpoint reader), the input and PyTorch's map and pooled vector for every tap.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readStateDict, type StateDict } from '@shapetex/core';
import { FIX } from './others-parity.js';

export interface TapReference {
  arch: string;
  imageSize: number;
  parameters: number;
  tensors: Record<string, number>;
  input: { shape: [number, number, number, number]; data: Float32Array };
  maps: Record<string, { shape: number[]; data: Float32Array }>;
  pooled: Record<string, { shape: number[]; data: Float32Array }>;
}

export const RESNET_FIXTURES = [
  ['resnet18_small', 'resnet18'],
  ['resnet34_small', 'resnet34'],
  ['resnet50_small', 'resnet50'],
  ['resnet101_small', 'resnet101'],
  ['resnet152_small', 'resnet152'],
  ['wide_resnet50_2_small', 'wide_resnet50_2'],
  ['resnet18k_bn_small', 'resnet18k'],
  ['resnet18k_small', 'resnet18k'],
] as const;

export const fixturePath = (name: string): string => path.join(FIX, `${name}.pth`);

export function readReference(name: string): TapReference {
  const meta = JSON.parse(readFileSync(path.join(FIX, `${name}.ref.json`), 'utf8'));
  const buf = readFileSync(path.join(FIX, `${name}.ref.bin`));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const maps: TapReference['maps'] = {};
  const pooled: TapReference['pooled'] = {};
  let input: TapReference['input'] | undefined;
  for (const [key, { shape, offset }] of Object.entries(meta.arrays as Record<string, { shape: number[]; offset: number }>)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const arr = { shape, data: all.subarray(offset, offset + n) };
    if (key === 'input') input = arr as TapReference['input'];
    else if (key.endsWith('_pooled')) pooled[key.slice(0, -'_pooled'.length)] = arr;
    else maps[key] = arr;
  }
  return { arch: meta.arch, imageSize: meta.imageSize, parameters: meta.parameters, tensors: meta.tensors, input: input!, maps, pooled };
}

export async function loadResnetFixture(name: string): Promise<{ sd: StateDict; ref: TapReference }> {
  return { sd: await readStateDict(fixturePath(name)), ref: readReference(name) };
}

export const inputTensor = (ref: TapReference): tf.Tensor4D => tf.tensor4d(ref.input.data, ref.input.shape);

/** Full-size key/shape layouts written by make_resnet.py (no weights). */
export function resnetLayouts(): Record<string, StateDict> {
  const raw = JSON.parse(gunzipSync(readFileSync(path.join(FIX, 'resnet_shapes.json.gz'))).toString('utf8')) as Record<string, [string, number[]][]>;
  const out: Record<string, StateDict> = {};
  for (const [arch, keys] of Object.entries(raw)) {
    out[arch] = new Map(keys.map(([k, shape]) => [k, { dtype: k.endsWith('num_batches_tracked') ? 'int64' : 'float32', shape, data: new Float32Array(0) }]));
  }
  return out;
}
