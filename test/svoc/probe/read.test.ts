import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { readProbeSet, writeManifest } from '@shapetex/svoc';
import { sampleManifest } from './fixtures.js';

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });
const tempDir = async (): Promise<string> => {
  const d = await mkdtemp(path.join(tmpdir(), 'svoc-read-'));
  dirs.push(d);
  return d;
};

/** A real 16×16 JPEG of one grey level, so a folder looks like what the builder writes. */
async function jpeg(file: string, level: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const img = sharp({ create: { width: 16, height: 16, channels: 3, background: { r: level, g: level, b: level } } });
  await writeFile(file, await img.jpeg().toBuffer());
}

describe('readProbeSet without a manifest (reference naming)', () => {
  it('reads {textureId}_{classId}_{contentId}.jpg files at any depth as SVOC records, sorted by file', async () => {
    const d = await tempDir();
    const names = ['3_20_2007_000039.jpg', '1_20_2007_000039.jpg', '1_8_2008_000123.jpg', 'tex2/2_8_2008_000123.jpeg'];
    for (const [i, n] of names.entries()) await jpeg(path.join(d, n), 40 * i);
    await jpeg(path.join(d, 'notes', 'cat.jpg'), 10); // not in the naming: reported
    await jpeg(path.join(d, '1_25_2007_000001.jpg'), 10); // class 25 does not exist: reported
    await jpeg(path.join(d, '.1_8_hidden.jpg'), 10); // hidden (e.g. a temporary file): ignored
    await writeFile(path.join(d, 'README.txt'), 'not an image');

    const set = await readProbeSet(d);
    expect(set.root).toBe(path.resolve(d));
    expect(set.factors).toEqual(['shape', 'texture']);
    expect(set.manifest).toBeUndefined();
    expect(set.records.map((r) => r.file)).toEqual([
      '1_20_2007_000039.jpg', '1_8_2008_000123.jpg', '3_20_2007_000039.jpg', 'tex2/2_8_2008_000123.jpeg',
    ]);
    expect(set.records[2]).toEqual({
      file: '3_20_2007_000039.jpg',
      factors: { shape: '2007_000039', texture: 3 },
      classId: 20,
      className: 'tvmonitor',
      contentId: '2007_000039',
      textureId: 3,
      textureName: 'texture3',
    });
    expect(set.records[1]!.className).toBe('cat');
    expect(set.skipped.map((s) => s.file).sort()).toEqual(['1_25_2007_000001.jpg', 'notes/cat.jpg']);
    expect(set.skipped.find((s) => s.file === '1_25_2007_000001.jpg')!.reason).toMatch(/classId 25 is outside the VOC classes 1\.\.20/);
  });

  it('reads a folder the reference generator wrote (textures 0..4) whole: 15 images, 15 records, ids kept', async () => {
    const d = await tempDir();
    const contents = [[20, '2007_000039'], [8, '2008_000123'], [1, '2009_000001']] as const;
    for (const [c, id] of contents) for (let t = 0; t <= 4; t++) await jpeg(path.join(d, `${t}_${c}_${id}.jpg`), 30 * t);
    const set = await readProbeSet(d);
    expect(set.records).toHaveLength(15);
    expect(set.skipped).toEqual([]);
    expect([...new Set(set.records.map((r) => r.textureId))].sort()).toEqual([0, 1, 2, 3, 4]);
    const zero = set.records.find((r) => r.file === '0_20_2007_000039.jpg')!;
    expect(zero).toEqual({
      file: '0_20_2007_000039.jpg', factors: { shape: '2007_000039', texture: 0 }, classId: 20, className: 'tvmonitor',
      contentId: '2007_000039', textureId: 0, textureName: 'texture0',
    });
  });

  it('gives the same records whatever order the files were written in', async () => {
    const a = await tempDir(), b = await tempDir();
    const names = ['2_3_x1.jpg', '1_3_x1.jpg', '1_4_x2.jpg', '2_4_x2.jpg'];
    for (const n of names) await jpeg(path.join(a, n), 0);
    for (const n of [...names].reverse()) await jpeg(path.join(b, n), 0);
    expect((await readProbeSet(a)).records).toEqual((await readProbeSet(b)).records);
  });

  it('is an error when no image follows the naming, naming the folder and an example', async () => {
    const d = await tempDir();
    await jpeg(path.join(d, 'cat.jpg'), 0);
    await expect(readProbeSet(d)).rejects.toThrow(/no manifest\.json and none of its 1 image\(s\) is named \{textureId\}_\{classId\}_\{contentId\}\.jpg.*first: cat\.jpg/);
    const empty = await tempDir();
    await expect(readProbeSet(empty)).rejects.toThrow(/no manifest\.json and it holds no \.jpg\/\.jpeg\/\.png image/);
  });

  it('names a missing folder or a file given as the folder', async () => {
    const d = await tempDir();
    await expect(readProbeSet(path.join(d, 'nope'))).rejects.toThrow(/probe set .*nope: cannot open the folder/);
    await jpeg(path.join(d, '1_1_a.jpg'), 0);
    await expect(readProbeSet(path.join(d, '1_1_a.jpg'))).rejects.toThrow(/expected a folder, found a file/);
  });
});

