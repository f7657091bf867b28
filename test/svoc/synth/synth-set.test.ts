import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestHash, parseProbeFileName, readProbeSet, synthesizeProbeSet, type Manifest } from '@shapetex/svoc';
import { decode } from './pixels.js';

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });
const tempDir = async (): Promise<string> => {
  const d = await mkdtemp(path.join(tmpdir(), 'svoc-synthset-'));
  dirs.push(d);
  return d;
};
const opts = { factors: ['shape', 'texture', 'color'], perFactor: 3, size: 32 };

describe('synthetic set: records, names and manifest', () => {
  let dir: string;
  let m: Manifest;
  beforeAll(async () => {
    dir = await tempDir();
    m = await synthesizeProbeSet({ ...opts, out: dir, seed: 3 });
  });

  it('holds every combination once, with the record fields filled as documented', () => {
    expect(m.kind).toBe('synthetic');
    expect(m.factors).toEqual(['shape', 'texture', 'color']);
    expect(m.records).toHaveLength(27);
    const combos = new Set(m.records.map((r) => `${r.factors.shape}|${r.factors.texture}|${r.factors.color}`));
    expect(combos.size).toBe(27);
    const shapes = m.build.values as Record<string, string[]>;
    expect(shapes.shape).toEqual(['circle', 'square', 'triangle']);
    for (const r of m.records) {
      expect(r.classId).toBe(shapes.shape!.indexOf(String(r.factors.shape)) + 1);
      expect(r.className).toBe(r.factors.shape);
      expect(r.textureId).toBe(shapes.texture!.indexOf(String(r.factors.texture)) + 1);
      expect(r.textureName).toBe(r.factors.texture);
      expect(r.contentId).toBe(`${r.factors.shape}-${r.factors.color}`);
      expect(parseProbeFileName(r.file)).toEqual({ textureId: r.textureId, classId: r.classId, contentId: r.contentId, ext: 'jpg' });
    }
    expect(m.classes).toEqual([{ id: 1, name: 'circle' }, { id: 2, name: 'square' }, { id: 3, name: 'triangle' }]);
    expect(m.textures.map((t) => t.id)).toEqual([1, 2, 3]);
  });

  it('writes exactly the listed images plus the manifest, each a decodable image of the asked size', async () => {
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([...m.records.map((r) => r.file), 'manifest.json'].sort());
    const img = await decode(path.join(dir, m.records[5]!.file));
    expect([img.width, img.height]).toEqual([32, 32]);
  });

  it('reads back through readProbeSet: with its manifest, and as a reference-named folder without one', async () => {
    const set = await readProbeSet(dir);
    expect(set.factors).toEqual(m.factors);
    expect(set.records).toEqual([...m.records].sort((a, b) => (a.file < b.file ? -1 : 1)));
    expect(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))).toEqual(m);
    await rm(path.join(dir, 'manifest.json'));
    const byNames = await readProbeSet(dir);
    expect(byNames.records).toHaveLength(27);
    expect(byNames.skipped).toEqual([]);
    for (const r of byNames.records) {
      const original = m.records.find((o) => o.file === r.file)!;
      expect([r.classId, r.textureId, r.contentId]).toEqual([original.classId, original.textureId, original.contentId]);
      expect(r.factors).toEqual({ shape: original.contentId, texture: original.textureId });
    }
  });
});

