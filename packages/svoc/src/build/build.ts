/**
 * `buildSvoc`: Stylized PASCAL VOC (docs/formats.md, "Probe sets"), every selected VOC content stylized with every
 * chosen DTD texture by AdaIN, written resumably with a manifest.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { acquireOutputLock, initBackend, UsageError, VERSION } from '@shapetex/core';
import { coral } from '../adain/coral.js';
import { createStylizer, type WeightsSource } from '../adain/stylizer.js';
import { MANIFEST_FILE, compareRecords, readManifest, writeManifest } from '../probe/manifest.js';
import { writeFileAtomic } from '../probe/atomic.js';
import { formatProbeFileName } from '../probe/names.js';
import { VOC_CLASSES, type Manifest, type ProbeRecord } from '../types.js';
import { chooseTextures, type Texture, type TextureChoice } from './dtd.js';
import { encodeJpeg, loadStyleInput } from './images.js';
import { createProgress, type ProgressOptions } from './progress.js';
import { selectVocImages, type VocContent, type VocSelectionMode } from './voc.js';
import { readAdainWeights } from './weights.js';

export interface BuildSvocOptions {
  /** VOC2012 folder (holding `Annotations/`, `JPEGImages/`, `ImageSets/`), or its parent. */
  voc: string;
  /** DTD folder (holding `images/<category>/`); needed unless `textures` lists files. */
  dtd?: string;
  /** The encoder weights (`vgg_normalised.pth`) or their state_dict. */
  vgg: WeightsSource;
  /** The decoder weights (`decoder.pth`) or their state_dict. */
  decoder: WeightsSource;
  /** Output folder; created if missing. A folder with a manifest from an earlier run is resumed. */
  out: string;
  /** N (drawn with `seed`, default 5), `islam2021`, or files / DTD names. */
  textures?: TextureChoice;
  /** Seed of the texture draw; default 0. */
  seed?: number;
  /** Style strength α ∈ [0, 1]; default 1. */
  alpha?: number;
  /** Shorter side of content and style in pixels; default 512. */
  size?: number;
  /** Centre-crop content and style to `size`×`size`; default false. */
  crop?: boolean;
  /** CORAL: give each style the content's RGB mean and covariance first; default false. */
  preserveColor?: boolean;
  /** Image-set file or name in `ImageSets/Main`; default `trainval`. */
  imageSet?: string;
  /** Content selection rule; default `single-object`. */
  select?: VocSelectionMode;
  /** List file in the reference format (`{classId}_{imageId}` per line); replaces the image set. */
  list?: string;
  /** Stylize only the first N selected contents (N·T images); for trials. */
  limit?: number;
  /** JPEG quality; default 95. */
  quality?: number;
  /** Compute backend for `initBackend`; default: the one already chosen, else `auto`. */
  backend?: string;
  /** Messages (selection counts, skips, resume); default stderr. `null` for silence. */
  log?: ((line: string) => void) | null;
  /** Progress display; default a bar on a terminal stderr, plain lines otherwise. `null` for none. */
  progress?: Pick<ProgressOptions, 'stream' | 'lineInterval'> | null;
  /** Seconds between manifest rewrites while running (default 2); it is always written at the end. */
  manifestInterval?: number;
  /** Stops after the content in progress; the manifest is written, then the promise rejects with an `AbortError`. */
  signal?: AbortSignal;
}

async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

const weightsInfo = async (w: WeightsSource): Promise<{ file: string | null; sha256: string | null }> =>
  typeof w === 'string' ? { file: path.resolve(w), sha256: await sha256File(w) } : { file: null, sha256: null };

/** Build parameters that change the pixels: a resumed run must use the same. */
const OUTPUT_KEYS = ['alpha', 'size', 'crop', 'preserveColor', 'quality'] as const;

function checkResumable(old: Manifest, build: Record<string, unknown>, textures: Manifest['textures'], file: string): void {
  const clash: string[] = [];
  if (old.kind !== 'svoc') clash.push(`kind ${old.kind}`);
  for (const k of OUTPUT_KEYS) if (old.build[k] !== build[k]) clash.push(`${k} ${JSON.stringify(old.build[k])} (now ${JSON.stringify(build[k])})`);
  const oldT = old.textures.map((t) => `${t.id}:${t.sha256}`).join(',');
  const newT = textures.map((t) => `${t.id}:${t.sha256}`).join(',');
  if (oldT !== newT) clash.push(`textures ${old.textures.map((t) => t.name).join(',')} (now ${textures.map((t) => t.name).join(',')})`);
  const ow = old.build.weights as { vgg?: { sha256?: unknown }; decoder?: { sha256?: unknown } } | undefined;
  const nw = build.weights as { vgg: { sha256: unknown }; decoder: { sha256: unknown } };
  if (ow?.vgg?.sha256 !== nw.vgg.sha256 || ow?.decoder?.sha256 !== nw.decoder.sha256) clash.push('AdaIN weights (sha256 differ)');
  if (clash.length > 0) {
    throw new Error(`${file}: this folder holds a set built with other parameters: ${clash.join('; ')}. Use another --out, or the same options to resume.`);
  }
}

