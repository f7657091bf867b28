/**
 * The output-folder lock with real processes: one holder at a time (several processes racing for
 * it, exactly one wins), a refusal naming the holder, stale locks (process gone, pid reused)
 * taken over, other hosts' locks respected, release on exit.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireOutputLock, isStaleLock, LOCK_FILE, OutputLockedError, type LockHolder } from '@shapetex/core';

const CORE = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../packages/core/dist/util/lock.js')).href;
const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-lock-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * A node process that takes the lock of `dir` and prints the outcome; a winner holds the lock
 * until its stdin is closed (`release()`), then releases it, or with `exitHard` SIGKILLs itself
 * at once, leaving the lock behind. `said` resolves with the first line it printed.
 */
function locker(dir: string, exitHard = false): { done: Promise<{ out: string; code: number | null }>; said: Promise<string>; release(): void; pid: number } {
  const script = `
    const { acquireOutputLock } = await import(${JSON.stringify(CORE)});
    try {
      const lock = await acquireOutputLock(process.argv[1], 'test-locker');
      process.stdout.write('got ' + process.pid + '\\n');
      if (${exitHard}) process.kill(process.pid, 'SIGKILL');
      await new Promise((r) => { process.stdin.on('end', r); process.stdin.resume(); });
      await lock.release();
    } catch (e) { process.stdout.write('refused ' + e.name + ': ' + e.message + '\\n'); }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let said: (line: string) => void = () => undefined;
  const first = new Promise<string>((resolve) => { said = resolve; });
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('\n')) said(out); });
  child.on('close', () => said(out));
  return { pid: child.pid!, said: first, release: () => child.stdin.end(), done: new Promise((resolve) => child.on('close', (code) => resolve({ out, code }))) };
}

const holderOf = (dir: string): LockHolder => JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockHolder;

describe('output lock', () => {
  it('six processes racing for one folder: exactly one gets it, the others are told who has it', async () => {
    const dir = path.join(tmp, 'race');
    const runs = Array.from({ length: 6 }, () => locker(dir));
    // every process has tried while the winner still holds the lock; then the winner lets go
    await Promise.all(runs.map((r) => r.said));
    for (const r of runs) r.release();
    const outs = await Promise.all(runs.map((r) => r.done));
    const winners = outs.filter((o) => o.out.startsWith('got'));
    expect(winners).toHaveLength(1);
    const winnerPid = Number(winners[0]!.out.split(' ')[1]);
    for (const o of outs.filter((x) => !x.out.startsWith('got'))) {
      expect(o.out).toMatch(new RegExp(`^refused OutputLockedError: .*race is in use by test-locker \\(pid ${winnerPid} on ${hostname()}, since `));
    }
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false); // released
  });

  it('in process: a second acquire is refused; after release it succeeds; release leaves no file', async () => {
    const dir = path.join(tmp, 'inproc');
    const a = await acquireOutputLock(dir, 'bias-score');
    expect(holderOf(dir)).toMatchObject({ pid: process.pid, hostname: hostname(), tool: 'bias-score' });
    const err = await acquireOutputLock(dir, 'bias-score').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(OutputLockedError);
    expect((err as OutputLockedError).holder.pid).toBe(process.pid);
    await a.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    const b = await acquireOutputLock(dir, 'bias-score');
    expect(b.tookOverFrom).toBeUndefined();
    await b.release();
  });

  it('a folder the lock created and nothing else wrote to is removed on release; a used one stays', async () => {
    const fresh = path.join(tmp, 'fresh', 'out');
    await (await acquireOutputLock(fresh, 'x')).release();
    expect(existsSync(fresh)).toBe(false);
    const used = path.join(tmp, 'used');
    const lock = await acquireOutputLock(used, 'x');
    writeFileSync(path.join(used, 'results.jsonl'), '');
    await lock.release();
    expect(existsSync(path.join(used, 'results.jsonl'))).toBe(true);
  });

  it('a holder killed with SIGKILL leaves a stale lock that the next process takes over', async () => {
    const dir = path.join(tmp, 'killed');
    const first = locker(dir, true);
    const r = await first.done;
    expect(r.out).toMatch(/^got/);
    expect(holderOf(dir).pid).toBe(first.pid); // left behind
    expect(isStaleLock(holderOf(dir))).toBe(true);
    const lock = await acquireOutputLock(dir, 'bias-score');
    expect(lock.tookOverFrom).toMatchObject({ pid: first.pid, tool: 'test-locker' });
    expect(holderOf(dir).pid).toBe(process.pid);
    await lock.release();
  });

  it('a live pid whose process started at another time (pid reused) is stale; another host is never judged stale', () => {
    const me = JSON.parse(JSON.stringify({ pid: process.pid, hostname: hostname(), tool: 't', startTime: 'x' })) as LockHolder;
    expect(isStaleLock(me)).toBe(false);
    expect(isStaleLock({ ...me, processStart: '1' })).toBe(true);
    expect(isStaleLock({ ...me, pid: 2 ** 22 + 12345 })).toBe(true);
    expect(isStaleLock({ ...me, pid: 2 ** 22 + 12345, hostname: 'elsewhere.example' })).toBe(false);
  });

  it('a lock from another host is refused with the way out named', async () => {
    const dir = path.join(tmp, 'remote');
    mkdirSync(dir);
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 1, hostname: 'node07.cluster', tool: 'bias-score', startTime: '2026-12-01T00:00:00Z' }));
    await expect(acquireOutputLock(dir, 'bias-score')).rejects.toThrow(/in use by bias-score \(pid 1 on node07\.cluster, .*if that process is gone, delete .*\.lock/);
  });
});
