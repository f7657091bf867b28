/**
 * A lane stylizes whole contents: one backend, one AdaIN stylizer, the textures' style inputs
 * (and, without colour preservation, their features, encoded once). `svoc build` runs one lane
 * in its own thread, or one per worker thread (workers.ts), each with its own backend.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, writeFileAtomic, type BackendSettings, type OnnxDevice } from '@shapetex/core';
import { coral } from '../adain/coral.js';
import { createStylizer, type Stylizer, type WeightsSource } from '../adain/stylizer.js';
import { formatProbeFileName } from '../probe/names.js';
import type { Texture } from './dtd.js';
import { encodeJpeg, loadStyleInput } from './images.js';
import type { VocContent } from './voc.js';

/** What every lane of a build needs; plain data, so it crosses to worker threads as it is. */
export interface StylizeJob {
  vgg: WeightsSource;
  decoder: WeightsSource;
  /** Backend for `initBackend`; undefined: the one already chosen, else `auto`. */
  backend?: string;
  /**
   * Backend and kernel settings for `initBackend`: a worker lane gets the main thread's in force,
   * so it does not re-read the environment; undefined: the settings in force in this thread.
   */
  settings?: BackendSettings;
  /** ONNX Runtime's device and threads for `initBackend` (backend onnx or auto). */
  engine?: { device?: OnnxDevice; threads?: number };
  textures: Texture[];
  size: number;
  crop: boolean;
  alpha: number;
  quality: number;
  preserveColor: boolean;
  /** Output folder (absolute). */
  out: string;
}

/** A content done: the files written, why the content image could not be read, or not started (cancel). */
export type LaneOutcome = { files: string[] } | { skipped: string } | { cancelled: true };

export interface Lane {
  backend: string;
  device: string;
  settings: BackendSettings;
  /**
   * Stylizes content `c` with the textures at `todo` (indices into the job's textures), writing
   * each image atomically and calling `onImage` with its file name. Calls may overlap: the
   * content image of a later call is decoded while an earlier one is stylized, and the
   * stylizations run one after the other in call order.
   */
  run(c: VocContent, todo: number[], onImage: (file: string) => void): Promise<LaneOutcome>;
  /** Runs not yet started resolve as cancelled (a stop: the content in progress is finished). */
  cancel(): void;
  dispose(): Promise<void>;
}

/** The reference file name of content c stylized with texture t. */
export const imageFileOf = (c: VocContent, t: Texture): string =>
  formatProbeFileName({ textureId: t.id, classId: c.classId, contentId: c.contentId });

/**
 * A lane in this thread. `log` receives the backend line (null: silence). Rejects, having freed
 * everything, when the backend, the weights or a texture cannot be had.
 */
export async function createLocalLane(job: StylizeJob, log: ((line: string) => void) | null): Promise<Lane> {
  const info = await initBackend(job.backend, { ...job.settings, ...job.engine, log });
  const stylizer = await createStylizer({ vgg: job.vgg, decoder: job.decoder });
  let styles: tf.Tensor3D[] = [];
  let features: tf.Tensor4D[] | null = null;
  try {
    styles = await Promise.all(job.textures.map((t) => loadStyleInput(t.source, job.size, job.crop)));
    // Without colour preservation a texture's features are the same for every content: encode once.
    features = job.preserveColor ? null : await encodeAll(stylizer, styles);
  } catch (err) {
    tf.dispose(styles);
    stylizer.dispose();
    throw err;
  }
  let chain: Promise<unknown> = Promise.resolve();
  let cancelled = false;
  return {
    backend: info.name,
    device: info.device,
    settings: { ...info.settings },
    run(c, todo, onImage) {
      const loaded = loadStyleInput(c.file, job.size, job.crop).catch((e: Error) => e);
      const result = chain.then(async (): Promise<LaneOutcome> => {
        const content = await loaded;
        if (cancelled) {
          if (!(content instanceof Error)) content.dispose();
          return { cancelled: true };
        }
        if (content instanceof Error) return { skipped: content.message };
        try {
          return { files: await stylizeContent(stylizer, job, styles, features, c, content, todo, onImage) };
        } finally {
          content.dispose();
        }
      });
      chain = result.catch(() => undefined);
      return result;
    },
    cancel() { cancelled = true; },
    async dispose() {
      await chain;
      tf.dispose([...styles, ...(features ?? [])]);
      stylizer.dispose();
    },
  };
}

/** Each image's features, in order; on a failure the ones already made are freed. */
async function encodeAll(s: Stylizer, images: readonly tf.Tensor3D[]): Promise<tf.Tensor4D[]> {
  const out: tf.Tensor4D[] = [];
  try {
    for (const im of images) out.push(await s.encode(im));
  } catch (err) {
    tf.dispose(out);
    throw err;
  }
  return out;
}

/**
 * Textures decoded in one batch with a content: a content's every texture at once on ONNX
 * Runtime, bounded so that a 512 px batch's decoder activations stay within a few hundred MB.
 */
const DECODE_BATCH = 4;

async function stylizeContent(s: Stylizer, job: StylizeJob, styles: tf.Tensor3D[], features: tf.Tensor4D[] | null, c: VocContent,
  content: tf.Tensor3D, todo: number[], onImage: (file: string) => void): Promise<string[]> {
  const [h, w] = content.shape;
  const fc = await s.encode(content);
  const files: string[] = [];
  try {
    for (let i = 0; i < todo.length; i += DECODE_BATCH) {
      const ks = todo.slice(i, i + DECODE_BATCH);
      // with colour preservation a texture's features depend on the content (CORAL)
      const inputs = features ? [] : ks.map((k) => tf.tidy(() => coral(styles[k]!, content)));
      const own = features ? null : await encodeAll(s, inputs).finally(() => tf.dispose(inputs));
      const styled = await s.decodeMany(fc, own ?? ks.map((k) => features![k]!), { alpha: job.alpha }).finally(() => { if (own) tf.dispose(own); });
      try {
        for (const [j, k] of ks.entries()) {
          const jpeg = await encodeJpeg(styled[j]!, h, w, job.quality);
          const file = imageFileOf(c, job.textures[k]!);
          await writeFileAtomic(path.join(job.out, file), jpeg);
          files.push(file);
          onImage(file);
        }
      } finally {
        tf.dispose(styled);
      }
    }
  } finally {
    fc.dispose();
  }
  return files;
}