const isFile = (p: string): Promise<boolean> => stat(p).then((s) => s.isFile() && s.size > 0, () => false);

/**
 * Builds (or resumes) an SVOC probe set in `out` (docs/formats.md): for each selected VOC content c
 * and texture t, `{t}_{classId}_{c}.jpg` = AdaIN(content, texture) at `size`, clipped to [0, 1],
 * JPEG `quality`. Every image is written under a temporary name and renamed; `manifest.json`
 * (records, textures with sha256, classes, build parameters with the weights' sha256, library
 * version) is rewritten atomically every `manifestInterval` seconds and at the end. An image
 * recorded in the manifest and present on disk is not redone, so a killed run reruns to
 * completion without repeating or duplicating work. Contents that fail to decode are reported
 * and skipped. Returns the final manifest.
 *
 * One writer per folder: `out` is locked for the build (core's output lock, `out/.lock`); a
 * second build on it is refused with an OutputLockedError naming the running one.
 */
export async function buildSvoc(options: BuildSvocOptions): Promise<Manifest> {
  // The weights before anything else, the output folder included: a wrong file fails in a second.
  const weights = await readAdainWeights(options.vgg, options.decoder);
  const lock = await acquireOutputLock(path.resolve(options.out), 'svoc build');
  try {
    return await buildLocked(options, weights);
  } finally {
    await lock.release();
  }
}

