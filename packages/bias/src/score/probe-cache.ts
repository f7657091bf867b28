import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { batchImages, type ChannelOrder, type Normalization, type ResizeMethod } from '@shapetex/core';
import { BIAS_DEFAULTS } from '../defaults.js';

/** One batch of prepared probe images (NHWC float32), rows `start .. start + n − 1`. */
export interface PreparedBatch {
  start: number;
  data: Float32Array;
  shape: [number, number, number, number];
}

/**
 * The probe set's images, decoded, resized and normalised ONCE per run, then handed out batch
 * by batch for every checkpoint. Small sets stay in memory;
 * sets larger than `memoryLimitBytes` go to a disk cache (one raw float32 file per batch in a
 * private temporary folder) that is read back per checkpoint into one reused buffer, so memory
 * stays at one batch whatever the set's size.
 */
export interface PreparedProbe {
  count: number;
  batchSize: number;
  /** Where the prepared pixels live. */
  storage: 'memory' | 'disk';
  batches(): AsyncIterable<PreparedBatch>;
  /** Removes the disk cache, if any. */
  close(): Promise<void>;
}

export interface PrepareProbeOptions {
  size: number;
  norm: Normalization;
  /** Default `pil`. */
  resize?: ResizeMethod;
  /** Default `rgb`. */
  channelOrder?: ChannelOrder;
  batchSize: number;
  /** Above this many bytes of prepared pixels, use the disk cache. Default 1 GiB. */
  memoryLimitBytes?: number;
  /** Folder for the disk cache; default the system's temporary folder. */
  cacheDir?: string;
  onBatch?: (done: number, total: number) => void;
}

export async function prepareProbe(files: readonly string[], opts: PrepareProbeOptions): Promise<PreparedProbe> {
  const { size, norm, batchSize } = opts;
  const bytes = files.length * size * size * 3 * 4;
  const limit = opts.memoryLimitBytes ?? 2 ** 30;
  const stream = batchImages(files, { size, norm, batchSize, resize: opts.resize ?? BIAS_DEFAULTS.resize, channelOrder: opts.channelOrder ?? BIAS_DEFAULTS.channelOrder });
  if (bytes <= limit) {
    const kept: PreparedBatch[] = [];
    for await (const b of stream) {
      kept.push({ start: b.start, data: b.data, shape: b.shape });
      opts.onBatch?.(b.start + b.paths.length, files.length);
    }
    return {
      count: files.length, batchSize, storage: 'memory',
      async *batches() { yield* kept; },
      async close() { kept.length = 0; },
    };
  }
  const dir = await mkdtemp(path.join(opts.cacheDir ?? os.tmpdir(), 'shapetex-probe-'));
  const index: { start: number; file: string; shape: [number, number, number, number] }[] = [];
  try {
    for await (const b of stream) {
      const file = path.join(dir, `batch-${index.length}.f32`);
      await writeFile(file, new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength));
      index.push({ start: b.start, file, shape: b.shape });
      opts.onBatch?.(b.start + b.paths.length, files.length);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const buffer = new Float32Array(batchSize * size * size * 3);
  return {
    count: files.length, batchSize, storage: 'disk',
    async *batches() {
      for (const entry of index) {
        const n = entry.shape.reduce((a, b) => a * b, 1);
        const view = buffer.subarray(0, n);
        const fh = await open(entry.file, 'r');
        try {
          await fh.read(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), 0, view.byteLength, 0);
        } finally {
          await fh.close();
        }
        // The buffer is reused: the consumer must be done with a batch before asking for the next.
        yield { start: entry.start, data: view, shape: entry.shape };
      }
    },
    async close() { await rm(dir, { recursive: true, force: true }); },
  };
}
