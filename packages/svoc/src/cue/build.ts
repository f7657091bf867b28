/**
 * `buildCueConflict`: a cue-conflict set from PASCAL VOC. Each selected single-object image of
 * class A is stylized by AdaIN (the `svoc build` stylizer, same sizes and options) with, as
 * style, the annotated box of an object of another class B cropped from its VOC image: the
 * shape of A with the texture of B. Written as the published stimuli layout
 * (`{A}/{A}{n}-{B}{m}.png`) with a manifest of kind `cue-conflict` (factors shape = A,
 * texture = B). Seeded, resumable (an image recorded and on disk is not redone), every file
 * written under a temporary name and renamed, progress as `svoc build`.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { acquireOutputLock, createProgress, initBackend, InterruptedError, VERSION, writeFileAtomic, type OnnxDevice, type ProgressOptions } from '@shapetex/core';
import { coral } from '../adain/coral.js';
import { createStylizer, type WeightsSource } from '../adain/stylizer.js';
import { loadStyleInput } from '../builder/images.js';
import { selectVocImages } from '../builder/voc.js';
import { MANIFEST_FILE, compareRecords, readManifest, writeManifest } from '../probe/manifest.js';
import { SVOC_DEFAULTS } from '../defaults.js';
import { VOC_CLASSES, type Manifest, type ProbeRecord } from '../types.js';
import { textureSources } from './boxes.js';
import { encodePng, loadBoxStyle } from './images.js';
import { planCueConflict, type CueItem } from './plan.js';

export interface BuildCueConflictOptions {
  /** VOC2012 folder, or its parent. */
  voc: string;
  vgg: WeightsSource;
  decoder: WeightsSource;
  out: string;
  /** Seed of the texture draw; default 0. */
  seed?: number;
  /** Cue-conflict images per content image, each with a texture of another class; default 1. */
  perContent?: number;
  /** Smallest shorter side of a box used as a texture, pixels; default 64. */
  minBox?: number;
  alpha?: number;
  /** Shorter side of content and style, pixels; default 512. */
  size?: number;
  crop?: boolean;
  preserveColor?: boolean;
  imageSet?: string;
  list?: string;
  /** Only the first N planned images (a trial). */
  limit?: number;
  backend?: string;
  /** ONNX Runtime's device and threads for `initBackend` (backend onnx or auto). */
  engine?: { device?: OnnxDevice; threads?: number };
  log?: ((line: string) => void) | null;
  progress?: Pick<ProgressOptions, 'stream' | 'lineInterval'> | null;
  manifestInterval?: number;
  signal?: AbortSignal;
}

const sha256File = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex');
const weightsSha = async (w: WeightsSource): Promise<string | null> => (typeof w === 'string' ? sha256File(w) : null);
const isFile = (p: string): Promise<boolean> => stat(p).then((s) => s.isFile() && s.size > 0, () => false);

/** Parameters that change the plan or the pixels: a resumed build must use the same. */
const FIXED = ['seed', 'perContent', 'minBox', 'alpha', 'size', 'crop', 'preserveColor', 'vggSha256', 'decoderSha256'] as const;

function checkResumable(old: Manifest, build: Record<string, unknown>, file: string): void {
  const clash = old.kind !== 'cue-conflict' ? [`kind ${old.kind}`] : FIXED.filter((k) => old.build[k] !== build[k]).map((k) => `${k} ${JSON.stringify(old.build[k])} (now ${JSON.stringify(build[k])})`);
  if (clash.length > 0) throw new Error(`${file}: this folder holds a set built with other parameters: ${clash.join('; ')}. Use another --out, or the same options to resume.`);
}

function recordOf(item: CueItem): ProbeRecord & { textureSource: { contentId: string; box: [number, number, number, number] } } {
  const { content: c, source: s } = item;
  return {
    file: item.file, factors: { shape: c.className, texture: s.className },
    classId: c.classId, className: c.className, contentId: c.contentId, textureId: s.classId, textureName: s.className,
    textureSource: { contentId: s.contentId, box: [s.box.xmin, s.box.ymin, s.box.xmax, s.box.ymax] },
  };
}

