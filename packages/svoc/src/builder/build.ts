/**
 * `buildSvoc`: Stylized PASCAL VOC (docs/formats.md, "Probe sets"), every selected VOC content
 * stylized with every chosen DTD texture by AdaIN, written resumably with a manifest; in this
 * thread or over worker threads (lane.ts, workers.ts), whole or as one shard of several (shard.ts).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { acquireOutputLock, backendSettings, CORE_DEFAULTS, createProgress, currentBackend, InterruptedError, UsageError, VERSION, type OnnxDevice, type ProgressOptions } from '@shapetex/core';
import type { WeightsSource } from '../adain/stylizer.js';
import { MANIFEST_FILE, compareRecords, readManifest, writeManifest } from '../probe/manifest.js';
import { VOC_CLASSES, type Manifest, type ProbeRecord } from '../types.js';
import { chooseTextures, type Texture, type TextureChoice } from './dtd.js';
import { SVOC_DEFAULTS } from '../defaults.js';
import { driveLanes } from './drive.js';
import { createLocalLane, imageFileOf, type Lane, type StylizeJob } from './lane.js';
import { shardItems, shardLabel, type Shard } from './shard.js';
import { selectVocImages, type VocContent, type VocSelectionMode } from './voc.js';
import { readAdainWeights } from './weights.js';
import { createWorkerLanes } from './workers.js';

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
  /** ONNX Runtime's device and threads for `initBackend` (backend onnx or auto). */
  engine?: { device?: OnnxDevice; threads?: number };
  /**
   * Worker threads, each with its own backend instance and stylizer, each stylizing whole
   * contents; default 1 (this thread). The images are the same bytes whatever the count.
   */
  workers?: number;
  /**
   * Build only shard `index` of `count`: the selected contents (after `limit`) whose position
   * is ≡ index (mod count). Each shard resumes on its own; `mergeSvoc` joins the folders.
   */
  shard?: Shard;
  /** Messages (selection counts, skips, resume); default stderr. `null` for silence. */
  log?: ((line: string) => void) | null;
  /** Progress display; default a bar on a terminal stderr, plain lines otherwise. `null` for none. */
  progress?: Pick<ProgressOptions, 'stream' | 'lineInterval'> | null;
  /** Seconds between manifest rewrites while running (default 2); it is always written at the end. */
  manifestInterval?: number;
  /** Stops after the content in progress; the manifest is written, then the promise rejects with core's `InterruptedError`. */
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
  if (shardLabel(old.build.shard) !== shardLabel(build.shard)) clash.push(`shard ${shardLabel(old.build.shard)} (now ${shardLabel(build.shard)})`);
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
 * and skipped. The manifest's `build` records the backend, device and backend settings the
 * images were made with. Returns the final manifest.
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

type AdainWeights = Awaited<ReturnType<typeof readAdainWeights>>;
type Log = (line: string) => void;

/** The options with svoc's defaults filled in (an option given as `undefined` stays undefined, as given). */
function withDefaults(options: BuildSvocOptions) {
  const d = SVOC_DEFAULTS.build;
  return {
    seed: d.seed, alpha: d.alpha, size: d.size, crop: d.crop as boolean, preserveColor: d.preserveColor as boolean, quality: d.quality,
    textures: d.textures as TextureChoice, manifestInterval: d.manifestInterval, ...options,
  };
}
type Resolved = ReturnType<typeof withDefaults>;

/** Checks the numeric options (RangeError on a bad one); returns the worker count and the shard. */
function checkOptions(o: Resolved): { workers: number; shard: Shard } {
  if (!(o.alpha >= 0 && o.alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${o.alpha}`);
  if (!Number.isInteger(o.size) || o.size < 8) throw new RangeError(`size must be an integer of at least 8, got ${o.size}`);
  if (!Number.isInteger(o.quality) || o.quality < 1 || o.quality > 100) throw new RangeError(`quality must be an integer from 1 to 100, got ${o.quality}`);
  if (o.limit !== undefined && (!Number.isInteger(o.limit) || o.limit < 1)) throw new RangeError(`limit must be a positive integer, got ${o.limit}`);
  const workers = o.workers ?? SVOC_DEFAULTS.build.workers;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${o.workers}`);
  const shard = o.shard ?? { index: 0, count: 1 };
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new RangeError(`shard must be I/N with 0 ≤ I < N, got ${shard.index}/${shard.count}`);
  }
  return { workers, shard };
}

