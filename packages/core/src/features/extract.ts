/**
 * Features of a whole image set: batches forwarded one at a time, pooled tap rows appended in
 * order. Only tensors made here are disposed; the batches belong to the caller.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { resolveTaps, type FeatureModel } from './feature-model.js';

export interface TapFeatures {
  /** Channel count of the tap. */
  D: number;
  /** Row-major N×D, one row per image in batch order. */
  data: Float32Array;
}

export interface ExtractOptions {
  /** Taps to return; default `['final']`. */
  taps?: readonly string[];
}

/**
 * Run `model.features` over every batch and concatenate the rows per tap: the result holds
 * N = Σ batch sizes rows. Batches may come from an async iterator (the streaming batcher), so
 * only one batch's maps are alive at a time.
 */
export async function extractFeatures(
  model: FeatureModel,
  batches: AsyncIterable<tf.Tensor4D> | Iterable<tf.Tensor4D>,
  opts: ExtractOptions = {},
): Promise<Record<string, TapFeatures>> {
  const taps = resolveTaps(model, opts.taps);
  const parts: Record<string, Float32Array[]> = Object.fromEntries(taps.map((t) => [t, []]));
  let n = 0;
  for await (const batch of batches) {
    const f = await model.features(batch, taps);
    for (const t of taps) parts[t]!.push(f[t]!);
    n += batch.shape[0];
  }
  const out: Record<string, TapFeatures> = {};
  for (const t of taps) {
    const total = parts[t]!.reduce((a, p) => a + p.length, 0);
    const D = n > 0 ? total / n : (model.tapChannels?.[t] ?? 0);
    const data = new Float32Array(total);
    let off = 0;
    for (const p of parts[t]!) {
      data.set(p, off);
      off += p.length;
    }
    out[t] = { D, data };
  }
  return out;
}
