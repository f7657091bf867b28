import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { VOC_CLASSES, type ProbeRecord, type ProbeSet } from '../types.js';
import { ProbeSetError } from './errors.js';
import { compareRecords, MANIFEST_FILE, readManifest } from './manifest.js';
import { parseProbeFileName } from './names.js';

/** A file found in a folder without manifest that was not taken as a probe image, and why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** What `readProbeSet` returns: a `ProbeSet` plus the files it passed over. */
export interface ProbeSetRead extends ProbeSet {
  /** Images in a manifest-less folder that do not follow the reference naming (empty with a manifest). */
  skipped: SkippedFile[];
}

const IMAGE_GLOB = '**/*.{jpg,jpeg,png}';

/**
 * Reads a probe set from `dir`.
 *
 * - With `dir/manifest.json`: the manifest is authoritative. It is validated (errors name the
 *   file and field) and every record's file must exist; the factors are the manifest's.
 * - Without one: every `.jpg`/`.jpeg`/`.png` under `dir`, at any depth (the reference set is
 *   one flat folder; sub-folders, e.g. one per texture, are read the same way), named
 *   `{textureId}_{classId}_{contentId}.jpg` is an SVOC record with factors
 *   `{ shape: contentId, texture: textureId }`, `className` = VOC_CLASSES[classId − 1] and
 *   `textureName` = `texture{textureId}`. Texture ids are kept as found: from 0 in folders the
 *   reference's generator wrote (`0_…` to `4_…`), from 1 in shapetex's. Images not named so
 *   (or with a class outside 1..20) are listed in `skipped`, never dropped unsaid: callers
 *   report them (bias-score warns and records them in run.json); if none is named so, it is an
 *   error. Hidden files (names starting with `.`, e.g. temporary files of an unfinished
 *   write) are not probe images and are not listed.
 *
 * Records come sorted by `file` (code-unit order, `/` separators), so the same folder gives the
 * same record order, and hence the same seeded pairs, on every machine.
 */
export async function readProbeSet(dir: string): Promise<ProbeSetRead> {
  const root = path.resolve(dir);
  const info = await stat(root).catch((err: Error) => {
    throw new ProbeSetError(`probe set ${root}: cannot open the folder: ${err.message}`, { cause: err });
  });
  if (!info.isDirectory()) throw new ProbeSetError(`probe set ${root}: expected a folder, found a file`);
  const manifestFile = path.join(root, MANIFEST_FILE);
  const hasManifest = await access(manifestFile).then(() => true, () => false);
  return hasManifest ? readWithManifest(root, manifestFile) : readByNames(root);
}

async function readWithManifest(root: string, manifestFile: string): Promise<ProbeSetRead> {
  const manifest = await readManifest(manifestFile);
  const missing: string[] = [];
  // Bounded fan-out: thousands of concurrent stats would only queue in libuv anyway.
  const CHUNK = 256;
  for (let i = 0; i < manifest.records.length; i += CHUNK) {
    const chunk = manifest.records.slice(i, i + CHUNK);
    const ok = await Promise.all(chunk.map((r) => access(path.join(root, r.file)).then(() => true, () => false)));
    ok.forEach((present, j) => { if (!present) missing.push(chunk[j]!.file); });
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(', ');
    throw new ProbeSetError(`${manifestFile}: ${missing.length} of ${manifest.records.length} listed image(s) not found under ${root}: ${shown}${missing.length > 5 ? ', ...' : ''}`);
  }
  const records = manifest.records.map((r) => ({ ...r, factors: { ...r.factors } })).sort(compareRecords);
  return { root, records, factors: [...manifest.factors], manifest, skipped: [] };
}

async function readByNames(root: string): Promise<ProbeSetRead> {
  const files = (await fg(IMAGE_GLOB, { cwd: root, caseSensitiveMatch: false, dot: false, onlyFiles: true })).sort();
  const records: ProbeRecord[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    const parsed = parseProbeFileName(file);
    if (!parsed) {
      skipped.push({ file, reason: 'name is not {textureId}_{classId}_{contentId}.jpg (ids without leading zeros)' });
      continue;
    }
    const className = VOC_CLASSES[parsed.classId - 1];
    if (className === undefined) {
      skipped.push({ file, reason: `classId ${parsed.classId} is outside the VOC classes 1..${VOC_CLASSES.length}` });
      continue;
    }
    records.push({
      file,
      factors: { shape: parsed.contentId, texture: parsed.textureId },
      classId: parsed.classId,
      className,
      contentId: parsed.contentId,
      textureId: parsed.textureId,
      textureName: `texture${parsed.textureId}`,
    });
  }
  if (records.length === 0) {
    const why = files.length === 0
      ? 'it holds no .jpg/.jpeg/.png image'
      : `none of its ${files.length} image(s) is named {textureId}_{classId}_{contentId}.jpg (e.g. 3_20_2007_000039.jpg); first: ${files[0]}`;
    throw new ProbeSetError(`probe set ${root}: no ${MANIFEST_FILE} and ${why}`);
  }
  records.sort(compareRecords);
  return { root, records, factors: ['shape', 'texture'], skipped };
}
