/**
 * Which PASCAL VOC2012 images become SVOC contents (docs/formats.md).
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SVOC_DEFAULTS } from '../defaults.js';
import { VOC_CLASSES } from '../types.js';

/** One content image: the VOC id and the class its annotation (or the list) gives. */
export interface VocContent {
  contentId: string;
  classId: number;
  className: string;
  /** Absolute path of `JPEGImages/<id>.jpg`. */
  file: string;
}

export interface VocSkip {
  contentId: string;
  reason: string;
}

export type VocSelectionMode = 'single-object' | 'single-class';

export interface VocSelectOptions {
  /**
   * Image-set file: a path, or a name inside `ImageSets/Main` (`val`, `train.txt`). Default
   * `ImageSets/Main/trainval.txt`. Ignored with `list`.
   */
  imageSet?: string;
  /**
   * `single-object` (default): keep images whose annotation holds exactly one `<object>`;
   * `single-class`: keep images whose objects (one or more) are all of one class.
   */
  mode?: VocSelectionMode;
  /** A list file in the reference format, one `{classId}_{imageId}` per line; annotations are not read. */
  list?: string;
}

export interface VocSelection {
  /** The VOC root actually used (the folder holding `Annotations/` and `JPEGImages/`). */
  root: string;
  /** What the ids came from: the image-set or list file. */
  source: string;
  /** Ids read from the source. */
  considered: number;
  selected: VocContent[];
  /** Ids left out because their annotation is missing, malformed or names an unknown class, or the image is missing. */
  skipped: VocSkip[];
  /** Ids left out only because they do not meet the selection rule (several objects / classes). */
  excluded: number;
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/**
 * The VOC2012 folder under `dir`: `dir` itself when it holds `Annotations/` and `JPEGImages/`,
 * else `dir/VOC2012` or `dir/VOCdevkit/VOC2012` (how the archive unpacks).
 */
export async function resolveVocRoot(dir: string): Promise<string> {
  const tries = [dir, path.join(dir, 'VOC2012'), path.join(dir, 'VOCdevkit', 'VOC2012')];
  for (const t of tries) {
    if (await exists(path.join(t, 'JPEGImages'))) return path.resolve(t);
  }
  throw new Error(`${dir}: not a PASCAL VOC2012 folder: no JPEGImages/ in it, in VOC2012/ or in VOCdevkit/VOC2012/`);
}

/** Ids of an image-set file: the first token of every non-blank line (class files add ` 1`/`-1`). */
export function parseImageSet(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim().split(/\s+/)[0] ?? '').filter((id) => id.length > 0);
}

/**
 * A list in the reference format: `{classId}_{imageId}` per line, e.g. `20_2007_000039`
 * (class 1..20; the image id is everything after the first underscore). Blank lines and lines
 * starting with `#` are ignored; anything else malformed is an error naming the line.
 */
export function parseContentList(text: string, source: string): { contentId: string; classId: number }[] {
  const out: { contentId: string; classId: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\d+)_(\S+)$/.exec(line.replace(/\.jpe?g$/i, ''));
    const classId = m ? Number(m[1]) : NaN;
    if (!m || !(classId >= 1 && classId <= 20)) {
      throw new Error(`${source}:${i + 1}: expected {classId}_{imageId} with classId 1..20 (e.g. 20_2007_000039), got "${line}"`);
    }
    out.push({ contentId: m[2]!, classId });
  });
  return out;
}

const parser = new XMLParser({ ignoreAttributes: true, isArray: (name) => name === 'object', parseTagValue: false, trimValues: true });

/**
 * The class names of the `<object>` elements of a VOC annotation. Throws, with the reason, on
 * malformed XML or a document without `<annotation>`.
 */
export function annotationObjects(xml: string): string[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`malformed XML (${valid.err.msg.replace(/\.$/, '')}, line ${valid.err.line})`);
  const doc = parser.parse(xml) as { annotation?: { object?: { name?: unknown }[] } | string };
  if (!doc.annotation || typeof doc.annotation !== 'object') throw new Error('no <annotation> element');
  return (doc.annotation.object ?? []).map((o, i) => {
    const name = typeof o?.name === 'string' ? o.name.trim() : '';
    if (!name) throw new Error(`<object> ${i + 1} has no <name>`);
    return name;
  });
}