describe('synthetic set: seeds and subsets', () => {
  const bytesOf = async (dir: string, m: Manifest) => Promise.all(m.records.map((r) => readFile(path.join(dir, r.file))));

  it('is byte-identical for one seed and differs for another', async () => {
    const [a, b, c] = [await tempDir(), await tempDir(), await tempDir()];
    const ma = await synthesizeProbeSet({ ...opts, out: a, seed: 11 });
    const mb = await synthesizeProbeSet({ ...opts, out: b, seed: 11 });
    const mc = await synthesizeProbeSet({ ...opts, out: c, seed: 12 });
    expect(manifestHash(mb)).toBe(manifestHash(ma));
    expect(mb.records).toEqual(ma.records);
    const [ba, bb, bc] = [await bytesOf(a, ma), await bytesOf(b, mb), await bytesOf(c, mc)];
    ba.forEach((x, i) => expect(x.equals(bb[i]!), ma.records[i]!.file).toBe(true));
    // Another seed: the same grid of records, other poses, so (almost) every image differs.
    expect(mc.records).toEqual(ma.records);
    expect(manifestHash(mc)).not.toBe(manifestHash(ma));
    expect(ba.filter((x, i) => !x.equals(bc[i]!)).length).toBeGreaterThanOrEqual(25);
  });

  it('a subset is a seeded draw of combinations whose images equal the full set\'s', async () => {
    const [full, sub, sub2] = [await tempDir(), await tempDir(), await tempDir()];
    const mf = await synthesizeProbeSet({ ...opts, out: full, seed: 4 });
    const ms = await synthesizeProbeSet({ ...opts, out: sub, seed: 4, subset: 10 });
    const ms2 = await synthesizeProbeSet({ ...opts, out: sub2, seed: 9, subset: 10 });
    expect(ms.records).toHaveLength(10);
    expect(ms.build.subset).toBe(10);
    for (const r of ms.records) {
      expect(mf.records).toContainEqual(r);
      expect((await readFile(path.join(sub, r.file))).equals(await readFile(path.join(full, r.file))), r.file).toBe(true);
    }
    expect(ms2.records.map((r) => r.file)).not.toEqual(ms.records.map((r) => r.file));
    expect((await readdir(sub)).length).toBe(11);
  });
});

describe('synthetic set: factor choices and option errors', () => {
  it('takes any subset of factor kinds, in any order, keeping the given names', async () => {
    const d = await tempDir();
    const m = await synthesizeProbeSet({ out: d, factors: ['colour', 'shape'], perFactor: 2, size: 16, format: 'png' });
    expect(m.factors).toEqual(['colour', 'shape']);
    expect(m.records.map((r) => r.file).sort()).toEqual(['1_1_red-circle.png', '1_1_red-square.png', '1_2_cyan-circle.png', '1_2_cyan-square.png']);
    expect(m.records.every((r) => r.textureName === 'plain' && r.className === r.factors.colour)).toBe(true);
    const t = await synthesizeProbeSet({ out: await tempDir(), factors: ['texture'], perFactor: 4, size: 16 });
    expect(t.records.map((r) => [r.contentId, r.textureId, r.classId])).toEqual([['plain', 1, 1], ['plain', 2, 2], ['plain', 3, 3], ['plain', 4, 4]]);
  });

  it('rejects bad options with the option, the expectation and the value', async () => {
    const out = path.join(tmpdir(), 'svoc-never-written');
    const cases: [object, RegExp][] = [
      [{ factors: ['shape', 'size'] }, /factors\[1\]: expected one of shape, texture, color \(or colour\), got "size"/],
      [{ factors: ['color', 'colour'] }, /factors\[1\]: expected a kind not listed before \(color\)/],
      [{ factors: [] }, /factors: expected a non-empty list/],
      [{ perFactor: 13 }, /perFactor: expected an integer from 2 to 12, got 13/],
      [{ perFactor: 1 }, /perFactor: expected an integer from 2 to 12, got 1/],
      [{ size: 4 }, /size: expected an integer from 8 to 4096, got 4/],
      [{ subset: 0 }, /subset: expected an integer from 1 to 512/],
      [{ seed: 1.5 }, /seed: expected an integer, got 1\.5/],
      [{ format: 'gif' }, /format: expected "jpg" or "png", got "gif"/],
    ];
    for (const [o, message] of cases) {
      await expect(synthesizeProbeSet({ out, ...o } as never), JSON.stringify(o)).rejects.toThrow(message);
    }
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});
