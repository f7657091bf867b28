import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '@shapetex/core';
import { readProbeSet } from '@shapetex/svoc';
import { ADAIN_FIXTURES } from '../adain/fixtures.js';
import { makeMiniDtd, makeMiniVoc, MINI_VOC } from './mini-datasets.js';

const require = createRequire(import.meta.url);
const pkg = require.resolve('@shapetex/svoc/package.json');
const bin = path.join(path.dirname(pkg), (require('@shapetex/svoc/package.json') as { bin: { svoc: string } }).bin.svoc);

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs the svoc bin; `onStderr` may kill the child when a line appears. */
function svoc(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; onStderr?.(stderr, child); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

let root: string;
let args: string[];
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'svoc-buildcli-'));
  const voc = await makeMiniVoc(root);
  const dtd = await makeMiniDtd(root);
  args = ['build', '--voc', voc, '--dtd', dtd, '--vgg', path.join(ADAIN_FIXTURES, 'vgg_small.pth'), '--decoder', path.join(ADAIN_FIXTURES, 'decoder_small.pth'),
    '--out', path.join(root, 'svoc'), '--textures', '2', '--seed', '4', '--size', '32', '--backend', 'wasm'];
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

const jpgs = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((f) => f.endsWith('.jpg')).sort();

describe('svoc build as a process (legacy .pth fixture weights, miniature VOC and DTD)', () => {
  it('runs a trial, survives SIGTERM and SIGKILL, and a rerun completes without redoing or duplicating', async () => {
    const out = path.join(root, 'svoc');
    const trial = await svoc([...args, '--limit', '1']);
    expect(trial.code, trial.stderr).toBe(0);
    expect(trial.stderr).toMatch(/selected 3 of 9 images in .*trainval\.txt \(single-object; 2 excluded by the rule, 4 skipped\)/);
    expect(trial.stderr).toMatch(new RegExp(`skipped ${MINI_VOC.malformed}: annotation .*malformed XML`));
    expect(trial.stdout).toMatch(/^svoc build: 2 images in .* in \d+\.\d s\n$/);
    const first = await jpgs(out);
    expect(first).toEqual(['1_12_2007_000001.jpg', '2_12_2007_000001.jpg']);
    const mtimes = await Promise.all(first.map(async (f) => (await stat(path.join(out, f))).mtimeMs));

    // Graceful stop: the manifest is written and the exit code says "interrupted".
    let sent = false;
    const term = await svoc(args, (text, child) => {
      if (!sent && /svoc build: textures/.test(text)) { sent = true; child.kill('SIGTERM'); }
    });
    expect(term.code, term.stderr).toBe(130);
    expect(term.stderr).toMatch(/svoc build interrupted: \d+ images recorded in .*manifest\.json; rerun the same command to finish/);

    // Hard kill mid-run: whatever was renamed into place is complete; nothing half-written is visible.
    let killed = false;
    await svoc(args, (text, child) => {
      if (!killed && /svoc build: textures/.test(text)) { killed = true; child.kill('SIGKILL'); }
    });
    expect(killed).toBe(true);
    for (const f of await jpgs(out)) await decodeImage(path.join(out, f));

    const rerun = await svoc(args);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/resuming in .*: \d+ of \d+ recorded images present/);
    // Progress goes to stderr as plain lines when it is not a terminal.
    expect(rerun.stderr).toMatch(/\d+\/6 images \(\d+\.\d%\), \d+\.\d\d images\/s, ETA /);
    const all = await jpgs(out);
    expect(all).toEqual(MINI_VOC.singleObject.flatMap((c) => [1, 2].map((t) => `${t}_${c.classId}_${c.contentId}.jpg`)).sort());
    expect((await readdir(out)).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(await Promise.all(first.map(async (f) => (await stat(path.join(out, f))).mtimeMs))).toEqual(mtimes);
    const set = await readProbeSet(out);
    expect(set.records.map((r) => r.file)).toEqual(all);
    for (const r of set.records) {
      const img = await decodeImage(path.join(out, r.file));
      expect(Math.min(img.width, img.height)).toBe(32);
    }
    expect(set.manifest!.build).toMatchObject({ size: 32, seed: 4, textures: 2, weights: { vgg: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } } });

    // A finished set reruns as a no-op.
    const again = await svoc(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/resuming in .*: 6 of 6 recorded images present/);
  });

  it('exits 2 on usage errors, a wrong weights file included, naming it', async () => {
    const bad = await svoc([...args.filter((a) => a !== '--backend' && a !== 'wasm'), '--alpha', '1.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--alpha must be a number in \[0, 1\], got "1.5"/);
    const dec = path.join(ADAIN_FIXTURES, 'decoder_small.pth');
    const swapped = args.map((a, i) => (args[i - 1] === '--vgg' ? dec : args[i - 1] === '--out' ? path.join(root, 'other') : a));
    const wrong = await svoc(swapped);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`svoc: --vgg: ${dec}: not an AdaIN encoder (vgg_normalised) state_dict: missing keys 0.weight, 0.bias`);
    // checked before the VOC selection: nothing about images was printed
    expect(wrong.stderr).not.toMatch(/selected \d+ of/);
  });

  it('builds two shards (one with --workers 2) and svoc merge joins them; usage errors exit 2, a missing shard 1', async () => {
    const outOf = (name: string): string[] => args.map((a, i) => (args[i - 1] === '--out' ? path.join(root, name) : a));
    const s0 = await svoc([...outOf('shard0'), '--shard', '0/2', '--workers', '2']);
    expect(s0.code, s0.stderr).toBe(0);
    expect(s0.stderr).toMatch(/svoc build: 2 workers on wasm \(wasm \(simd, fma, winograd 3×3, im2col\)\)/);
    expect(s0.stderr).toMatch(/svoc build: shard 0\/2: 2 of 3 contents/);
    const s1 = await svoc([...outOf('shard1'), '--shard', '1/2']);
    expect(s1.code, s1.stderr).toBe(0);
    expect(await jpgs(path.join(root, 'shard0'))).toHaveLength(4);
    expect(await jpgs(path.join(root, 'shard1'))).toHaveLength(2);
    const merged = await svoc(['merge', path.join(root, 'shard0'), path.join(root, 'shard1'), '--out', path.join(root, 'joined')]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/^svoc merge: 6 images in /);
    const set = await readProbeSet(path.join(root, 'joined'));
    expect(set.records.map((r) => r.file)).toEqual(MINI_VOC.singleObject.flatMap((c) => [1, 2].map((t) => `${t}_${c.classId}_${c.contentId}.jpg`)).sort());
    expect(set.manifest!.build).toMatchObject({ backend: 'wasm', device: 'wasm (simd, fma, winograd 3×3, im2col)' });
    expect(set.manifest!.build.shard).toBeUndefined();

    const missing = await svoc(['merge', path.join(root, 'shard0'), '--out', path.join(root, 'partial')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/shard\(s\) 1\/2 missing/);
    for (const [flags, message] of [[['--shard', '2/2'], /--shard must be I\/N .* got "2\/2"/], [['--workers', '0'], /--workers must be an integer from 1 to 256, got "0"/]] as const) {
      const bad = await svoc([...outOf('never'), ...flags]);
      expect(bad.code, bad.stderr).toBe(2);
      expect(bad.stderr).toMatch(message);
    }
    expect((await svoc(['merge', path.join(root, 'shard0')])).code).toBe(2);
  });
});
