/**
 * `bias-score slurm` and `svoc slurm` against a real one-node Slurm (test/slurm/start-slurm.sh:
 * Debian's slurm-wlm and munge). Real array jobs score a checkpoint folder and build a probe set;
 * one scoring task is cancelled mid-run with scancel and resubmitted; the merged outputs must
 * equal a single-process run row for row (timing columns aside), nothing lost, nothing twice.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIAS = path.join(ROOT, 'packages/bias/dist/cli.js');
const SVOC = path.join(ROOT, 'packages/svoc/dist/cli.js');
const CKPTS = path.join(ROOT, 'test/fixtures/checkpoints/resnet18k');
const ADAIN = path.join(ROOT, 'test/fixtures/adain');

let dir: string;
let pids: number[] = [];
const env = (): NodeJS.ProcessEnv => ({ ...process.env, SLURM_CONF: path.join(dir, 'slurm', 'slurm.conf') });

function run(cmd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { env: env(), cwd: dir });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => { stdout += d; });
    c.stderr.on('data', (d) => { stderr += d; });
    c.on('error', reject);
    c.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Polls `check` until it returns a value, within `seconds`; the scheduler has no event to wait on. */
async function until<T>(what: string, seconds: number, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`waited ${seconds} s for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Job ids printed by --submit: two positive integers. */
function submitted(stdout: string): { array: number; merge: number } {
  const m = /submitted array job (\d+) \(tasks 0-\d+\) and merge job (\d+) \(after \1\)/.exec(stdout);
  if (!m) throw new Error(`no job ids in: ${stdout}`);
  const ids = { array: Number(m[1]), merge: Number(m[2]) };
  expect(Number.isSafeInteger(ids.array) && ids.array > 0 && ids.merge > ids.array).toBe(true);
  return ids;
}

const jobGone = async (id: string): Promise<true | undefined> => {
  const q = await run('squeue', ['-h', '-j', id, '-o', '%i']);
  return q.code === 0 && q.stdout.trim() === '' ? true : undefined;
};

const lines = async (file: string): Promise<string[]> => (existsSync(file) ? (await readFile(file, 'utf8')).split('\n').filter(Boolean) : []);

/** A results.jsonl row without what depends on when and where it ran. */
function timeless(line: string): Record<string, unknown> {
  const { seconds: _s, startedAt: _a, finishedAt: _f, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return rest;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shapetex-slurm-'));
  const r = spawnSync('bash', [path.join(ROOT, 'test/slurm/start-slurm.sh'), path.join(dir, 'slurm')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not start a one-node Slurm (exit ${r.status}): ${r.stderr}`);
  const p = /^PIDS=([\d ]+)$/m.exec(r.stdout);
  if (!p) throw new Error(`start-slurm.sh printed no PIDS line: ${r.stdout}`);
  pids = p[1]!.trim().split(/\s+/).map(Number);
  expect(pids).toHaveLength(3);
  const probe = await run(process.execPath, [SVOC, 'synth', '--out', 'probe', '--factors', 'shape,texture,color', '--per-factor', '6', '--size', '32']);
  expect(probe.code, probe.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const pid of pids.reverse()) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone already */ } }
  await until('the daemons this test started to stop', 30, async () => (pids.every((pid) => { try { process.kill(pid, 0); return false; } catch { return true; } }) ? true : undefined));
  await rm(dir, { recursive: true, force: true });
}, 60_000);

// slow enough per checkpoint (bootstrap resamples) that a task can be cancelled while it runs
const SCORE = ['--probe', 'probe', '--image-size', '32', '--bootstrap', '4000'];

