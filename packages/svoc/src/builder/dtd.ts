/**
 * Which Describable Textures Dataset images style the contents (docs/formats.md).
 */
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createRng } from '@shapetex/core';

export interface Texture {
  /** 1..T in the order chosen. */
  id: number;
  /** File name without extension, e.g. `cracked_0048`. */
  name: string;
  /** Absolute path. */
  source: string;
}

/** The textures of Islam et al. (ICLR 2021). */
export const ISLAM2021_TEXTURES = ['cracked_0048', 'marbled_0159', 'pleated_0168', 'potholed_0062', 'woven_0097'] as const;

/** `N` textures drawn with the seed, a preset name, or explicit files / DTD names. */
export type TextureChoice = number | 'islam2021' | readonly string[];

const IMAGE_EXT = /\.(jpe?g|png)$/i;
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/** The DTD `images/` folder: `dir/images`, `dir/dtd/images`, or `dir` itself when it holds category folders. */
export async function resolveDtdImages(dir: string): Promise<string> {
  for (const t of [path.join(dir, 'images'), path.join(dir, 'dtd', 'images')]) if (await exists(t)) return path.resolve(t);
  const sub = await readdir(dir, { withFileTypes: true }).catch((e: Error) => { throw new Error(`cannot read the DTD folder ${dir}: ${e.message}`); });
  if (sub.some((d) => d.isDirectory())) return path.resolve(dir);
  throw new Error(`${dir}: not a DTD folder: no images/<category>/ folders`);
}

async function listCategory(images: string, category: string): Promise<string[]> {
  const files = await readdir(path.join(images, category));
  return files.filter((f) => IMAGE_EXT.test(f) && !f.startsWith('.')).sort();
}

/** `cracked_0048` → `images/cracked/cracked_0048.jpg` (the category is the name before its last underscore). */
async function lookUpName(images: string, name: string): Promise<string> {
  const category = name.replace(/_[^_]*$/, '');
  for (const ext of ['.jpg', '.jpeg', '.png']) {
    const p = path.join(images, category, name + ext);
    if (await exists(p)) return p;
  }
  throw new Error(`texture "${name}" not found in ${path.join(images, category)}/ (looked for ${name}.jpg)`);
}

/**
 * Chooses the textures (docs/formats.md). A number N draws N categories of `dtd/images/` (sorted by
 * name, then shuffled with `createRng(seed)`) and one image in each (uniform over the sorted
 * files), so at most one per category and the same set for the same seed and folder.
 * `islam2021` is `ISLAM2021_TEXTURES`, looked up in the DTD root. A list holds file paths
 * (relative to the working folder) or bare DTD names such as `cracked_0048`.
 */
export async function chooseTextures(dtdDir: string | undefined, choice: TextureChoice = 5, seed = 0): Promise<Texture[]> {
  const needRoot = async (): Promise<string> => {
    if (dtdDir === undefined) throw new Error('the DTD folder (--dtd) is needed to draw or look up textures');
    return resolveDtdImages(dtdDir);
  };
  let sources: string[];
  if (typeof choice === 'number') {
    if (!Number.isInteger(choice) || choice < 1) throw new RangeError(`number of textures must be a positive integer, got ${choice}`);
    const images = await needRoot();
    const categories = (await readdir(images, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
    const withFiles: { category: string; files: string[] }[] = [];
    for (const c of categories) {
      const files = await listCategory(images, c);
      if (files.length > 0) withFiles.push({ category: c, files });
    }
    if (choice > withFiles.length) throw new RangeError(`cannot draw ${choice} textures at most one per category: ${images} has ${withFiles.length} categories with images`);
    const rng = createRng(seed);
    sources = rng.shuffle(withFiles).slice(0, choice).map(({ category, files }) => path.join(images, category, files[rng.int(files.length)]!));
  } else {
    const names = choice === 'islam2021' ? [...ISLAM2021_TEXTURES] : [...choice];
    if (names.length === 0) throw new Error('the texture list is empty');
    sources = [];
    for (const n of names) {
      if (IMAGE_EXT.test(n) || n.includes('/') || n.includes(path.sep)) {
        const p = path.resolve(n);
        if (!(await exists(p))) throw new Error(`texture file ${p} not found`);
        sources.push(p);
      } else {
        sources.push(await lookUpName(await needRoot(), n));
      }
    }
  }
  const textures = sources.map((source, i) => ({ id: i + 1, name: path.basename(source).replace(IMAGE_EXT, ''), source }));
  const dup = textures.find((t, i) => textures.findIndex((u) => u.source === t.source) !== i);
  if (dup) throw new Error(`texture ${dup.source} is listed twice`);
  return textures;
}

/** Parses `--textures`: an integer, `islam2021`, or comma-separated files / names. */
export function parseTextureChoice(raw: string): TextureChoice {
  const s = raw.trim();
  if (/^\d+$/.test(s)) return Number(s);
  if (s === 'islam2021') return 'islam2021';
  const items = s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  if (items.length === 0) throw new Error(`--textures takes N, islam2021 or a comma-separated list of files; got "${raw}"`);
  return items;
}
