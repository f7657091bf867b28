import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@shapetex/core';
// The pool is not re-exported from the package index yet (src/index.ts is not this area's file).
import { createFeaturePool, splitRows, type FeaturePool } from '../../../packages/core/dist/pool/index.js';
import { tinyNet } from './tiny-net.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const TINY = path.join(here, 'tiny-net.mjs');

/** Max |a − b| relative to max |b| (1 when b is all zeros). */
function relErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i]! - b[i]!)); den = Math.max(den, Math.abs(b[i]!)); }
  return num / (den || 1);
}

/** Row means of each tap computed on the main thread: the single-threaded path. */
function mainThread(net: ReturnType<typeof tinyNet>, x: tf.Tensor4D, taps: string[]): Record<string, Float32Array> {
  return tf.tidy(() => {
    const maps = net.forward(x, taps) as Record<string, tf.Tensor4D>;
    return Object.fromEntries(taps.map((t) => [t, tf.mean(maps[t]!, [1, 2]).dataSync() as Float32Array]));
  });
}

describe('splitRows', () => {
  it('shares differ by at most one, larger first, contiguous, covering every row once', () => {
    expect(splitRows(10, 3)).toEqual([{ start: 0, end: 4 }, { start: 4, end: 7 }, { start: 7, end: 10 }]);
    expect(splitRows(8, 2)).toEqual([{ start: 0, end: 4 }, { start: 4, end: 8 }]);
    expect(splitRows(2, 4)).toEqual([{ start: 0, end: 1 }, { start: 1, end: 2 }]);
    expect(splitRows(0, 3)).toEqual([]);
  });
  it('rejects negative or fractional counts and zero parts', () => {
    expect(() => splitRows(-1, 2)).toThrow(/non-negative integer, got -1/);
    expect(() => splitRows(3, 0)).toThrow(/positive integer, got 0/);
    expect(() => splitRows(2.5, 2)).toThrow(/got 2.5/);
  });
});

