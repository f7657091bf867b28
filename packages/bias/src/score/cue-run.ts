/**
 * The cue-conflict parts of a `bias-score` run that are not scoring: the class map named on
 * the command line, the settings and provenance it adds, and the model-vs-human CSV written
 * per checkpoint under `model-vs-human/cue-conflict/`.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@shapetex/core';
import { canonicalJson, type CueConflictSet } from '@shapetex/svoc';
import { loadClassMap, type ClassMap } from '../cue/class-map.js';
import type { CueCheckpoint } from '../cue/score.js';
import { mvhCsv, mvhFileName } from './cue-mvh.js';
import { UsageError } from '@shapetex/core';

/** Folder of the model-vs-human CSVs inside an output folder (the toolbox's raw-data/<dataset>). */
export const MVH_DIR = path.join('model-vs-human', 'cue-conflict');

export interface CueRunInfo {
  path: string;
  kind: CueConflictSet['kind'];
  images: number;
  conflicts: number;
  categories: string[];
  skipped: number;
  /** The map as given, or `auto` (by each head's size). */
  classMap: string;
}

/** The class map of `--class-map` (a name or a file); undefined = by head size. Needs the set. */
export async function loadCueClassMap(spec: string | undefined, set: CueConflictSet | undefined): Promise<ClassMap | undefined> {
  if (spec === undefined) return undefined;
  if (!set) throw new UsageError('--class-map needs --cue-conflict DIR');
  const map = await loadClassMap(spec);
  const covered = set.categories.filter((c) => map.categories.includes(c));
  if (covered.length < 2) {
    throw new UsageError(`${map.name} covers ${covered.length} of the set's categories (${set.categories.join(', ')}); its categories are ${map.categories.join(', ')}`);
  }
  return map;
}

/** sha256 of the set's images and their categories (what decides the numbers). */
export function cueSetHash(set: CueConflictSet): string {
  return createHash('sha256').update(canonicalJson(set.images)).digest('hex');
}

export function cueSettings(set: CueConflictSet, classMap: string | undefined): { setHash: string; classMap: string } {
  return { setHash: cueSetHash(set), classMap: classMap ?? 'auto' };
}

export function cueRunInfo(set: CueConflictSet, map: ClassMap | undefined): CueRunInfo {
  return {
    path: set.root, kind: set.kind, images: set.images.length, conflicts: set.images.filter((im) => im.conflict).length,
    categories: set.categories, skipped: set.skipped.length, classMap: map?.name ?? 'auto',
  };
}

export async function writeMvhCsv(out: string, checkpoint: string, set: CueConflictSet, cue: CueCheckpoint): Promise<string> {
  const file = path.join(out, MVH_DIR, mvhFileName(checkpoint));
  await writeFileAtomic(file, mvhCsv(checkpoint, set.images, cue.responses));
  return file;
}

/** `bias-score merge`: the shards' model-vs-human CSVs (one per checkpoint) copied into `out`. */
export async function mergeMvhCsvs(inputs: readonly string[], out: string): Promise<number> {
  let copied = 0;
  for (const dir of inputs) {
    const from = path.join(dir, MVH_DIR);
    const names = await readdir(from).catch(() => [] as string[]);
    const csvs = names.filter((n) => n.endsWith('.csv'));
    if (csvs.length === 0 || path.resolve(from) === path.resolve(out, MVH_DIR)) continue;
    for (const n of csvs) {
      await writeFileAtomic(path.join(out, MVH_DIR, n), await readFile(path.join(from, n)));
      copied++;
    }
  }
  return copied;
}