const classIdOf = (name: string): number => (VOC_CLASSES as readonly string[]).indexOf(name) + 1;

async function mapLimit<T, R>(xs: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  const worker = async (): Promise<void> => { while (next < xs.length) { const i = next++; out[i] = await fn(xs[i]!); } };
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, worker));
  return out;
}

/**
 * Where an image-set name points: an absolute path as given; a relative one is looked up in
 * `<voc>/ImageSets/Main/` first (`.txt` added when missing: `val` → `ImageSets/Main/val.txt`),
 * then as given from the current folder. Neither existing is an error naming both places.
 */
export async function imageSetFile(root: string, set: string): Promise<string> {
  if (path.isAbsolute(set)) return set;
  const named = path.join(root, 'ImageSets', 'Main', set.endsWith('.txt') ? set : `${set}.txt`);
  if (await exists(named)) return named;
  const given = path.resolve(set);
  if (await exists(given)) return given;
  throw new Error(`image set ${JSON.stringify(set)} not found: looked for ${named} and ${given}`);
}

/**
 * Selects the content images of an SVOC build (the single-object images of VOC2012 trainval). Default: the ids of
 * `ImageSets/Main/trainval.txt` whose `Annotations/<id>.xml` holds exactly one `<object>`, its
 * `<name>` giving the class. Missing or malformed annotations, unknown class names and missing
 * JPEGs are reported in `skipped` (not fatal); the order of the source file is kept and
 * duplicate ids are dropped.
 */
export async function selectVocImages(vocDir: string, opts: VocSelectOptions = {}): Promise<VocSelection> {
  const root = await resolveVocRoot(vocDir);
  const mode = opts.mode ?? SVOC_DEFAULTS.build.select;
  if (mode !== 'single-object' && mode !== 'single-class') throw new Error(`selection mode must be single-object or single-class, got "${String(mode)}"`);
  const skipped: VocSkip[] = [];
  let excluded = 0;
  let source: string;
  let candidates: { contentId: string; classId?: number }[];
  if (opts.list !== undefined) {
    source = path.resolve(opts.list);
    const text = await readFile(source, 'utf8').catch((e: Error) => { throw new Error(`cannot read the list file ${source}: ${e.message}`); });
    candidates = parseContentList(text, source);
  } else {
    source = await imageSetFile(root, opts.imageSet ?? SVOC_DEFAULTS.build.imageSet);
    const text = await readFile(source, 'utf8').catch((e: Error) => { throw new Error(`cannot read the image-set file ${source}: ${e.message}`); });
    candidates = parseImageSet(text).map((contentId) => ({ contentId }));
  }
  const seen = new Set<string>();
  candidates = candidates.filter((c) => (seen.has(c.contentId) ? false : (seen.add(c.contentId), true)));

  const results = await mapLimit(candidates, 16, async (c): Promise<VocContent | VocSkip | null> => {
    const file = path.join(root, 'JPEGImages', `${c.contentId}.jpg`);
    let classId = c.classId;
    if (classId === undefined) {
      const xmlFile = path.join(root, 'Annotations', `${c.contentId}.xml`);
      let names: string[];
      try {
        names = annotationObjects(await readFile(xmlFile, 'utf8'));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        return { contentId: c.contentId, reason: e.code === 'ENOENT' ? `annotation ${xmlFile} missing` : `annotation ${xmlFile}: ${e.message}` };
      }
      const unknown = names.filter((n) => classIdOf(n) === 0);
      if (unknown.length > 0) return { contentId: c.contentId, reason: `annotation names unknown class "${unknown[0]}"` };
      if (names.length === 0) return { contentId: c.contentId, reason: 'annotation has no <object>' };
      const ok = mode === 'single-object' ? names.length === 1 : names.every((n) => n === names[0]);
      if (!ok) return null;
      classId = classIdOf(names[0]!);
    }
    if (!(await exists(file))) return { contentId: c.contentId, reason: `image ${file} missing` };
    return { contentId: c.contentId, classId, className: VOC_CLASSES[classId - 1]!, file };
  });
  const selected: VocContent[] = [];
  for (const r of results) {
    if (r === null) excluded++;
    else if ('reason' in r) skipped.push(r);
    else selected.push(r);
  }
  return { root, source, considered: candidates.length, selected, skipped, excluded };
}