describe('readProbeSet with a manifest', () => {
  it('takes records and factors from the manifest, sorted by file, and ignores other files', async () => {
    const d = await tempDir();
    const m = sampleManifest();
    for (const r of m.records) await jpeg(path.join(d, r.file), 100);
    await jpeg(path.join(d, '5_5_unlisted.jpg'), 0);
    await writeManifest(d, m);
    const set = await readProbeSet(d);
    expect(set.factors).toEqual(['shape', 'texture']);
    expect(set.manifest).toEqual(m);
    expect(set.skipped).toEqual([]);
    expect(set.records.map((r) => r.file)).toEqual([...m.records.map((r) => r.file)].sort());
    expect(new Set(set.records)).toEqual(new Set(m.records));
  });

  it('reads 0-based texture ids as they are, as the same folder without its manifest does', async () => {
    const d = await tempDir();
    const m = sampleManifest();
    for (const r of m.records) { r.textureId -= 1; r.factors.texture = r.textureId; r.file = `${r.textureId}_${r.classId}_${r.contentId}.jpg`; }
    for (const t of m.textures) t.id -= 1;
    for (const r of m.records) await jpeg(path.join(d, r.file), 100);
    await writeManifest(d, m);
    const withManifest = await readProbeSet(d);
    expect(withManifest.records.map((r) => r.textureId).sort()).toEqual([0, 0, 1, 1]);
    await rm(path.join(d, 'manifest.json'));
    const without = await readProbeSet(d);
    const ids = (s: typeof without): [string, number][] => s.records.map((r) => [r.file, r.textureId] as [string, number]).sort();
    expect(ids(withManifest)).toEqual(ids(without));
  });

  it('reports listed images that are missing, with their names', async () => {
    const d = await tempDir();
    const m = sampleManifest();
    for (const r of m.records.slice(1)) await jpeg(path.join(d, r.file), 100);
    await writeManifest(d, m);
    await expect(readProbeSet(d)).rejects.toThrow(new RegExp(`manifest\\.json: 1 of 4 listed image\\(s\\) not found under .*: ${m.records[0]!.file}`));
  });

  it('reports a malformed manifest with the file and field', async () => {
    const d = await tempDir();
    const m = sampleManifest() as any;
    m.records[2].textureId = 2.5;
    await writeFile(path.join(d, 'manifest.json'), JSON.stringify(m));
    await expect(readProbeSet(d)).rejects.toThrow(/manifest\.json: records\[2\]\.textureId: expected a non-negative integer, got 2\.5/);
  });
});