/** Unreadable inputs (VOC folder, image set, list, DTD, textures) are usage errors: nothing was done yet. */
const asUsage = (err: Error): never => { throw new UsageError(err.message, { cause: err }); };

/** The selected VOC contents of this build (after `limit`, then the shard), logged. */
async function selectContents(o: Resolved, shard: Shard, log: Log) {
  const mode = o.select ?? SVOC_DEFAULTS.build.select;
  const selection = await selectVocImages(o.voc, { ...(o.imageSet !== undefined ? { imageSet: o.imageSet } : {}), ...(o.list !== undefined ? { list: o.list } : {}), mode })
    .catch(asUsage);
  for (const s of selection.skipped) log(`svoc build: skipped ${s.contentId}: ${s.reason}`);
  log(`svoc build: selected ${selection.selected.length} of ${selection.considered} images in ${selection.source} (${o.list !== undefined ? 'list' : mode}; ${selection.excluded} excluded by the rule, ${selection.skipped.length} skipped)`);
  if (selection.selected.length === 0) throw new UsageError(`no VOC image selected from ${selection.source}`);
  const limited = o.limit !== undefined ? selection.selected.slice(0, o.limit) : selection.selected;
  const contents = shardItems(limited, shard);
  if (shard.count > 1) log(`svoc build: shard ${shard.index}/${shard.count}: ${contents.length} of ${limited.length} contents`);
  return { selection, contents };
}

/** The manifest's `build`: every parameter that made the images (backend and device added once the lanes run). */
async function buildParameters(o: Resolved, selection: Awaited<ReturnType<typeof selectVocImages>>, shard: Shard): Promise<Record<string, unknown>> {
  return {
    alpha: o.alpha, size: o.size, crop: o.crop, preserveColor: o.preserveColor, quality: o.quality, seed: o.seed,
    textures: typeof o.textures === 'number' || o.textures === 'islam2021' ? o.textures : 'list',
    selection: { mode: o.list !== undefined ? 'list' : o.select ?? SVOC_DEFAULTS.build.select, source: selection.source, considered: selection.considered, selected: selection.selected.length, skipped: selection.skipped.length },
    weights: { vgg: await weightsInfo(o.vgg), decoder: await weightsInfo(o.decoder) },
    ...(shard.count > 1 ? { shard: { index: shard.index, count: shard.count } } : {}),
  };
}

/** Resume: the records of an earlier run in `out` whose image is on disk (after checking it used the same parameters). */
async function recordsDone(out: string, build: Record<string, unknown>, textures: Manifest['textures'], log: Log): Promise<Map<string, ProbeRecord>> {
  const manifestFile = path.join(out, MANIFEST_FILE);
  const done = new Map<string, ProbeRecord>();
  if (await isFile(manifestFile)) {
    const old = await readManifest(manifestFile);
    checkResumable(old, build, textures, manifestFile);
    for (const r of old.records) if (await isFile(path.join(out, r.file))) done.set(r.file, r);
    log(`svoc build: resuming in ${out}: ${done.size} of ${old.records.length} recorded images present`);
  }
  return done;
}

/** A worker lane's job: on ONNX Runtime one thread each unless asked, as the workers are how the build uses the cores. */
function workerJob(job: StylizeJob, backend: string): StylizeJob {
  const onnx = backend === 'onnx' || backend === 'auto';
  const engine = onnx ? { ...job.engine, threads: job.engine?.threads ?? 1 } : job.engine;
  return { ...job, ...(engine !== undefined ? { engine } : {}), backend, settings: { ...backendSettings() } };
}