async function buildLocked(options: BuildSvocOptions, weights: Awaited<ReturnType<typeof readAdainWeights>>): Promise<Manifest> {
  const o = { seed: 0, alpha: 1, size: 512, crop: false, preserveColor: false, quality: 95, textures: 5 as TextureChoice, manifestInterval: 2, ...options };
  const log = o.log === undefined ? (l: string): void => { process.stderr.write(`${l}\n`); } : o.log ?? ((): void => undefined);
  if (!(o.alpha >= 0 && o.alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${o.alpha}`);
  if (!Number.isInteger(o.size) || o.size < 8) throw new RangeError(`size must be an integer of at least 8, got ${o.size}`);
  if (!Number.isInteger(o.quality) || o.quality < 1 || o.quality > 100) throw new RangeError(`quality must be an integer from 1 to 100, got ${o.quality}`);
  if (o.limit !== undefined && (!Number.isInteger(o.limit) || o.limit < 1)) throw new RangeError(`limit must be a positive integer, got ${o.limit}`);
  const out = path.resolve(o.out);
  const manifestFile = path.join(out, MANIFEST_FILE);
  // Unreadable inputs (VOC folder, image set, list, DTD, textures) are usage errors: nothing was done yet.
  const asUsage = (err: Error): never => { throw new UsageError(err.message, { cause: err }); };
  const selection = await selectVocImages(o.voc, { ...(o.imageSet !== undefined ? { imageSet: o.imageSet } : {}), ...(o.list !== undefined ? { list: o.list } : {}), mode: o.select ?? 'single-object' })
    .catch(asUsage);
  for (const s of selection.skipped) log(`svoc build: skipped ${s.contentId}: ${s.reason}`);
  log(`svoc build: selected ${selection.selected.length} of ${selection.considered} images in ${selection.source} (${o.list !== undefined ? 'list' : o.select ?? 'single-object'}; ${selection.excluded} excluded by the rule, ${selection.skipped.length} skipped)`);
  if (selection.selected.length === 0) throw new UsageError(`no VOC image selected from ${selection.source}`);
  const contents = o.limit !== undefined ? selection.selected.slice(0, o.limit) : selection.selected;

  const textures: Texture[] = await chooseTextures(o.dtd, o.textures, o.seed).catch(asUsage);
  const textureEntries = await Promise.all(textures.map(async (t) => ({ id: t.id, name: t.name, source: t.source, sha256: await sha256File(t.source) })));
  log(`svoc build: textures ${textures.map((t) => `${t.id}=${t.name}`).join(', ')}`);

  const build: Record<string, unknown> = {
    alpha: o.alpha, size: o.size, crop: o.crop, preserveColor: o.preserveColor, quality: o.quality, seed: o.seed,
    textures: typeof o.textures === 'number' || o.textures === 'islam2021' ? o.textures : 'list',
    selection: { mode: o.list !== undefined ? 'list' : o.select ?? 'single-object', source: selection.source, considered: selection.considered, selected: selection.selected.length, skipped: selection.skipped.length },
    weights: { vgg: await weightsInfo(o.vgg), decoder: await weightsInfo(o.decoder) },
  };

  // Resume: keep the records whose image is on disk.
  const done = new Map<string, ProbeRecord>();
  if (await isFile(manifestFile)) {
    const old = await readManifest(manifestFile);
    checkResumable(old, build, textureEntries, manifestFile);
    for (const r of old.records) if (await isFile(path.join(out, r.file))) done.set(r.file, r);
    log(`svoc build: resuming in ${out}: ${done.size} of ${old.records.length} recorded images present`);
  }

  const info = await initBackend(o.backend, { log: o.log === null ? null : log });
  build.backend = info.name;
  const stylizer = await createStylizer(weights);

  const manifestOf = (): Manifest => ({
    kind: 'svoc', version: VERSION, factors: ['shape', 'texture'],
    records: [...done.values()].sort(compareRecords),
    textures: textureEntries,
    classes: VOC_CLASSES.map((name, i) => ({ id: i + 1, name })),
    build,
    created: new Date().toISOString(),
  });
  let lastWrite = performance.now();
  let written: Manifest | undefined;
  const flush = async (): Promise<void> => { written = manifestOf(); await writeManifest(out, written); lastWrite = performance.now(); };

  const recordOf = (c: VocContent, t: Texture): ProbeRecord => ({
    file: formatProbeFileName({ textureId: t.id, classId: c.classId, contentId: c.contentId }),
    factors: { shape: c.contentId, texture: t.id },
    classId: c.classId, className: c.className, contentId: c.contentId, textureId: t.id, textureName: t.name,
  });
  const total = contents.length * textures.length;
  const already = contents.reduce((n, c) => n + textures.filter((t) => done.has(recordOf(c, t).file)).length, 0);
  const progress = o.progress === null ? null : createProgress({ total, initial: already, ...(o.progress ?? {}) });
  let finished = already;
  progress?.update(finished);

  const failed: string[] = [];
  let styles: tf.Tensor3D[] = [];
  let styleFeatures: tf.Tensor4D[] | null = null;
  // The next content is decoded while the current one is stylized.
  let next: Promise<tf.Tensor3D | Error> | null = null;
  try {
    styles = await Promise.all(textures.map((t) => loadStyleInput(t.source, o.size, o.crop)));
    // Without colour preservation a texture's features are the same for every content: encode once.
    styleFeatures = o.preserveColor ? null : styles.map((s) => stylizer.encode(s));
    const load = (c: VocContent | undefined): Promise<tf.Tensor3D | Error> | null =>
      c ? loadStyleInput(c.file, o.size, o.crop).catch((e: Error) => e) : null;
    const todo = contents.filter((c) => textures.some((t) => !done.has(recordOf(c, t).file)));
    next = load(todo[0]);
    for (let i = 0; i < todo.length; i++) {
      if (o.signal?.aborted) break;
      const c = todo[i]!;
      const content = await next!;
      next = load(todo[i + 1]);
      if (content instanceof Error) {
        failed.push(c.contentId);
        log(`svoc build: skipped ${c.contentId}: ${content.message}`);
        continue;
      }
      const [h, w] = content.shape;
      const fc = stylizer.encode(content);
      try {
        for (let k = 0; k < textures.length; k++) {
          const rec = recordOf(c, textures[k]!);
          if (done.has(rec.file)) continue;
          const cached = styleFeatures;
          const styled = tf.tidy(() => {
            if (cached) return stylizer.decode(fc, cached[k]!, { alpha: o.alpha });
            const fs = stylizer.encode(coral(styles[k]!, content));
            return stylizer.decode(fc, fs, { alpha: o.alpha });
          });
          const jpeg = await encodeJpeg(styled, h, w, o.quality).finally(() => styled.dispose());
          await writeFileAtomic(path.join(out, rec.file), jpeg);
          done.set(rec.file, rec);
          progress?.update(++finished);
        }
      } finally {
        tf.dispose([fc, content]);
      }
      if ((performance.now() - lastWrite) / 1000 >= o.manifestInterval) await flush();
    }
  } finally {
    const pending = await next;
    if (pending && !(pending instanceof Error)) pending.dispose();
    tf.dispose([...styles, ...(styleFeatures ?? [])]);
    stylizer.dispose();
    await flush();
    progress?.finish();
  }
  if (o.signal?.aborted) {
    const err = new Error(`svoc build interrupted: ${done.size} images recorded in ${manifestFile}; rerun the same command to finish`);
    err.name = 'AbortError';
    throw err;
  }
  if (failed.length > 0) log(`svoc build: ${failed.length} content image(s) could not be read: ${failed.join(', ')}`);
  log(`svoc build: ${done.size} images in ${out} (${contents.length} contents x ${textures.length} textures${o.limit !== undefined ? `, --limit ${o.limit}` : ''})`);
  return written!;
}
