import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseTextures, ISLAM2021_TEXTURES, parseTextureChoice } from '@shapetex/svoc';
import { makeMiniDtd, MINI_DTD } from './mini-datasets.js';

let root: string;
let dtd: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'svoc-dtd-'));
  dtd = await makeMiniDtd(root);
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

const categoryOf = (name: string): string => name.replace(/_\d+$/, '');

describe('DTD textures (SPEC §2.3)', () => {
  it('draws N with the seed, at most one per category, ids 1..N', async () => {
    const a = await chooseTextures(dtd, 4, 3);
    expect(a.map((t) => t.id)).toEqual([1, 2, 3, 4]);
    expect(new Set(a.map((t) => categoryOf(t.name))).size).toBe(4);
    for (const t of a) {
      expect(MINI_DTD[categoryOf(t.name)]).toContain(t.name);
      expect(t.source).toBe(path.join(dtd, 'images', categoryOf(t.name), `${t.name}.jpg`));
    }
    expect(await chooseTextures(dtd, 4, 3)).toEqual(a);
    // All 6 categories: every draw covers each once, in a seed-dependent order.
    const all = await Promise.all([0, 1, 2, 3, 4, 5].map((s) => chooseTextures(dtd, 6, s)));
    for (const t of all) expect(t.map((x) => categoryOf(x.name)).sort()).toEqual(Object.keys(MINI_DTD).sort());
    expect(new Set(all.map((t) => t.map((x) => x.name).join())).size).toBeGreaterThan(1);
  });

  it('resolves the islam2021 preset and explicit names or files in order', async () => {
    const p = await chooseTextures(dtd, 'islam2021');
    expect(p.map((t) => t.name)).toEqual([...ISLAM2021_TEXTURES]);
    expect(p[2]!.source).toBe(path.join(dtd, 'images', 'pleated', 'pleated_0168.jpg'));
    const file = path.join(dtd, 'images', 'woven', 'woven_0100.jpg');
    const l = await chooseTextures(undefined, [file]);
    expect(l).toEqual([{ id: 1, name: 'woven_0100', source: file }]);
    expect((await chooseTextures(path.join(dtd, 'images'), ['banded_0002', file])).map((t) => t.name)).toEqual(['banded_0002', 'woven_0100']);
  });

  it('fails clearly', async () => {
    await expect(chooseTextures(dtd, 7)).rejects.toThrow(/cannot draw 7 textures at most one per category: .* has 6 categories/);
    await expect(chooseTextures(dtd, ['cracked_9999'])).rejects.toThrow(/texture "cracked_9999" not found in .*cracked/);
    await expect(chooseTextures(undefined, 3)).rejects.toThrow(/--dtd/);
    await expect(chooseTextures(dtd, ['woven_0097', 'woven_0097'])).rejects.toThrow(/listed twice/);
    expect(parseTextureChoice('5')).toBe(5);
    expect(parseTextureChoice('islam2021')).toBe('islam2021');
    expect(parseTextureChoice('a.jpg, b_0001')).toEqual(['a.jpg', 'b_0001']);
    expect(() => parseTextureChoice(' , ')).toThrow(/--textures takes/);
  });
});
