/**
 * Loads a fixture made by test/fixtures/zoo/make_resnet.py: the state_dict (through core's
 * checkpoint reader), the input and PyTorch's map and pooled vector for every tap.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readStateDict, type StateDict } from '@shapetex/core';
import { FIX, layouts, readRefArrays } from './others-parity.js';

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
  const { meta, arrays } = readRefArrays(name);
  const maps: TapReference['maps'] = {};
  const pooled: TapReference['pooled'] = {};
  let input: TapReference['input'] | undefined;
  for (const [key, arr] of Object.entries(arrays)) {
    if (key === 'input') input = arr as TapReference['input'];
    else if (key.endsWith('_pooled')) pooled[key.slice(0, -'_pooled'.length)] = arr;
    else maps[key] = arr;
  }
  const { arch, imageSize, parameters, tensors } = meta as Pick<TapReference, 'arch' | 'imageSize' | 'parameters' | 'tensors'>;
  return { arch, imageSize, parameters, tensors, input: input!, maps, pooled };
}

export async function loadResnetFixture(name: string): Promise<{ sd: StateDict; ref: TapReference }> {
  return { sd: await readStateDict(fixturePath(name)), ref: readReference(name) };
}

export const inputTensor = (ref: TapReference): tf.Tensor4D => tf.tensor4d(ref.input.data, ref.input.shape);

/** Full-size key/shape layouts written by make_resnet.py (no weights). */
export const resnetLayouts = (): Record<string, StateDict> => layouts('resnet_shapes.json.gz');