/** The lanes that stylize: `workers` threads, or this thread with the weights already read. */
async function openLanes(o: Resolved, workers: number, job: StylizeJob, weights: AdainWeights, log: Log): Promise<Lane[]> {
  const lanes = workers > 1
    ? await createWorkerLanes(workers, workerJob(job, o.backend ?? currentBackend()?.name ?? CORE_DEFAULTS.backend))
    : [await createLocalLane({ ...job, vgg: weights.vgg, decoder: weights.decoder }, o.log === null ? null : log)];
  if (workers > 1) log(`svoc build: ${workers} workers on ${lanes[0]!.backend} (${lanes[0]!.device})`);
  return lanes;
}

const recordOf = (c: VocContent, t: Texture): ProbeRecord => ({
  file: imageFileOf(c, t),
  factors: { shape: c.contentId, texture: t.id },
  classId: c.classId, className: c.className, contentId: c.contentId, textureId: t.id, textureName: t.name,
});

async function buildLocked(options: BuildSvocOptions, weights: AdainWeights): Promise<Manifest> {
  const o = withDefaults(options);
  const log: Log = o.log === undefined ? (l: string): void => { process.stderr.write(`${l}\n`); } : o.log ?? ((): void => undefined);
  const { workers, shard } = checkOptions(o);
  const out = path.resolve(o.out);
  const manifestFile = path.join(out, MANIFEST_FILE);
  const { selection, contents } = await selectContents(o, shard, log);

  const textures: Texture[] = await chooseTextures(o.dtd, o.textures, o.seed).catch(asUsage);
  const textureEntries = await Promise.all(textures.map(async (t) => ({ id: t.id, name: t.name, source: t.source, sha256: await sha256File(t.source) })));
  log(`svoc build: textures ${textures.map((t) => `${t.id}=${t.name}`).join(', ')}`);

  const build = await buildParameters(o, selection, shard);
  const done = await recordsDone(out, build, textureEntries, log);
  const job: StylizeJob = {
    vgg: o.vgg, decoder: o.decoder, textures, size: o.size, crop: o.crop, alpha: o.alpha, quality: o.quality, preserveColor: o.preserveColor, out,
    ...(o.backend !== undefined ? { backend: o.backend } : {}), ...(o.engine !== undefined ? { engine: o.engine } : {}),
  };
  const lanes = await openLanes(o, workers, job, weights, log);
  build.backend = lanes[0]!.backend;
  build.device = lanes[0]!.device;
  build.backendSettings = lanes[0]!.settings;

  const manifestOf = (): Manifest => ({
    kind: 'svoc', version: VERSION, factors: ['shape', 'texture'],
    records: [...done.values()].sort(compareRecords),
    textures: textureEntries,
    classes: VOC_CLASSES.map((name, i) => ({ id: i + 1, name })),
    build,
    created: new Date().toISOString(),
  });
  let written: Manifest | undefined;
  const writeNow = async (): Promise<void> => { written = manifestOf(); await writeManifest(out, written); };

  const total = contents.length * textures.length;
  const already = contents.reduce((n, c) => n + textures.filter((t) => done.has(recordOf(c, t).file)).length, 0);
  const progress = o.progress === null ? null : createProgress({ total, initial: already, ...(o.progress ?? {}) });
  const failed = await driveLanes({
    lanes, contents, textures, done, recordOf, progress, initial: already, log,
    writeManifest: writeNow, manifestInterval: o.manifestInterval, ...(o.signal !== undefined ? { signal: o.signal } : {}),
  });
  if (o.signal?.aborted) {
    throw new InterruptedError(`svoc build interrupted: ${done.size} images recorded in ${manifestFile}; rerun the same command to finish`);
  }
  if (failed.length > 0) log(`svoc build: ${failed.length} content image(s) could not be read: ${failed.join(', ')}`);
  log(`svoc build: ${done.size} images in ${out} (${contents.length} contents x ${textures.length} textures${o.limit !== undefined ? `, --limit ${o.limit}` : ''})`);
  return written!;
}
