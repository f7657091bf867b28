/**
 * bias-score and its output folder under the adversarial probe: two real processes on one --out
 * (one is refused with exit 2, naming the other), a holder killed with SIGKILL (its stale lock
 * taken over), duplicate rows from an unlocked past dropped on resume, failures that clear once
 * their cause is gone, analysis/plot failures recorded with a final status, and refused globals
 * of a real PyTorch checkpoint reported by the run and by `inspect`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readProbeSet } from '@shapetex/svoc';
import { zipStrideZero } from '../core/io/hostile-files.js';
import { bias, CLI, FIXTURES, makeWorld, readLines, REPO, type World } from './helpers.js';

const REFUSED = path.join(REPO, 'test/fixtures/refused/resnet18_posix_system.pth');
const MARKER = '/tmp/shapetex-refused-pwned';

let w: World;
let two: string;
const args = (out: string, extra: string[] = []): string[] => [two, '--probe', w.probe, '--image-size', '32', '--norm', 'cifar', '--backend', 'wasm', '--out', out, ...extra];

async function waitFor(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Row { checkpoint: string; tap: string; method: string; refusedGlobals?: string[] }
const keys = (rows: Row[]): string[] => rows.map((r) => `${r.checkpoint}|${r.tap}|${r.method}`);

beforeAll(async () => {
  w = await makeWorld();
  // Three checkpoints of the series: enough to be mid-run, quick to score.
  two = path.join(w.dir, 'three');
  await mkdir(two);
  for (const e of [1, 2, 3]) await cp(path.join(FIXTURES, 'resnet18k', `IN_resnet18k_epoch000${e}_cifar10_ln20pc_seed42.pth`), path.join(two, `IN_resnet18k_epoch000${e}_cifar10_ln20pc_seed42.pth`));
});

describe('one writer per output folder', () => {
  it('a second bias-score on a folder in use exits 2 naming the holder; the first finishes alone', async () => {
    const out = path.join(w.dir, 'two-writers');
    const first = bias(args(out));
    await waitFor(() => existsSync(path.join(out, '.lock')), 'the first run to take the lock');
    const holder = JSON.parse(readFileSync(path.join(out, '.lock'), 'utf8')) as { pid: number; tool: string };
    expect(holder.tool).toBe('bias-score');
    // Paused while the second starts (node's start-up here can outlast the whole first run); it still holds the lock.
    process.kill(holder.pid, 'SIGSTOP');
    let second;
    try {
      second = await bias(args(out));
    } finally {
      process.kill(holder.pid, 'SIGCONT');
    }
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`is in use by bias-score \\(pid ${holder.pid} on [^,]+, since [^)]+\\); one writer per output folder`));
    const a = await first;
    expect(a.status, a.stderr).toBe(0);
    const rows = (await readLines(path.join(out, 'results.jsonl'))) as Row[];
    expect(rows).toHaveLength(3);
    expect(new Set(keys(rows)).size).toBe(3);
    expect(existsSync(path.join(out, '.lock'))).toBe(false);
  });

  it('bias-score merge takes the lock too: into a folder in use it exits 2 naming the holder; otherwise it merges and releases it', async () => {
    const src = path.join(w.dir, 'merge-src');
    const made = await bias(args(src));
    expect(made.status, made.stderr).toBe(0);
    const out = path.join(w.dir, 'merge-busy');
    const first = bias(args(out));
    await waitFor(() => existsSync(path.join(out, '.lock')), 'the run to take the lock');
    const holder = JSON.parse(readFileSync(path.join(out, '.lock'), 'utf8')) as { pid: number; tool: string };
    process.kill(holder.pid, 'SIGSTOP');
    let refused;
    try {
      refused = await bias(['merge', src, '--out', out]);
    } finally {
      process.kill(holder.pid, 'SIGCONT');
    }
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`is in use by bias-score \\(pid ${holder.pid} on [^,]+, since [^)]+\\); one writer per output folder`));
    const a = await first;
    expect(a.status, a.stderr).toBe(0);
    // The run's rows are its own: the refused merge wrote nothing into the folder.
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')).mergedFrom).toBeUndefined();
    const merged = path.join(w.dir, 'merge-ok');
    const ok = await bias(['merge', src, '--out', merged]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(keys((await readLines(path.join(merged, 'results.jsonl'))) as Row[])).toHaveLength(3);
    expect(existsSync(path.join(merged, '.lock'))).toBe(false);
  });

  it('a holder killed with SIGKILL does not leave the folder stuck: the next run takes over and completes', async () => {
    const out = path.join(w.dir, 'killed');
    const killed = await bias(args(out), (err) => /checkpoint 1\/3/.test(err));
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(path.join(out, '.lock'))).toBe(true);
    const again = await bias(args(out, ['--json']));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/the bias-score run that held it \(pid \d+, since .*\) is gone; it was interrupted/);
    expect(keys((await readLines(path.join(out, 'results.jsonl'))) as Row[]).sort()).toHaveLength(3);
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')).status).toBe('complete');
  });

  it('duplicate rows left by two unlocked writers are dropped on resume, the file rewritten', async () => {
    const out = path.join(w.dir, 'dups');
    expect((await bias(args(out))).status).toBe(0);
    const text = await readFile(path.join(out, 'results.jsonl'), 'utf8');
    await appendFile(path.join(out, 'results.jsonl'), text + text.split('\n')[0] + '\n');
    const again = await bias(args(out, ['--json']));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/results\.jsonl held 4 duplicate row\(s\)/);
    expect(JSON.parse(again.stdout).checkpoints).toMatchObject({ scored: 0, resumed: 3 });
    expect(await readFile(path.join(out, 'results.jsonl'), 'utf8')).toBe(text);
  });
});

describe('a memory-amplifying checkpoint in the folder', () => {
  it('is a recorded load failure (CheckpointMemoryError), the others are scored, and a resume does not die on it', async () => {
    const dir = path.join(w.dir, 'with-hostile');
    await cp(two, dir, { recursive: true });
    await writeFile(path.join(dir, 'IN_resnet18k_epoch0004_stride0.pth'), zipStrideZero());
    const out = path.join(w.dir, 'with-hostile-out');
    const runArgs = [dir, '--probe', w.probe, '--image-size', '32', '--norm', 'cifar', '--backend', 'wasm', '--out', out];
    const r = await bias(runArgs);
    expect(r.status, r.stderr).toBe(1);
    const errors = (await readLines(path.join(out, 'errors.jsonl'))) as { checkpoint: string; stage: string; error: string; message: string }[];
    expect(errors).toMatchObject([{ checkpoint: 'IN_resnet18k_epoch0004_stride0.pth', stage: 'load', error: 'CheckpointMemoryError' }]);
    expect(errors[0]!.message).toMatch(/over its budget of [\d.]+ MiB \(6 × file size \+ 64\.0 MiB\)/);
    expect((await readLines(path.join(out, 'results.jsonl'))) as Row[]).toHaveLength(3);
    const again = await bias(runArgs);
    expect(again.status).toBe(1);
    expect((await readLines(path.join(out, 'errors.jsonl'))) as Row[]).toHaveLength(1);
  });
});

describe('failures are records of a run', () => {
  it('a probe image that failed once no longer sets exit 1 once fixed and the rows are complete', async () => {
    const probe = path.join(w.dir, 'flaky-probe');
    await cp(w.probe, probe, { recursive: true });
    const victim = (await readProbeSet(probe)).records[3]!.file;
    const good = await readFile(path.join(probe, victim));
    await writeFile(path.join(probe, victim), 'not an image');
    const out = path.join(w.dir, 'flaky-out');
    const runArgs = [two, '--probe', probe, '--image-size', '32', '--norm', 'cifar', '--backend', 'wasm', '--out', out];
    const bad = await bias(runArgs);
    expect(bad.status).toBe(1);
    const [line] = (await readLines(path.join(out, 'errors.jsonl'))) as { stage: string; run: string; input: string }[];
    const run1 = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'));
    expect(line).toMatchObject({ stage: 'run', input: probe, run: run1.startTime });
    expect(run1.status).toBe('failed');

    await writeFile(path.join(probe, victim), good);
    const fixed = await bias(runArgs);
    expect(fixed.status, fixed.stderr).toBe(0);
    expect(fixed.stderr).not.toMatch(/FAILED/);
    expect(await readFile(path.join(out, 'errors.jsonl'), 'utf8')).toBe('');
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')).status).toBe('complete');
    const third = await bias(runArgs);
    expect(third.status).toBe(0);
  });

  it('SIGTERM stops after the checkpoint in progress: exit 130, run.json interrupted, lock released, resumable', async () => {
    const out = path.join(w.dir, 'term');
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args(out)], { env: { ...process.env, SHAPETEX_BACKEND: 'wasm' } });
      let stderr = '';
      let sent = false;
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (!sent && /checkpoint 1\/3/.test(stderr)) { sent = true; child.kill('SIGTERM'); }
      });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/stopping after the current checkpoint/);
    const info = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'));
    expect(info.status).toBe('interrupted');
    expect(info.endTime).not.toBeNull();
    expect(existsSync(path.join(out, '.lock'))).toBe(false);
    const rows = (await readLines(path.join(out, 'results.jsonl'))) as Row[];
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThan(3);
    const again = await bias(args(out));
    expect(again.status, again.stderr).toBe(0);
    expect((await readLines(path.join(out, 'results.jsonl'))) as Row[]).toHaveLength(3);
  });

  it('a plot-stage failure is recorded in errors.jsonl with its run, run.json ends failed; it clears once fixed', async () => {
    const out = path.join(w.dir, 'plots-fail');
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, 'plots'), 'a file where the plots folder goes');
    const r = await bias(args(out));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/FAILED plots stage \(.*plots\): /);
    expect(r.stderr).not.toMatch(/undefined/);
    const info = JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'));
    expect(info.status).toBe('failed');
    const lines = (await readLines(path.join(out, 'errors.jsonl'))) as { stage: string; run: string }[];
    expect(lines).toMatchObject([{ stage: 'plots', run: info.startTime }]);
    expect(((await readLines(path.join(out, 'results.jsonl'))) as Row[])).toHaveLength(3);
    await rm(path.join(out, 'plots'));
    const again = await bias(args(out));
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')).status).toBe('complete');
    expect(existsSync(path.join(out, 'plots', 'bias.svg'))).toBe(true);
  });
});

describe('refused globals are reported', () => {
  it('a ResNet-18 saved with a posix.system __reduce__ scores, with a warning, a results field and a run.json entry; nothing runs', async () => {
    await rm(MARKER, { force: true });
    const dir = path.join(w.dir, 'refused');
    await mkdir(dir);
    await cp(REFUSED, path.join(dir, 'resnet18_posix_system.pth'));
    const out = path.join(w.dir, 'refused-out');
    const r = await bias([dir, '--probe', w.probe, '--image-size', '32', '--backend', 'wasm', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/WARNING resnet18_posix_system\.pth names 1 global\(s\) that were refused \(kept inert, never run\): posix\.system/);
    const rows = (await readLines(path.join(out, 'results.jsonl'))) as Row[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.refusedGlobals).toEqual(['posix.system']);
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')).refusedGlobals).toEqual({ 'resnet18_posix_system.pth': ['posix.system'] });
    expect(existsSync(MARKER)).toBe(false);
    // A checkpoint without any keeps its rows as before: no field.
    const clean = (await readLines(path.join(w.dir, 'dups', 'results.jsonl'))) as Row[];
    expect(clean.every((x) => !('refusedGlobals' in x))).toBe(true);
  });

  it('bias-score inspect lists them, in text and --json', async () => {
    const text = await bias(['inspect', REFUSED]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^refused\s+posix\.system \(globals named in the file, kept inert, never run\)$/m);
    expect(text.stdout).toMatch(/^arch\s+resnet18$/m);
    expect(text.stderr).toMatch(/WARNING .* posix\.system/);
    const json = await bias(['inspect', REFUSED, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ arch: 'resnet18', refusedGlobals: ['posix.system'], epoch: 3 });
    const plain = await bias(['inspect', path.join(FIXTURES, 'resnet18k', 'IN_resnet18k_epoch0001_cifar10_ln20pc_seed42.pth'), '--json']);
    expect(JSON.parse(plain.stdout).refusedGlobals).toEqual([]);
    expect(existsSync(MARKER)).toBe(false);
  });
});
