/**
 * Features of a whole image set: batches forwarded one at a time, pooled tap rows appended in
 * order. Only tensors made here are disposed; the batches belong to the caller.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageBatch } from '../image/load.js';
import { resolveTaps, type FeatureModel } from '../zoo/feature-model.js';

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
 * A batch as extraction takes it: a tensor, or host pixels (`batchImages`' batches, a prepared
 * probe set's), which become a tensor for the one pass and are freed after it.
 */
type Batch = tf.Tensor4D | Pick<ImageBatch, 'data' | 'shape'>;

/** What extraction needs of a model: a FeatureModel's `features` and tap names. */
type FeatureSource = Pick<FeatureModel, 'arch' | 'taps' | 'features'>
  & Partial<Pick<FeatureModel, 'layerTaps' | 'hasLogits' | 'noLogitsReason' | 'tapChannels'>>;

/**
 * Run `model.features` over every batch and concatenate the rows per tap: the result holds
 * N = Σ batch sizes rows. Batches may come from an async iterator (the streaming batcher), so
 * only one batch's maps are alive at a time; host pixels may be a reused buffer, since each
 * batch is done with before the next is asked for. Every tap must give N×D rows with one D.
 */
export async function extractFeatures(
  model: FeatureSource,
  batches: AsyncIterable<Batch> | Iterable<Batch>,
  opts: ExtractOptions = {},
): Promise<Record<string, TapFeatures>> {
  const taps = resolveTaps(model, opts.taps);
  const parts = new Map<string, Float32Array[]>(taps.map((t) => [t, []]));
  const dims = new Map<string, number>();
  for await (const batch of batches) {
    const got = await batchFeatures(model, batch, taps);
    const n = batch.shape[0];
    for (const t of taps) {
      const rows = got[t];
      if (!rows) throw new Error(`${model.arch}: features() returned no '${t}'`);
      if (n === 0) continue;
      dims.set(t, tapWidth(model.arch, t, rows.length, n, dims.get(t)));
      parts.get(t)!.push(rows);
    }
  }
  const out: Record<string, TapFeatures> = {};
  for (const t of taps) out[t] = { D: dims.get(t) ?? model.tapChannels?.[t] ?? 0, data: concatRows(parts.get(t)!) };
  return out;
}

/** One batch's pooled rows; a tensor made from host pixels is freed after the pass. */
async function batchFeatures(model: FeatureSource, batch: Batch, taps: string[]): Promise<Record<string, Float32Array>> {
  if (typeof batch.data === 'function') return model.features(batch as tf.Tensor4D, taps);
  const x = tf.tensor4d(batch.data, batch.shape);
  try {
    return await model.features(x, taps);
  } finally {
    x.dispose();
  }
}

/** D of a tap's rows for a batch of n images: a whole positive number, the same in every batch. */
function tapWidth(arch: string, tap: string, values: number, n: number, earlier: number | undefined): number {
  if (values % n !== 0 || values === 0) throw new Error(`${arch}: tap '${tap}' returned ${values} values for ${n} images`);
  const D = values / n;
  if (earlier !== undefined && earlier !== D) throw new Error(`${arch}: tap '${tap}' has D = ${D} in one batch and ${earlier} in another`);
  return D;
}

/** The parts one after another, in order. */
function concatRows(parts: Float32Array[]): Float32Array {
  const data = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    data.set(p, off);
    off += p.length;
  }
  return data;
}