describe('createFeaturePool (wasm workers)', () => {
  let pool: FeaturePool;
  const net = () => tinyNet({ seed: 7, width: 6 }, { tf });
  beforeAll(async () => {
    await initBackend('wasm', { log: null });
    pool = await createFeaturePool({ workers: 2, factory: { module: TINY, exportName: 'tinyNet', options: { seed: 7, width: 6 } } });
  });
  afterAll(async () => { await pool?.dispose(); });

  it('reports the network and backend the workers built', () => {
    expect(pool.arch).toBe('tiny');
    expect(pool.taps).toEqual(['stage1', 'final']);
    expect(pool.workers).toBe(2);
    expect(pool.backend).toBe('wasm');
  });

  for (const n of [1, 2, 5]) {
    it(`pooled rows of a batch of ${n} equal the single-threaded path, in batch order`, async () => {
      const x = tf.randomNormal([n, 12, 12, 3], 0, 1, 'float32', n) as tf.Tensor4D;
      const ref = net();
      const want = mainThread(ref, x, ['stage1', 'final']);
      const got = await pool.features(x, ['stage1', 'final']);
      expect(got.stage1!.length).toBe(n * 6);
      expect(got.final!.length).toBe(n * 12);
      expect(relErr(got.stage1!, want.stage1!)).toBeLessThan(1e-6);
      expect(relErr(got.final!, want.final!)).toBeLessThan(1e-6);
      // rows are not interchangeable: a permuted batch gives permuted rows
      const rev = tf.reverse(x, 0) as tf.Tensor4D;
      const gotRev = await pool.features(rev, ['final']);
      if (n > 1) expect(relErr(gotRev.final!.subarray(0, 12), want.final!.subarray((n - 1) * 12))).toBeLessThan(1e-6);
      rev.dispose(); x.dispose(); ref.dispose();
    });
  }

  it('taps default to final; an empty batch gives empty rows', async () => {
    const x = tf.randomNormal([3, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    expect(Object.keys(await pool.features(x))).toEqual(['final']);
    x.dispose();
    const empty = await pool.featuresFromArray(new Float32Array(0), [0, 8, 8, 3], ['final']);
    expect(empty.final!.length).toBe(0);
  });

  it('bad input is named: unknown tap, data length, rank', async () => {
    const x = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
    await expect(pool.features(x, ['stage9'])).rejects.toThrow(/unknown tap\(s\) stage9 for tiny \(taps: stage1, final\)/);
    await expect(pool.featuresFromArray(new Float32Array(10), [2, 8, 8, 3])).rejects.toThrow(/data holds 10 floats, shape \[2, 8, 8, 3\] needs 384/);
    await expect(pool.features(tf.zeros([8, 8, 3]) as unknown as tf.Tensor4D)).rejects.toThrow(/rank 4, got shape \[8, 8, 3\]/);
    x.dispose();
  });

  it('leaks no tensors in the workers or the main thread over repeated batches', async () => {
    const x = tf.randomNormal([4, 10, 10, 3]) as tf.Tensor4D;
    await pool.features(x, ['stage1', 'final']);
    const workersBefore = await pool.memory();
    const mainBefore = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await pool.features(x, ['stage1', 'final']);
    expect(await pool.memory()).toEqual(workersBefore);
    expect(tf.memory().numTensors).toBe(mainBefore);
    // each worker holds exactly the network's four weight tensors between batches
    expect(workersBefore.map((m) => m.numTensors)).toEqual([4, 4]);
    x.dispose();
  });
});

describe('createFeaturePool lifecycle and errors', () => {
  beforeAll(async () => { await initBackend('wasm', { log: null }); });

  it('dispose releases the networks and ends the threads; later use is refused', async () => {
    const workerHandles = () => process.getActiveResourcesInfo().filter((r) => /worker|messageport/i.test(r)).length;
    const before = workerHandles();
    const pool = await createFeaturePool({ workers: 2, factory: { module: TINY, exportName: 'tinyNet' } });
    expect(workerHandles()).toBeGreaterThan(before);
    await pool.dispose();
    expect(workerHandles()).toBe(before);
    await expect(pool.featuresFromArray(new Float32Array(0), [0, 4, 4, 3])).rejects.toThrow(/used after dispose\(\)/);
    await pool.dispose(); // idempotent
  });

  it('a worker that dies mid-batch fails that batch and every later one with its exit code', async () => {
    const pool = await createFeaturePool({ workers: 2, factory: { module: TINY, exportName: 'crashingNet' } });
    try {
      const x = tf.zeros([4, 8, 8, 3]) as tf.Tensor4D;
      await expect(pool.features(x)).rejects.toThrow(/feature pool worker \d exited \(code 3\)/);
      await expect(pool.features(x)).rejects.toThrow(/exited \(code 3\)/);
      x.dispose();
    } finally {
      await pool.dispose();
    }
  });

  it('a factory that is not a function, or no model source, fails to start with the reason', async () => {
    await expect(createFeaturePool({ workers: 1, factory: { module: TINY, exportName: 'notAFunction' } })).rejects.toThrow(/tiny-net\.mjs has no function export 'notAFunction'/);
    await expect(createFeaturePool({ workers: 1 })).rejects.toThrow(/exactly one of stateDict, modelPath or factory \(got 0\)/);
    await expect(createFeaturePool({ workers: 0, factory: { module: TINY } })).rejects.toThrow(/workers must be a positive integer, got 0/);
  });
});

describe('FeaturePool.load (next checkpoint in the same workers)', () => {
  beforeAll(async () => { await initBackend('wasm', { log: null }); });

  it('swaps the network in every worker: features follow the new weights, memory stays at one network', async () => {
    const pool = await createFeaturePool({ workers: 2, factory: { module: TINY, exportName: 'tinyNet', options: { seed: 1, width: 4 } } });
    try {
      const x = tf.randomNormal([3, 9, 9, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const a = await pool.features(x);
      expect(a.final!.length).toBe(3 * 8);
      await pool.load({ factory: { module: TINY, exportName: 'tinyNet', options: { seed: 2, width: 5 } } });
      const b = await pool.features(x, ['final']);
      const ref = tinyNet({ seed: 2, width: 5 }, { tf });
      expect(b.final!.length).toBe(3 * 10);
      expect(relErr(b.final!, mainThread(ref, x, ['final']).final!)).toBeLessThan(1e-6);
      expect((await pool.memory()).map((m) => m.numTensors)).toEqual([4, 4]);
      ref.dispose();
      // a failed load leaves no network: features then says so instead of using stale weights
      await expect(pool.load({ factory: { module: TINY, exportName: 'notAFunction' } })).rejects.toThrow(/no function export 'notAFunction'/);
      await expect(pool.features(x)).rejects.toThrow(/no network loaded/);
      await expect(pool.load({})).rejects.toThrow(/exactly one of stateDict, modelPath or factory \(got 0\)/);
      x.dispose();
    } finally {
      await pool.dispose();
    }
  });
});
