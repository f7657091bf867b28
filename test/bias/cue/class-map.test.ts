/**
 * Class maps. The imagenet16 counts are those of the published `*_indices` lists in the
 * model-vs-human toolbox (modelvshuman/helper/human_categories.py), counted from that file;
 * the index sums pin the lists down further than the counts alone.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinClassMap, classMapFor, defaultClassMap, IMAGENET16, loadClassMap, parseClassMap } from '@shapetex/bias';

const PUBLISHED: Record<string, [count: number, sum: number]> = {
  airplane: [1, 404], bear: [4, 1182], bicycle: [2, 1115], bird: [49, 4213], boat: [5, 3379], bottle: [7, 5502],
  car: [3, 1764], cat: [6, 1701], chair: [4, 2604], clock: [3, 1831], dog: [109, 22672], elephant: [2, 771],
  keyboard: [2, 1386], knife: [1, 499], oven: [1, 766], truck: [8, 5637],
};

describe('imagenet16', () => {
  it('has the 16 categories in the toolbox order, with the published index counts per category', () => {
    expect(Object.keys(IMAGENET16)).toEqual(Object.keys(PUBLISHED).sort());
    for (const [c, [count, sum]] of Object.entries(PUBLISHED)) {
      expect(IMAGENET16[c]!.length, c).toBe(count);
      expect(IMAGENET16[c]!.reduce((a, b) => a + b, 0), c).toBe(sum);
    }
    const all = Object.values(IMAGENET16).flat();
    expect(all).toHaveLength(207);
    expect(new Set(all).size).toBe(207);
    expect(Math.min(...all)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...all)).toBeLessThan(1000);
    // spot checks against well-known ImageNet classes: 404 airliner, 499 cleaver, 766 rotisserie
    expect(IMAGENET16.airplane).toEqual([404]);
    expect(IMAGENET16.knife).toEqual([499]);
    expect(IMAGENET16.oven).toEqual([766]);
  });
});

describe('built-in maps and defaults', () => {
  it('cifar10-voc maps the 7 shared classes to VOC names and leaves deer, frog, truck unmapped', () => {
    const m = builtinClassMap('cifar10-voc')!;
    const pairs = Object.fromEntries(m.categories.map((c, i) => [c, m.indices[i]]));
    expect(pairs).toEqual({ aeroplane: [0], car: [1], bird: [2], cat: [3], dog: [5], horse: [7], boat: [8] });
    expect(m.headSize).toBe(10);
  });

  it('voc is the identity in VOC order', () => {
    const m = builtinClassMap('voc')!;
    expect(m.categories[0]).toBe('aeroplane');
    expect(m.categories[19]).toBe('tvmonitor');
    expect(m.indices).toEqual(Array.from({ length: 20 }, (_, i) => [i]));
  });

  it('the default follows the head size: 1000, 10, 20; others have none', () => {
    expect(defaultClassMap(1000)!.name).toBe('imagenet16');
    expect(defaultClassMap(10)!.name).toBe('cifar10-voc');
    expect(defaultClassMap(20)!.name).toBe('voc');
    expect(defaultClassMap(100)).toBeUndefined();
    expect(() => classMapFor(undefined, 100, 'resnet18k')).toThrow(/100-class head has no default class map.*--class-map FILE/);
    expect(() => classMapFor(builtinClassMap('imagenet16'), 10, 'resnet18')).toThrow(/imagenet16 is for 1000-class heads, this head has 10/);
  });
});

describe('a JSON class map', () => {
  it('reads category → indices, checks the head can hold them', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-classmap-'));
    const file = path.join(dir, 'map.json');
    await writeFile(file, JSON.stringify({ Cat: [3, 4], dog: [7] }));
    const m = await loadClassMap(file);
    expect(m).toEqual({ name: file, categories: ['cat', 'dog'], indices: [[3, 4], [7]], headSize: null });
    expect(classMapFor(m, 8, 'x')).toBe(m);
    expect(() => classMapFor(m, 7, 'x')).toThrow(/uses class 7, this head has 7 classes/);
  });

  it('bad maps are errors naming the file and key', async () => {
    expect(() => parseClassMap([1, 2], 'm.json')).toThrow(/m\.json: expected a JSON object/);
    expect(() => parseClassMap({ cat: [] }, 'm.json')).toThrow(/"cat" must be a non-empty array/);
    expect(() => parseClassMap({ cat: [1.5], dog: [2] }, 'm.json')).toThrow(/"cat" holds 1\.5/);
    expect(() => parseClassMap({ cat: [1], dog: [1] }, 'm.json')).toThrow(/class 1 is in both "cat" and "dog"/);
    expect(() => parseClassMap({ cat: [1] }, 'm.json')).toThrow(/at least 2 categories/);
    await expect(loadClassMap('/nonexistent/map.json')).rejects.toThrow(/class map \/nonexistent\/map\.json: cannot read it/);
  });
});
