// --preset islam2021 end to end against the reference procedure written out in Python
// (test/fixtures/reference/reference_dim_est.py: cv2.imread and cv2.resize to 513, BGR with the
// reference's vectors, torchvision's ResNet forward, avgpool of layer4, the pooled dim_est), on
// a PyTorch-written narrow ResNet-18 and a reference-named probe folder (textures 0..4, real
// JPEGs), using the pairs shapetex wrote to pairs.csv.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTorchPython } from '../torch-python.js';
import { bias, REPO } from './helpers.js';

const FIX = path.join(REPO, 'test/fixtures/reference');
const PROBE = path.join(FIX, 'probe');
const CKPT_DIR = path.join(FIX, 'checkpoint');
const CKPT = path.join(CKPT_DIR, 'resnet18_narrow_epoch0001.pth');
const PYTHON = findTorchPython(['torch', 'torchvision', 'cv2']);

interface Row { D: number; dims: number[]; fractions: number[]; percent: number[]; scores: number[]; pairs: number[]; method: string }
interface Ref { D: number; dims: number[]; fractions: number[]; percent: number[]; scores: number[]; pairs: number[] }

let dir: string;
const rows = async (out: string): Promise<Row[]> =>
  (await readFile(path.join(out, 'results.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Row);

function reference(pairsCsv: string): Ref {
  const r = spawnSync(PYTHON, [path.join(FIX, 'reference_dim_est.py'), PROBE, CKPT, pairsCsv], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`reference_dim_est.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Ref;
}

beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-islam-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('bias-score --preset islam2021 equals the reference procedure', () => {
  let row: Row;
  let ref: Ref;
  const out = (): string => path.join(dir, 'preset');

  beforeAll(async () => {
    const run = await bias([CKPT_DIR, '--probe', PROBE, '--preset', 'islam2021', '--backend', 'wasm', '--out', out()]);
    if (run.status !== 0) throw new Error(`bias-score exited ${run.status}: ${run.stderr}`);
    const got = await rows(out());
    expect(got).toHaveLength(1);
    row = got[0]!;
    ref = reference(path.join(out(), 'pairs.csv'));
  });

  it('reads the whole 0-based folder and records the effective options', async () => {
    const info = JSON.parse(await readFile(path.join(out(), 'run.json'), 'utf8'));
    expect(info.probe.records).toBe(30);
    expect(info.probe.skipped).toEqual({ count: 0, first: [] });
    expect(info.settings).toMatchObject({
      imageSize: 513, resize: 'cv2-linear', channelOrder: 'bgr', pairing: 'reference', rounding: 'python', methods: ['pooled'],
      norm: { mean: [0.485, 0.406, 0.456], std: [0.229, 0.225, 0.224] },
    });
    expect(info.options.preset).toBe('islam2021');
  });

  it('writes one pair per record to pairs.csv, factors 0..3, paths relative to the probe root', async () => {
    const lines = (await readFile(path.join(out(), 'pairs.csv'), 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('factor,factor_name,a,b');
    expect(lines).toHaveLength(31);
    for (const l of lines.slice(1)) expect(l).toMatch(/^[0-3],(shape|texture),[0-4]_\d+_\d{4}_\d{6}\.jpg,[0-4]_\d+_\d{4}_\d{6}\.jpg$/);
    expect(ref.pairs.reduce((a, b) => a + b, 0)).toBe(30);
    expect(row.pairs).toEqual(ref.pairs.slice(0, 2));
  });

  it('gives the same dims, fractions within 1e-6, the same percentages', () => {
    expect(row.method).toBe('pooled');
    expect(row.D).toBe(ref.D);
    expect(row.D).toBe(64);
    expect(row.dims).toEqual(ref.dims);
    row.fractions.forEach((f, k) => expect(Math.abs(f - ref.fractions[k]!)).toBeLessThan(1e-6));
    row.scores.forEach((s, k) => expect(Math.abs(s - ref.scores[k]!)).toBeLessThan(1e-5));
    expect(row.percent).toEqual(ref.percent);
  });

  it('writes the same pairs.csv on a rerun with the same options (resumed: nothing scored again)', async () => {
    const before = await readFile(path.join(out(), 'pairs.csv'), 'utf8');
    const run = await bias([CKPT_DIR, '--probe', PROBE, '--preset', 'islam2021', '--backend', 'wasm', '--out', out()]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/1 already done/);
    expect(await readFile(path.join(out(), 'pairs.csv'), 'utf8')).toBe(before);
    expect((await rows(out()))[0]!.fractions).toEqual(row.fractions);
  });

  it('is not met by the default measurement on the same pairs (the comparison can fail)', async () => {
    const other = path.join(dir, 'default');
    const run = await bias([CKPT_DIR, '--probe', PROBE, '--method', 'pooled', '--pairing', 'reference', '--backend', 'wasm', '--out', other]);
    expect(run.status).toBe(0);
    expect(await readFile(path.join(other, 'pairs.csv'), 'utf8')).toBe(await readFile(path.join(out(), 'pairs.csv'), 'utf8'));
    const d = (await rows(other))[0]!;
    const gap = Math.max(...d.fractions.map((f, k) => Math.abs(f - ref.fractions[k]!)));
    expect(gap).toBeGreaterThan(1e-3);
  });
});
