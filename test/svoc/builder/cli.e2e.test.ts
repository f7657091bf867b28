import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { VERSION } from '@shapetex/core';
import { readProbeSet } from '@shapetex/svoc';

const run = promisify(execFile);
// The bin as package.json declares it, so a wrong "bin" entry fails here too.
const pkgJson = createRequire(import.meta.url).resolve('@shapetex/svoc/package.json');
const bin = path.join(path.dirname(pkgJson), (createRequire(import.meta.url)('@shapetex/svoc/package.json') as { bin: { svoc: string } }).bin.svoc);
const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

describe('the svoc bin', () => {
  it('runs svoc synth', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'svoc-cli-'));
    dirs.push(out);
    const { stdout } = await run(process.execPath, [bin, 'synth', '--out', out, '--per-factor', '3', '--size', '16', '--factors', 'shape,texture']);
    expect(stdout).toMatch(/^svoc synth: 9 images/);
    expect((await readProbeSet(out)).records).toHaveLength(9);
  });

  it('exits 2 on usage errors and names the option; prints the library version', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'svoc-cli-'));
    dirs.push(out);
    await expect(run(process.execPath, [bin, 'synth', '--out', out, '--size', 'big'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--size must be an integer/) });
    await expect(run(process.execPath, [bin, 'nonsense'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command 'nonsense'/) });
    expect(await readdir(out)).toEqual([]);
    expect((await run(process.execPath, [bin, '--version'])).stdout.trim()).toBe(VERSION);
  });
});
