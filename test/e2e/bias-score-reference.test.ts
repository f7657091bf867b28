// The reference-fidelity surface of bias-score: a reference-built (0-based) probe folder read
// whole, skipped images warned about and recorded, --strict-probe, the preset and its
// overrides in run.json, pairs.csv across shards and merge, usage errors of the new options.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bias, FIXTURES } from './helpers.js';

let dir: string, probe: string, ckpts: string;

/** A 24×20 JPEG whose colour depends on content and texture, as a stylized image would. */
async function jpeg(file: string, c: number, t: number): Promise<void> {
  const px = Buffer.alloc(24 * 20 * 3);
  for (let i = 0; i < 24 * 20; i++) {
    const x = i % 24, y = Math.floor(i / 24);
    const inShape = (x - 12) ** 2 / (4 + c) ** 2 + (y - 10) ** 2 / (3 + 2 * c) ** 2 < 1;
    const stripe = ((x + y * (t + 1)) % (3 + t)) < 2 ? 1 : 0;
    px[i * 3] = inShape ? 40 + 40 * t + 60 * stripe : 230;
    px[i * 3 + 1] = inShape ? 200 - 30 * t : 230;
    px[i * 3 + 2] = inShape ? 30 * c + 50 * stripe : 230;
  }
  await sharp(px, { raw: { width: 24, height: 20, channels: 3 } }).jpeg({ quality: 92 }).toFile(file);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-ref-'));
  probe = path.join(dir, 'probe');
  await mkdir(probe);
  // 3 contents × textures 0..4: the 15-image trial folder of the issue, plus one stray image.
  const contents: [number, string][] = [[3, '2007_000010'], [8, '2007_000020'], [15, '2008_000030']];
  for (const [c, [cls, id]] of contents.entries()) for (let t = 0; t <= 4; t++) await jpeg(path.join(probe, `${t}_${cls}_${id}.jpg`), c, t);
  await jpeg(path.join(probe, 'preview.jpg'), 0, 0);
  ckpts = path.join(dir, 'ckpts');
  await mkdir(ckpts);
  for (const e of [1, 2]) {
    const name = `IN_resnet18k_epoch000${e}_cifar10_ln20pc_seed42.pth`;
    await cp(path.join(FIXTURES, 'resnet18k', name), path.join(ckpts, name));
  }
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const base = (): string[] => ['--probe', probe, '--image-size', '32', '--norm', 'cifar', '--backend', 'wasm'];
const runJson = async (out: string) => JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'));

describe('bias-score on a reference-built probe folder', () => {
  it('scores all 15 images, warns about the stray one on stderr and records it in run.json', async () => {
    const out = path.join(dir, 'plain');
    const r = await bias([ckpts, ...base(), '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/WARNING: 1 image\(s\) in .*probe do not follow the naming .*: preview\.jpg/);
    const info = await runJson(out);
    expect(info.probe.records).toBe(15);
    expect(info.probe.skipped).toEqual({ count: 1, first: ['preview.jpg'] });
    const pairs = (await readFile(path.join(out, 'pairs.csv'), 'utf8')).trimEnd().split('\n');
    expect(pairs[0]).toBe('factor,factor_name,a,b');
    // Balanced pairing: one shape and one texture pair per record.
    expect(pairs.filter((l) => l.startsWith('0,shape,'))).toHaveLength(15);
    expect(pairs.filter((l) => l.startsWith('1,texture,'))).toHaveLength(15);
    expect(pairs.some((l) => /,0_\d+_/.test(l))).toBe(true);
  });

  it('--strict-probe makes the stray image a usage error (exit 2) naming it', async () => {
    const out = path.join(dir, 'strict');
    const r = await bias([ckpts, ...base(), '--strict-probe', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--strict-probe.*1 image\(s\).*preview\.jpg/);
  });

  it('--preset islam2021 with explicit overrides: run.json records the effective values', async () => {
    const out = path.join(dir, 'preset');
    const r = await bias([ckpts, '--probe', probe, '--preset', 'islam2021', '--image-size', '40', '--channel-order', 'rgb', '--seed', '5', '--backend', 'wasm', '--out', out]);
    expect(r.status).toBe(0);
    const info = await runJson(out);
    expect(info.options.preset).toBe('islam2021');
    expect(info.settings).toMatchObject({
      imageSize: 40, channelOrder: 'rgb', resize: 'cv2-linear', pairing: 'reference', rounding: 'python', methods: ['pooled'],
      norm: { mean: [0.485, 0.406, 0.456], std: [0.229, 0.225, 0.224] },
    });
    const lines = (await readFile(path.join(out, 'results.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.method)).toEqual(['pooled', 'pooled']);
    const pairs = (await readFile(path.join(out, 'pairs.csv'), 'utf8')).trimEnd().split('\n');
    expect(pairs).toHaveLength(16);
    expect(lines[0].pairs).toEqual([0, 1].map((k) => pairs.filter((l) => l.startsWith(`${k},`)).length));
  });

  it('shards write the same pairs.csv and merge keeps it', async () => {
    const s0 = path.join(dir, 's0'), s1 = path.join(dir, 's1'), merged = path.join(dir, 'merged');
    const args = [ckpts, ...base(), '--pairing', 'reference', '--seed', '5'];
    const [r0, r1] = await Promise.all([bias([...args, '--shard', '0/2', '--out', s0]), bias([...args, '--shard', '1/2', '--out', s1])]);
    expect([r0.status, r1.status]).toEqual([0, 0]);
    const p0 = await readFile(path.join(s0, 'pairs.csv'), 'utf8');
    expect(await readFile(path.join(s1, 'pairs.csv'), 'utf8')).toBe(p0);
    const m = await bias(['merge', s0, s1, '--out', merged]);
    expect(m.status).toBe(0);
    expect(await readFile(path.join(merged, 'pairs.csv'), 'utf8')).toBe(p0);
    // A shard whose pairs.csv differs is refused.
    await writeFile(path.join(s1, 'pairs.csv'), p0.replace(/\n[^\n]+\n$/, '\n'));
    const bad = await bias(['merge', s0, s1, '--out', path.join(dir, 'merged2')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/pairs\.csv differs/);
  });

  it('refuses before any forward pass (exit 2, naming the factor) when the reference pairing draws fewer than 2 pairs of a factor', async () => {
    const out = path.join(dir, 'few');
    const r = await bias([ckpts, ...base(), '--pairing', 'reference', '--seed', '0', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/factor 'texture' drew 1 pair\(s\) over the 15 records.*another seed, or the balanced pairing/);
    expect(existsSync(path.join(out, 'results.jsonl'))).toBe(false);
  });

  it('exits 2 on bad values of the new options, naming the option', async () => {
    const cases: [string[], RegExp][] = [
      [['--resize', 'bicubic'], /--resize must be pil or cv2-linear, got "bicubic"/],
      [['--channel-order', 'gbr'], /--channel-order must be rgb or bgr/],
      [['--pairing', 'random'], /--pairing must be balanced or reference/],
      [['--rounding', 'down'], /--rounding must be half-up or python/],
      [['--preset', 'geirhos2019'], /--preset must be islam2021/],
      [['--pairing', 'reference', '--pairs', '4'], /--pairs does not apply to --pairing reference/],
    ];
    for (const [extra, msg] of cases) {
      const r = await bias([ckpts, ...base(), ...extra, '--out', path.join(dir, 'bad')]);
      expect(r.status, extra.join(' ')).toBe(2);
      expect(r.stderr, extra.join(' ')).toMatch(msg);
    }
  });
});
