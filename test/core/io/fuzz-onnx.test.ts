/**
 * Seeded fuzzing of `.onnx` files (fuzz-cases.ts's byte mutations, aimed half the time at the
 * graph's protobuf structure near the start and end of the file): reading, checking and opening
 * a mutated model ends in a typed CheckpointError or a model that runs, never a crash, a hang or
 * another exception. Kept to a few hundred cases so it runs in seconds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, createRng, initBackend, loadModel, OnnxTapError, UnknownTapError } from '@shapetex/core';
import { mutateBytes, PER_CASE_MS } from './fuzz-cases.js';
import { ONNX_FIX } from '../onnx/fixtures.js';

const SOURCES = ['cnn.onnx', 'vit.onnx', 'cnn_fixed.onnx', 'nested_if.onnx'];
const COUNT = 240;
const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-fuzz-onnx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => { await initBackend('cpu', { log: null }); });

/** One mutated model: a typed error, or a model whose forward gives rows or a typed error. */
async function onnxCase(file: string): Promise<'error' | 'valid'> {
  let m;
  try {
    m = await loadModel(file);
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
    return 'error';
  }
  const x = tf.zeros([2, m.inputSize!, m.inputSize!, 3]) as tf.Tensor4D;
  try {
    const got = await m.features(x, [m.taps[0]!]);
    expect(got[m.taps[0]!]!.length % 2).toBe(0);
    return 'valid';
  } catch (err) {
    // ONNX Runtime refusing the mutated graph (at session open or run) is a CheckpointError; a
    // tap the mutation made unusable is a tap error
    if (err instanceof CheckpointError || err instanceof OnnxTapError || err instanceof UnknownTapError) return 'error';
    throw err;
  } finally {
    x.dispose();
    m.dispose();
  }
}

describe('fuzzing .onnx files', () => {
  it(`${COUNT} seeded mutations: only typed errors or models that run`, async () => {
    const rng = createRng(Number(process.env.FUZZ_SEED ?? 20261207));
    const sources = SOURCES.map((n) => new Uint8Array(readFileSync(path.join(ONNX_FIX, n))));
    const tally = { errors: 0, valid: 0, slowest: 0 };
    for (let c = 0; c < COUNT; c++) {
      const file = path.join(tmp, `case${c % 4}.onnx`);
      writeFileSync(file, mutateBytes(rng, sources[c % sources.length]!));
      const t0 = performance.now();
      let outcome: 'error' | 'valid';
      try {
        outcome = await onnxCase(file);
      } catch (err) {
        throw new Error(`onnx case ${c} (${SOURCES[c % sources.length]}): ${(err as Error).stack}`);
      }
      tally[outcome === 'error' ? 'errors' : 'valid']++;
      tally.slowest = Math.max(tally.slowest, performance.now() - t0);
    }
    if (process.env.FUZZ_VERBOSE) console.log('onnx', tally);
    expect(tally.errors + tally.valid).toBe(COUNT);
    expect(tally.errors).toBeGreaterThan(COUNT / 10);
    expect(tally.valid).toBeGreaterThan(COUNT / 50);
    expect(tally.slowest).toBeLessThan(PER_CASE_MS);
  }, 120_000);
});
