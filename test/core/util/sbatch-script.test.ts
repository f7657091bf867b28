/**
 * The sbatch scripts the `slurm` subcommands write, run by bash itself (the #SBATCH lines are
 * comments to it): every word reaches the command as it was, and the job's environment carries
 * glibc's retain setting unless the submitting environment set GLIBC_TUNABLES itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RETAIN_MALLOC_TUNABLES, sbatchScript } from '@shapetex/core';

const dir = mkdtempSync(path.join(tmpdir(), 'shapetex-sbatch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runScript(command: string[], env: NodeJS.ProcessEnv): string {
  const file = path.join(dir, `job-${Math.random().toString(36).slice(2)}.sbatch`);
  writeFileSync(file, sbatchScript({ jobName: 'test job', log: 'logs/%A_%a.out', chdir: dir, extra: ['--time=0:10:00'], command, comment: 'made by a test' }));
  const r = spawnSync('bash', [file], { env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('sbatchScript', () => {
  it('sets glibc to keep freed memory for the next session when the environment has no GLIBC_TUNABLES', () => {
    const { GLIBC_TUNABLES: _, ...env } = process.env;
    expect(runScript(['printenv', 'GLIBC_TUNABLES'], env)).toBe(`${RETAIN_MALLOC_TUNABLES}\n`);
  });

  it("keeps the submitter's own GLIBC_TUNABLES", () => {
    const mine = 'glibc.malloc.arena_max=2';
    expect(runScript(['printenv', 'GLIBC_TUNABLES'], { ...process.env, GLIBC_TUNABLES: mine })).toBe(`${mine}\n`);
  });

  it('passes every word to the command as it was (spaces, quotes, $, globs)', () => {
    const words = ['a b', "it's", '"quoted"', '$HOME', '*', 'back\\slash', ''];
    expect(runScript(['printf', '[%s]\\n', ...words], process.env)).toBe(words.map((w) => `[${w}]\n`).join(''));
  });
});