describe('bias-score slurm on a real scheduler', () => {
  it('an array job scores the shards; a cancelled task resumes when resubmitted; the merge equals one process', async () => {
    const single = await run(process.execPath, [BIAS, CKPTS, ...SCORE, '--out', 'single']);
    expect(single.code, single.stderr).toBe(0);
    const sub = await run(process.execPath, [BIAS, 'slurm', CKPTS, ...SCORE, '--out', 'sharded', '--tasks', '2', '--submit', '--sbatch', '--time=0:30:00 --mem=1G']);
    expect(sub.code, sub.stderr).toBe(0);
    const ids = submitted(sub.stdout);
    const out = path.join(dir, 'sharded');
    expect(await readFile(path.join(out, 'slurm/score.sbatch'), 'utf8')).toMatch(/#SBATCH --array=0-1\n[^]*#SBATCH --time=0:30:00\n#SBATCH --mem=1G\n/);
    // cancel task 1 once it has scored its first checkpoint (of 3), while it scores the next
    const rows1 = path.join(out, 'slurm/shards/1/results.jsonl');
    await until('task 1 to score a checkpoint', 180, async () => ((await lines(rows1)).length >= 1 ? true : undefined));
    const cancel = await run('scancel', [`${ids.array}_1`]);
    expect(cancel.code, cancel.stderr).toBe(0);
    await until('task 1 to end', 60, () => jobGone(`${ids.array}_1`));
    const partial = (await lines(rows1)).length;
    expect(partial).toBeGreaterThanOrEqual(1);
    expect(partial).toBeLessThan(3);
    // the merge job waits on an array that did not end well: it can never run; a merge by hand refuses
    await run('scancel', [String(ids.merge)]);
    await until('task 0 to end', 180, () => jobGone(`${ids.array}_0`));
    const early = await run(process.execPath, [BIAS, 'merge', `${out}/slurm/shards/0`, `${out}/slurm/shards/1`, '--out', out]);
    expect(early.code).toBe(2);
    // stopped by scancel's SIGTERM after its checkpoint (interrupted), or killed at KillWait (running)
    expect(early.stderr).toMatch(new RegExp(`${out}/slurm/shards/1 is an unfinished run \\(status (interrupted|running)\\)`));
    // resubmit task 1 and a merge after it
    const again = await run('sbatch', ['--parsable', '--array=1', path.join(out, 'slurm/score.sbatch')]);
    expect(again.code, again.stderr).toBe(0);
    const id2 = Number(again.stdout.trim());
    expect(Number.isSafeInteger(id2) && id2 > ids.merge).toBe(true);
    const merge2 = await run('sbatch', ['--parsable', `--dependency=afterok:${id2}`, path.join(out, 'slurm/merge.sbatch')]);
    expect(merge2.code, merge2.stderr).toBe(0);
    await until('the merge job to end', 240, () => jobGone(merge2.stdout.trim()));
    const log = await readFile(path.join(out, 'slurm/logs', `${id2}_1.out`), 'utf8');
    // the resubmitted task went on from its shard: the checkpoints scored before the cancel are not redone
    expect(log).toMatch(new RegExp(`\\(${3 - partial} scored, ${partial} already done, 0 failed\\)`));
    const got = (await lines(path.join(out, 'results.jsonl'))).map(timeless);
    const want = (await lines(path.join(dir, 'single/results.jsonl'))).map(timeless);
    expect(got).toHaveLength(7);
    expect(got).toEqual(want);
    const csv = (f: string) => readFile(f, 'utf8').then((t) => t.split('\n').map((l) => l.split(',').length));
    expect(await csv(path.join(out, 'results.csv'))).toEqual(await csv(path.join(dir, 'single/results.csv')));
  }, 900_000);
});

describe('svoc slurm on a real scheduler', () => {
  it('an array job builds the shards and its merge job leaves the set a single build makes', async () => {
    const { makeMiniDtd, makeMiniVoc } = await import('../svoc/builder/mini-datasets.js');
    const voc = await makeMiniVoc(dir);
    const dtd = await makeMiniDtd(dir);
    const build = ['--voc', voc, '--dtd', dtd, '--vgg', path.join(ADAIN, 'vgg_small.pth'), '--decoder', path.join(ADAIN, 'decoder_small.pth'), '--textures', '3', '--seed', '1', '--size', '32'];
    const single = await run(process.execPath, [SVOC, 'build', ...build, '--out', 'svoc-single']);
    expect(single.code, single.stderr).toBe(0);
    const sub = await run(process.execPath, [SVOC, 'slurm', ...build, '--out', 'svoc-sharded', '--tasks', '2', '--submit']);
    expect(sub.code, sub.stderr).toBe(0);
    const ids = submitted(sub.stdout);
    await until('the svoc merge job to end', 300, () => jobGone(String(ids.merge)));
    const out = path.join(dir, 'svoc-sharded');
    const images = async (d: string) => (await readdir(d)).filter((f) => f.endsWith('.jpg')).sort();
    expect(await images(out)).toEqual(await images(path.join(dir, 'svoc-single')));
    expect((await images(out)).length).toBeGreaterThan(0);
    const records = async (d: string) => (JSON.parse(await readFile(path.join(d, 'manifest.json'), 'utf8')) as { records: unknown[] }).records;
    expect(await records(out)).toEqual(await records(path.join(dir, 'svoc-single')));
  }, 900_000);
});