function checkOptions(o: { alpha: number; size: number; perContent: number; minBox: number; limit?: number | undefined }): void {
  if (!(o.alpha >= 0 && o.alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${o.alpha}`);
  if (!Number.isInteger(o.size) || o.size < 8) throw new RangeError(`size must be an integer of at least 8, got ${o.size}`);
  if (!Number.isInteger(o.perContent) || o.perContent < 1 || o.perContent > 19) throw new RangeError(`perContent must be an integer from 1 to 19, got ${o.perContent}`);
  if (!Number.isInteger(o.minBox) || o.minBox < 1) throw new RangeError(`minBox must be a positive integer, got ${o.minBox}`);
  if (o.limit !== undefined && (!Number.isInteger(o.limit) || o.limit < 1)) throw new RangeError(`limit must be a positive integer, got ${o.limit}`);
}

/**
 * Builds (or resumes) the set in `out`; returns its manifest. One writer per folder, as
 * `svoc build`: `out` is locked (core's output lock), a second build on it is refused.
 */
export async function buildCueConflict(options: BuildCueConflictOptions): Promise<Manifest> {
  const lock = await acquireOutputLock(path.resolve(options.out), 'svoc cue-conflict');
  try {
    return await buildLocked(options);
  } finally {
    await lock.release();
  }
}

async function buildLocked(options: BuildCueConflictOptions): Promise<Manifest> {
  const o = { ...SVOC_DEFAULTS.cue, ...options };
  const log = o.log === undefined ? (l: string): void => { process.stderr.write(`${l}\n`); } : o.log ?? ((): void => undefined);
  checkOptions(o);
  const out = path.resolve(o.out);
  const manifestFile = path.join(out, MANIFEST_FILE);
  const selection = await selectVocImages(o.voc, { ...(o.imageSet !== undefined ? { imageSet: o.imageSet } : {}), ...(o.list !== undefined ? { list: o.list } : {}), mode: 'single-object' });
  for (const s of selection.skipped) log(`svoc cue-conflict: skipped ${s.contentId}: ${s.reason}`);
  const sources = await textureSources(selection.root, selection.selected, o.minBox, (id, why) => log(`svoc cue-conflict: no texture from ${id}: ${why}`));
  if (sources.size < 2) throw new Error(`svoc cue-conflict: texture boxes of at least 2 classes are needed (boxes ≥ ${o.minBox} px found for ${sources.size}: ${[...sources.keys()].join(', ') || 'none'}); lower --min-box or select more images`);
  const planned = planCueConflict(selection.selected, sources, { seed: o.seed, perContent: o.perContent });
  const items = o.limit !== undefined ? planned.slice(0, o.limit) : planned;
  log(`svoc cue-conflict: ${selection.selected.length} single-object images of ${selection.considered}; texture boxes of ${sources.size} classes; ${items.length} images planned`);

  const build: Record<string, unknown> = {
    seed: o.seed, perContent: o.perContent, minBox: o.minBox, alpha: o.alpha, size: o.size, crop: o.crop, preserveColor: o.preserveColor,
    vggSha256: await weightsSha(o.vgg), decoderSha256: await weightsSha(o.decoder),
    selection: { source: selection.source, considered: selection.considered, selected: selection.selected.length, skipped: selection.skipped.length },
  };
  const done = new Map<string, ProbeRecord>();
  if (await isFile(manifestFile)) {
    const old = await readManifest(manifestFile);
    checkResumable(old, build, manifestFile);
    for (const r of old.records) if (await isFile(path.join(out, r.file))) done.set(r.file, r);
    log(`svoc cue-conflict: resuming in ${out}: ${done.size} of ${old.records.length} recorded images present`);
  }
  const info = await initBackend(o.backend, { ...o.engine, log: o.log === null ? null : log });
  build.backend = info.name;
  build.backendSettings = { ...info.settings };
  const manifestOf = (): Manifest => ({
    kind: 'cue-conflict', version: VERSION, factors: ['shape', 'texture'], records: [...done.values()].sort(compareRecords),
    // the textures of a cue-conflict set are the VOC classes whose boxes lend them
    textures: [...sources.keys()].sort().map((name) => ({ id: (VOC_CLASSES as readonly string[]).indexOf(name) + 1, name })),
    classes: VOC_CLASSES.map((name, i) => ({ id: i + 1, name })), build, created: new Date().toISOString(),
  });
  let written: Manifest | undefined;
  let lastWrite = performance.now();
  const flush = async (): Promise<void> => { written = manifestOf(); await writeManifest(out, written); lastWrite = performance.now(); };
  const progress = o.progress === null ? null : createProgress({ total: items.length, initial: done.size, ...(o.progress ?? {}) });
  const stylizer = await createStylizer({ vgg: o.vgg, decoder: o.decoder });
  let finished = items.filter((it) => done.has(it.file)).length;
  progress?.update(finished);
  try {
    for (const item of items) {
      if (o.signal?.aborted) break;
      if (done.has(item.file)) continue;
      await stylizeOne(item, stylizer, o, out);
      done.set(item.file, recordOf(item));
      progress?.update(++finished);
      if ((performance.now() - lastWrite) / 1000 >= o.manifestInterval) await flush();
    }
  } finally {
    stylizer.dispose();
    await flush();
    progress?.finish();
  }
  if (o.signal?.aborted) {
    throw new InterruptedError(`svoc cue-conflict interrupted: ${done.size} images recorded in ${manifestFile}; rerun the same command to finish`);
  }
  log(`svoc cue-conflict: ${done.size} images in ${out}`);
  return written!;
}

type Stylizer = Awaited<ReturnType<typeof createStylizer>>;

async function stylizeOne(item: CueItem, stylizer: Stylizer, o: { size: number; crop: boolean; alpha: number; preserveColor: boolean }, out: string): Promise<void> {
  const content = await loadStyleInput(item.content.file, o.size, o.crop);
  const style = await loadBoxStyle(item.source.file, item.source.box, o.size).catch((e: Error) => { content.dispose(); throw e; });
  const [h, w] = content.shape;
  try {
    const input = o.preserveColor ? tf.tidy(() => coral(style, content)) : style;
    const fc = await stylizer.encode(content);
    const fs = await stylizer.encode(input).finally(() => { if (input !== style) input.dispose(); });
    const styled = await stylizer.decode(fc, fs, { alpha: o.alpha }).finally(() => tf.dispose([fc, fs]));
    const png = await encodePng(styled, h, w).finally(() => styled.dispose());
    await writeFileAtomic(path.join(out, item.file), png);
  } finally {
    tf.dispose([content, style]);
  }
}
