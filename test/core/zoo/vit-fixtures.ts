/**
 * Shared by the ViT / DeiT / ConvNeXt tests: the fixtures of test/fixtures/zoo/make_vit.py and a
 * check of every tap and token choice of a built network against them.
 */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readStateDict, type Network, type StateDict } from '@shapetex/core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIX, expectClose, gap, type RefArray } from './others-parity.js';

export interface VitFixture {
  sd: StateDict;
  meta: { arch: string; imageSize: number; extraSize: number | null; heads?: number };
  arrays: Record<string, RefArray>;
}

export async function loadVitFixture(name: string, dir = FIX): Promise<VitFixture> {
  const sd = await readStateDict(path.join(dir, `${name}.pth`));
  const { meta, arrays } = readRefArraysIn(dir, name);
  return { sd, meta: meta as VitFixture['meta'], arrays };
}

/** The `.ref.json` / `.ref.bin` pair of `name` in `dir` (test/fixtures/zoo, or the oracle suite's folder). */
export function readRefArraysIn(dir: string, name: string): { meta: Record<string, unknown>; arrays: Record<string, RefArray> } {
  const meta = JSON.parse(readFileSync(path.join(dir, `${name}.ref.json`), 'utf8'));
  const buf = readFileSync(path.join(dir, `${name}.ref.bin`));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const arrays: Record<string, RefArray> = {};
  for (const [key, { shape, offset }] of Object.entries(meta.arrays as Record<string, { shape: number[]; offset: number }>)) {
    arrays[key] = { shape, data: all.subarray(offset, offset + shape.reduce((a, b) => a * b, 1)) };
  }
  return { meta, arrays };
}

export function inputOf(f: VitFixture, tag = ''): tf.Tensor4D {
  const a = f.arrays[`${tag}input`];
  if (!a) throw new Error(`fixture has no ${tag}input`);
  return tf.tensor4d(a.data, a.shape as [number, number, number, number]);
}

/**
 * Forward every tap of `net` on the fixture's input (`tag` = '' or '96:') and compare the pooled
 * rows with PyTorch's for `token`; for `mean`, also the unpooled final patch grid. Checks that a
 * second pass leaves no tensor behind. Returns the worst ratio.
 */
export function expectVitTaps(net: Network, f: VitFixture, token: 'cls' | 'mean', tag = ''): number {
  const x = inputOf(f, tag);
  const run = () => tf.tidy(() => {
    const maps = net.forward(x, net.taps);
    return net.taps.map((t) => ({ t, shape: maps[t]!.shape, data: maps[t]!.dataSync() as Float32Array }));
  });
  // the first pass on a grid keeps that grid's position embedding; later passes add nothing
  run();
  const before = tf.memory().numTensors;
  const got = run();
  expect(tf.memory().numTensors).toBe(before);
  x.dispose();
  let worst = 0;
  const N = x.shape[0];
  for (const { t, shape, data } of got) {
    const want = f.arrays[`${tag}${t}@${token}`];
    if (!want) throw new Error(`fixture has no ${tag}${t}@${token}`);
    const D = want.shape[1]!;
    if (token === 'cls') expect(shape, `${t} map shape`).toEqual([N, 1, 1, D]);
    else expect(shape.slice(0, 1).concat(shape.slice(3)), `${t} map shape`).toEqual([N, D]);
    worst = Math.max(worst, expectClose(gap(data, shape), want.data, `${f.meta.arch} ${tag}${t} ${token}`));
    if (t === 'final' && token === 'mean') {
      const grid = f.arrays[`${tag}final@mean_map`]!;
      expect(shape).toEqual(grid.shape);
      expectClose(data, grid.data, `${f.meta.arch} ${tag}final patch grid`);
    }
  }
  return worst;
}
