/**
 * Shared by the DenseNet / MobileNetV2 / EfficientNet / VGG parity tests: loads a fixture made by
 * test/fixtures/zoo/make_others.py and compares a network's `final` tap with PyTorch's.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readStateDict, type StateDict } from '@shapetex/core';

export const FIX = path.resolve(__dirname, '../../fixtures/zoo');

export interface Reference {
  arch: string;
  imageSize: number;
  input: tf.Tensor4D;
  final: { shape: number[]; data: Float32Array };
  pooled: { shape: number[]; data: Float32Array };
}

export async function loadFixture(name: string): Promise<{ sd: StateDict; ref: Reference }> {
  if (typeof readStateDict !== 'function') {
    throw new Error('@shapetex/core does not export readStateDict yet (checkpoint readers, packages/core/src/io): the torch zip fixtures cannot be read');
  }
  const sd = await readStateDict(path.join(FIX, `${name}.pth`));
  const meta = JSON.parse(readFileSync(path.join(FIX, `${name}.ref.json`), 'utf8'));
  const buf = readFileSync(path.join(FIX, `${name}.ref.bin`));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const arr = (key: string): { shape: number[]; data: Float32Array } => {
    const { shape, offset } = meta.arrays[key];
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    return { shape, data: all.subarray(offset, offset + n) };
  };
  const input = arr('input');
  return {
    sd,
    ref: {
      arch: meta.arch,
      imageSize: meta.imageSize,
      input: tf.tensor4d(input.data, input.shape as [number, number, number, number]),
      final: arr('final'),
      pooled: arr('final_pooled'),
    },
  };
}

/** max |got − want| ≤ 1e-4 · max |want| (the parity bound); returns the ratio. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): number {
  expect(got.length, `${what}: length`).toBe(want.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  expect(scale, `${what}: reference is all zeros`).toBeGreaterThan(0);
  expect(diff / scale, `${what}: max|diff| = ${diff}, max|ref| = ${scale}`).toBeLessThanOrEqual(1e-4);
  return diff / scale;
}

/** Global average pooling of an NHWC map, in float64. */
export function gap(map: Float32Array, shape: readonly number[]): Float64Array {
  const [n, h, w, c] = shape as [number, number, number, number];
  const out = new Float64Array(n * c);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[b * c + k]! += map[(b * h * w + p) * c + k]!;
  }
  return out.map((v) => v / (h * w));
}

/** Key/shape layouts of full-size torchvision models, as state_dicts without data (for detection). */
export function layouts(): Record<string, StateDict> {
  const raw = JSON.parse(gunzipSync(readFileSync(path.join(FIX, 'shapes.json.gz'))).toString('utf8')) as Record<string, [string, number[]][]>;
  const out: Record<string, StateDict> = {};
  for (const [arch, keys] of Object.entries(raw)) {
    // Detection reads names and shapes only; the data are empty on purpose (vgg16 alone is 138M values).
    out[arch] = new Map(keys.map(([k, shape]) => [k, { dtype: k.endsWith('num_batches_tracked') ? 'int64' : 'float32', shape, data: new Float32Array(0) }]));
  }
  return out;
}

/**
 * Every spec claims exactly the layouts of its own name (`x` or `x_small`) among the full-size
 * torchvision layouts (DenseNets, MobileNetV2/V3, EfficientNet-B0/B1, VGG11-BN/16/16-BN/19,
 * ResNet-18/50).
 */
export function expectClaims(specs: readonly { name: string; match(sd: StateDict): number }[]): void {
  const all = layouts();
  expect(Object.keys(all).length).toBeGreaterThanOrEqual(14);
  for (const [layout, sd] of Object.entries(all)) {
    for (const s of specs) {
      const own = layout.replace(/_small$/, '') === s.name;
      expect(s.match(sd) > 0, `${s.name}.match(${layout})`).toBe(own);
    }
  }
}

/** A copy of a state_dict with one key dropped, one added and one reshaped. */
export function damaged(sd: StateDict, drop: string, reshape: string): StateDict {
  const out = new Map(sd);
  out.delete(drop);
  out.set('extra.weight', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
  const e = sd.get(reshape)!;
  out.set(reshape, { ...e, shape: [e.shape[0]! + 1, ...e.shape.slice(1)] });
  return out;
}
