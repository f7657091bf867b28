/** readCueConflictSet on hand-made folders: what is read, what is passed over and why. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCueConflictSet, synthesizeProbeSet } from '@shapetex/svoc';

let base: string;
const png = (): Promise<Buffer> => sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 9, g: 99, b: 199 } } }).png().toBuffer();
async function put(dir: string, rel: string): Promise<void> {
  const f = path.join(dir, rel);
  await mkdir(path.dirname(f), { recursive: true });
  await writeFile(f, await png());
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'cue-read-'));
});

describe('readCueConflictSet, stimuli layout', () => {
  it('reads {shape}{n}-{texture}{m}.png inside the shape folder, keeps same-category images, passes over the rest with reasons', async () => {
    const dir = path.join(base, 'set');
    for (const f of ['cat/cat1-dog2.png', 'cat/cat2-cat1.png', 'dog/dog3-cat1.png', 'dog/cat4-dog1.png', 'dog/dog1-zebra1.png', 'dog/readme.png']) await put(dir, f);
    const set = await readCueConflictSet(dir);
    expect(set.kind).toBe('stimuli');
    // a texture category without a folder of its own (zebra) is a category all the same
    expect(set.categories).toEqual(['cat', 'dog', 'zebra']);
    expect(set.images).toEqual([
      { file: 'cat/cat1-dog2.png', shape: 'cat', texture: 'dog', conflict: true },
      { file: 'cat/cat2-cat1.png', shape: 'cat', texture: 'cat', conflict: false },
      { file: 'dog/dog1-zebra1.png', shape: 'dog', texture: 'zebra', conflict: true },
      { file: 'dog/dog3-cat1.png', shape: 'dog', texture: 'cat', conflict: true },
    ]);
    expect(set.skipped).toEqual([
      { file: 'dog/cat4-dog1.png', reason: 'shape category cat is not its folder dog' },
      { file: 'dog/readme.png', reason: 'not named {shape}{n}-{texture}{m}.png' },
    ]);
  });

  it('a folder without any such image, or no folder, is an error that says what was expected', async () => {
    const empty = path.join(base, 'empty');
    await mkdir(path.join(empty, 'cat'), { recursive: true });
    await writeFile(path.join(empty, 'cat', 'x.png'), await png());
    await expect(readCueConflictSet(empty)).rejects.toThrow(/no image named \{shape\}\{n\}-\{texture\}\{m\}\.png inside a folder named by its shape category.*first passed over: cat\/x\.png/);
    await expect(readCueConflictSet(path.join(empty, 'nope'))).rejects.toThrow(/cannot open the folder/);
  });
});

describe('readCueConflictSet, manifest', () => {
  it('a manifest of another kind is refused, naming the kind', async () => {
    const dir = path.join(base, 'synth');
    await synthesizeProbeSet({ out: dir, factors: ['shape', 'texture'], perFactor: 2, size: 8, seed: 0 });
    await expect(readCueConflictSet(dir)).rejects.toThrow(/manifest\.json: kind is "synthetic", a cue-conflict set needs "cue-conflict"/);
  });
});
