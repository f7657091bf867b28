import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readProbeSet, synthesizeProbeSet } from '@shapetex/svoc';

const run = promisify(execFile);
const driver = path.join(path.dirname(fileURLToPath(import.meta.url)), 'synth-cli.mjs');
const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });
const tempDir = async (): Promise<string> => {
  const d = await mkdtemp(path.join(tmpdir(), 'svoc-synthcli-'));
  dirs.push(d);
  return d;
};

describe('svoc synth as a process (registerSynthCommand)', () => {
  it('writes the set the function writes for the same options, and says what it wrote', async () => {
    const out = path.join(await tempDir(), 'set');
    const { stdout } = await run(process.execPath, [driver, 'synth', '--out', out, '--factors', 'shape,color', '--per-factor', '3', '--size', '24', '--seed', '7']);
    expect(stdout).toMatch(/^svoc synth: 9 images \(shape × color, 3 values each, 24px\) in .*set in \d+\.\d s\n$/);
    const set = await readProbeSet(out);
    expect(set.records).toHaveLength(9);
    expect(set.manifest!.build).toMatchObject({ seed: 7, size: 24, perFactor: 3, format: 'jpg', quality: 90 });
    const ref = await tempDir();
    await synthesizeProbeSet({ out: ref, factors: ['shape', 'color'], perFactor: 3, size: 24, seed: 7 });
    for (const r of set.records) {
      expect((await readFile(path.join(out, r.file))).equals(await readFile(path.join(ref, r.file))), r.file).toBe(true);
    }
  });

  it('passes --subset, --format and --no-jitter through', async () => {
    const out = await tempDir();
    await run(process.execPath, [driver, 'synth', '--out', out, '--factors', 'texture', '--per-factor', '4', '--size', '16', '--subset', '2', '--format', 'png', '--no-jitter']);
    const set = await readProbeSet(out);
    expect(set.records).toHaveLength(2);
    expect(set.records.every((r) => r.file.endsWith('.png'))).toBe(true);
    expect(set.manifest!.build.jitter).toBe(false);
  });

  it('fails with a usage message naming the option and value', async () => {
    const out = await tempDir();
    const fail = (args: string[]) => run(process.execPath, [driver, 'synth', '--out', out, ...args]);
    await expect(fail(['--per-factor', '99'])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/--per-factor must be an integer from 2 to 12, got "99"/) });
    await expect(fail(['--factors', 'shape,size'])).rejects.toMatchObject({ stderr: expect.stringMatching(/--factors takes a comma-separated list of shape, texture, color; got "shape,size"/) });
    await expect(fail(['--size', '12px'])).rejects.toMatchObject({ stderr: expect.stringMatching(/--size must be an integer/) });
    await expect(run(process.execPath, [driver, 'synth'])).rejects.toMatchObject({ stderr: expect.stringMatching(/--out <dir>/) });
    expect(await readdir(out)).toEqual([]);
  });
});
