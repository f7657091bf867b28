import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import { prepareImage, type PrepareOptions } from './decode.js';
import { resolvePreprocessing } from './preset.js';

export interface LoadImagesOptions extends PrepareOptions {
  /** Images decoded at the same time; default: the number of CPU cores. */
  concurrency?: number;
}

/** Run `fn` over `items` with at most `limit` in flight; resolves when all are done. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Decode and prepare a list of images into one NHWC float32 buffer. */
export async function prepareImages(paths: readonly string[], opts: LoadImagesOptions): Promise<Float32Array> {
  const { size } = resolvePreprocessing(opts);
  const per = size * size * 3;
  const out = new Float32Array(paths.length * per);
  await forEachLimited(paths, opts.concurrency ?? os.availableParallelism(), (p, i) => prepareImage(p, opts, out, i * per));
  return out;
}

/**
 * Load images as one NHWC float32 tensor [N, size, size, 3]: decoded with sharp (EXIF
 * orientation applied, grey and alpha to RGB), resized to a square (`resize`: PIL-convention
 * antialiased bilinear by default, or OpenCV's INTER_LINEAR), scaled to [0,1], normalised, and
 * channels in `channelOrder` (RGB by default). `preset: 'islam2021'` is the reference
 * implementation's recipe (513 px, cv2-linear, BGR, its normalisation). A missing or corrupt
 * file rejects with an `ImageError` naming it.
 */
export async function loadImages(paths: readonly string[], opts: LoadImagesOptions): Promise<tf.Tensor4D> {
  const data = await prepareImages(paths, opts);
  const { size } = resolvePreprocessing(opts);
  return tf.tensor4d(data, [paths.length, size, size, 3]);
}

export interface ImageBatch {
  /** Index of the batch's first image in the input list. */
  start: number;
  paths: string[];
  /** NHWC float32 values of the batch, row-major. */
  data: Float32Array;
  shape: [number, number, number, number];
}

export interface BatchOptions extends LoadImagesOptions {
  batchSize: number;
}

/**
 * Prepare a long list of images batch by batch. At most one batch is prepared ahead of the one
 * being consumed, so memory stays bounded by two batches whatever the list's length; within a
 * batch images decode in parallel. Yields plain arrays (not tensors) so the consumer decides
 * when data goes to the device and can keep them across checkpoints.
 */
export async function* batchImages(paths: readonly string[], opts: BatchOptions): AsyncGenerator<ImageBatch> {
  const { batchSize } = opts;
  const { size } = resolvePreprocessing(opts);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const make = (start: number): Promise<ImageBatch> => {
    const slice = paths.slice(start, start + batchSize);
    return prepareImages(slice, opts).then((data) => ({
      start,
      paths: slice,
      data,
      shape: [slice.length, size, size, 3] as [number, number, number, number],
    }));
  };
  let ahead: Promise<ImageBatch> | undefined = paths.length > 0 ? make(0) : undefined;
  for (let start = 0; ahead; start += batchSize) {
    const current = await ahead;
    // Avoid an unhandled rejection on the prefetched batch if the consumer stops early.
    ahead = start + batchSize < paths.length ? make(start + batchSize) : undefined;
    ahead?.catch(() => undefined);
    yield current;
  }
}
