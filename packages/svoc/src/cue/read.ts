/**
 * Reading a cue-conflict probe set: images whose shape is of one category and texture of
 * another. Two forms:
 *
 * - the published stimuli layout (texture-vs-shape / model-vs-human `cue-conflict`): one folder
 *   per category, named by the shape category, holding `{shape}{n}-{texture}{m}.png`;
 * - a set built by `svoc cue-conflict`: `manifest.json` of kind `cue-conflict`, records with
 *   factors `shape` and `texture` (category names), in the same folder layout.
 *
 * Images whose shape and texture are the same category are kept (`conflict: false`): the
 * authors show them but leave them out of the shape bias, and so does the scorer.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { ManifestError, ProbeSetError } from '../probe/errors.js';
import { MANIFEST_FILE, readManifest } from '../probe/manifest.js';
import type { SkippedFile } from '../probe/read.js';
import { parseCueFileName } from './names.js';

export interface CueImage {
  /** Path relative to the set's root, `/`-separated. */
  file: string;
  shape: string;
  texture: string;
  /** shape ≠ texture: the image enters the shape bias. */
  conflict: boolean;
}

export interface CueConflictSet {
  root: string;
  kind: 'stimuli' | 'manifest';
  /** Sorted by file (code-unit order), so every machine reads the same order. */
  images: CueImage[];
  /** The categories of the set, sorted: every shape and texture category of its images. */
  categories: string[];
  /** Images passed over, and why (stimuli layout only). */
  skipped: SkippedFile[];
}

async function readStimuli(root: string): Promise<CueConflictSet> {
  const files = (await fg('*/*.{png,jpg,jpeg,PNG,JPG,JPEG}', { cwd: root, onlyFiles: true, dot: false })).sort();
  const images: CueImage[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    const folder = file.slice(0, file.indexOf('/'));
    const n = parseCueFileName(file);
    if (!n) skipped.push({ file, reason: 'not named {shape}{n}-{texture}{m}.png' });
    else if (n.shape !== folder.toLowerCase()) skipped.push({ file, reason: `shape category ${n.shape} is not its folder ${folder}` });
    else images.push({ file, shape: n.shape, texture: n.texture, conflict: n.shape !== n.texture });
  }
  if (images.length === 0) {
    throw new ProbeSetError(`cue-conflict set ${root}: no image named {shape}{n}-{texture}{m}.png inside a folder named by its shape category (e.g. airplane/airplane1-bicycle2.png)${skipped.length ? `; first passed over: ${skipped[0]!.file} (${skipped[0]!.reason})` : ''}`);
  }
  // a texture category need not have shape images of its own (as in the toolbox, the texture is
  // read from the name alone)
  const categories = [...new Set(images.flatMap((im) => [im.shape, im.texture]))].sort();
  return { root, kind: 'stimuli', images, categories, skipped };
}

async function readBuilt(root: string): Promise<CueConflictSet> {
  const file = path.join(root, MANIFEST_FILE);
  const m = await readManifest(file);
  if (m.kind !== 'cue-conflict') throw new ManifestError(file, `kind is ${JSON.stringify(m.kind)}, a cue-conflict set needs "cue-conflict"`);
  const images: CueImage[] = m.records.map((r, i) => {
    const { shape, texture } = r.factors;
    if (typeof shape !== 'string' || typeof texture !== 'string') throw new ManifestError(file, `records[${i}].factors must name a shape and a texture category, got ${JSON.stringify(r.factors)}`);
    return { file: r.file.replaceAll('\\', '/'), shape, texture, conflict: shape !== texture };
  });
  images.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const im of images) {
    const ok = await stat(path.join(root, im.file)).then((s) => s.isFile(), () => false);
    if (!ok) throw new ProbeSetError(`${file}: the image ${im.file} is listed but missing`);
  }
  const categories = [...new Set(images.flatMap((im) => [im.shape, im.texture]))].sort();
  return { root, kind: 'manifest', images, categories, skipped: [] };
}

/** Reads a cue-conflict set from `dir` (a manifest when there is one, else the stimuli layout). */
export async function readCueConflictSet(dir: string): Promise<CueConflictSet> {
  const root = path.resolve(dir);
  const info = await stat(root).catch((err: Error) => { throw new ProbeSetError(`cue-conflict set ${root}: cannot open the folder: ${err.message}`, { cause: err }); });
  if (!info.isDirectory()) throw new ProbeSetError(`cue-conflict set ${root}: not a folder`);
  const hasManifest = await stat(path.join(root, MANIFEST_FILE)).then((s) => s.isFile(), () => false);
  return hasManifest ? readBuilt(root) : readStimuli(root);
}
