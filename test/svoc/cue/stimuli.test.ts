/**
 * The reader and parser on every name of the published cue-conflict stimuli (1,280 images, 16
 * categories × 80; 80 of them with shape = texture, so 1,200 enter the bias), rebuilt as a
 * folder of placeholder PNGs from test/fixtures/cue/stimuli-names.txt.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCueFileName, readCueConflictSet } from '@shapetex/svoc';
import { IMAGENET16 } from '@shapetex/bias';

const NAMES = readFileSync(path.resolve(__dirname, '../../fixtures/cue/stimuli-names.txt'), 'utf8').trim().split('\n');
let dir: string | undefined;
afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

describe('the published stimuli', () => {
  it('every name parses, its shape is its folder, its texture one of the 16 categories', () => {
    expect(NAMES).toHaveLength(1280);
    const categories = Object.keys(IMAGENET16);
    let same = 0;
    for (const rel of NAMES) {
      const [folder, file] = rel.split('/');
      const n = parseCueFileName(file!);
      expect(n, rel).not.toBeNull();
      expect(n!.shape, rel).toBe(folder);
      expect(categories, rel).toContain(n!.texture);
      if (n!.shape === n!.texture) same++;
    }
    expect(same).toBe(80);
  });

  it('readCueConflictSet reads the layout: 1,280 images, 16 categories, 1,200 conflicts, nothing skipped', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cue-stimuli-'));
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
    for (const c of Object.keys(IMAGENET16)) await mkdir(path.join(dir, c));
    await Promise.all(NAMES.map((rel) => writeFile(path.join(dir!, rel), png)));
    const set = await readCueConflictSet(dir);
    expect(set.kind).toBe('stimuli');
    expect(set.skipped).toEqual([]);
    expect(set.categories).toEqual(Object.keys(IMAGENET16));
    expect(set.images).toHaveLength(1280);
    expect(set.images.filter((i) => i.conflict)).toHaveLength(1200);
    expect(set.images.map((i) => i.file)).toEqual([...NAMES].sort());
    const perShape = new Map<string, number>();
    for (const i of set.images) perShape.set(i.shape, (perShape.get(i.shape) ?? 0) + 1);
    expect([...perShape.values()]).toEqual(Array(16).fill(80));
  });
});
