import { mkdtemp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeJsonAtomic } from '@shapetex/svoc';

const dirs: string[] = [];
const tempDir = async (): Promise<string> => {
  const d = await mkdtemp(path.join(tmpdir(), 'svoc-atomic-'));
  dirs.push(d);
  return d;
};
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

describe('writeFileAtomic', () => {
  it('writes the bytes, creates the parent folder and leaves no temporary file', async () => {
    const d = await tempDir();
    const file = path.join(d, 'a', 'b', 'x.bin');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(file))]).toEqual([1, 2, 3]);
    await writeFileAtomic(file, 'replaced');
    expect(await readFile(file, 'utf8')).toBe('replaced');
    expect(await readdir(path.dirname(file))).toEqual(['x.bin']);
  });

  it('names the file on failure and cleans up its temporary file', async () => {
    const d = await tempDir();
    const target = path.join(d, 'is-a-folder');
    await mkdir(path.join(target, 'inside'), { recursive: true });
    // Renaming a file over a non-empty folder fails on every POSIX file system.
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow(new RegExp(`could not write ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect((await readdir(d)).sort()).toEqual(['is-a-folder']);
  });

  it('writeJsonAtomic writes indented JSON with a final newline', async () => {
    const d = await tempDir();
    await writeJsonAtomic(path.join(d, 'v.json'), { a: [1, 2] });
    expect(await readFile(path.join(d, 'v.json'), 'utf8')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}\n');
  });
});
