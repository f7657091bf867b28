/**
 * bias-score end to end on a folder of ViT checkpoints (test/fixtures/checkpoints/vit_tiny, made
 * by test/fixtures/zoo/make_vit.py: timm key names, D = 32, 2 heads, trained at 32 px; epoch 2
 * wrapped with `module.` keys) and a synthetic probe set.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bias, makeWorld, parseCsv, readLines, REPO, type World } from './helpers.js';

const VIT = path.join(REPO, 'test/fixtures/checkpoints/vit_tiny');
let w: World;

beforeAll(async () => { w = await makeWorld(); });

async function runJson(out: string): Promise<{ options: Record<string, unknown>; settings: Record<string, unknown> }> {
  return JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'));
}

describe('bias-score over ViT checkpoints', () => {
  it('scores block and final taps of every epoch with the class token; --token and --heads are recorded in run.json', async () => {
    const out = path.join(w.dir, 'vit-cls');
    const run = await bias([VIT, '--probe', w.probe, '--image-size', '32', '--heads', '2', '--taps', 'block6,final', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const csv = parseCsv(await readFile(path.join(out, 'results.csv'), 'utf8'));
    expect(csv.rows.map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      ['1', 'vit_tiny_epoch0001.pth', 'block6', '32'], ['1', 'vit_tiny_epoch0001.pth', 'final', '32'],
      ['2', 'vit_tiny_epoch0002.pth', 'block6', '32'], ['2', 'vit_tiny_epoch0002.pth', 'final', '32'],
      ['3', 'vit_tiny_epoch0003.pth', 'block6', '32'], ['3', 'vit_tiny_epoch0003.pth', 'final', '32'],
    ]);
    const info = await runJson(out);
    expect(info.options.token).toBe('cls');
    expect(info.options.heads).toBe(2);
    expect(info.settings.heads).toBe(2);
    expect(info.settings.token).toBeUndefined();
    const records = (await readLines(path.join(out, 'results.jsonl'))) as { tap: string; scores: number[] }[];
    expect(records).toHaveLength(6);
    for (const r of records) for (const s of r.scores) expect(Number.isFinite(s)).toBe(true);
  });

  it('--token mean at --image-size 48 (position embeddings resampled to 3×3), on 2 workers, scores other numbers and records the token', async () => {
    const cls = path.join(w.dir, 'vit-cls48');
    const mean = path.join(w.dir, 'vit-mean48');
    const a = await bias([VIT, '--probe', w.probe, '--image-size', '48', '--heads', '2', '--out', cls]);
    // through the worker pool: heads and token must reach the workers (without heads the load
    // fails, without the token the numbers equal the cls run's)
    const b = await bias([VIT, '--probe', w.probe, '--image-size', '48', '--heads', '2', '--token', 'mean', '--workers', '2', '--out', mean]);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const info = await runJson(mean);
    expect(info.options.token).toBe('mean');
    expect(info.settings.token).toBe('mean');
    const ra = (await readLines(path.join(cls, 'results.jsonl'))) as { scores: number[] }[];
    const rb = (await readLines(path.join(mean, 'results.jsonl'))) as { scores: number[] }[];
    expect(ra).toHaveLength(3);
    expect(rb).toHaveLength(3);
    expect(ra.some((r, i) => Math.abs(r.scores[0]! - rb[i]!.scores[0]!) > 1e-6)).toBe(true);
    // resuming the mean folder with the cls token is refused: the setting differs
    const mixed = await bias([VIT, '--probe', w.probe, '--image-size', '48', '--heads', '2', '--out', mean]);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/token: "mean" → null/);
  });

  it('without --heads the D = 32 checkpoints fail with a message that names --heads (exit 1, each recorded)', async () => {
    const out = path.join(w.dir, 'vit-noheads');
    const run = await bias([VIT, '--probe', w.probe, '--image-size', '32', '--out', out]);
    expect(run.status).toBe(1);
    const errors = (await readLines(path.join(out, 'errors.jsonl'))) as { stage: string; message: string }[];
    expect(errors).toHaveLength(3);
    for (const e of errors) {
      expect(e.stage).toBe('load');
      expect(e.message).toMatch(/width D = 32 is not a multiple of 64.*--heads/);
    }
  });

  it('--token other than cls or mean is a usage error (exit 2)', async () => {
    const run = await bias([VIT, '--probe', w.probe, '--token', 'avg', '--out', path.join(w.dir, 'vit-bad')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--token must be cls or mean, got "avg"/);
  });

  it('inspect shows the detected ViT, its patch grid, heads and 13 taps', async () => {
    const file = path.join(VIT, 'vit_tiny_epoch0002.pth');
    const run = await bias(['inspect', file, '--heads', '2', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const info = JSON.parse(run.stdout);
    expect(info.arch).toBe('vit_tiny_patch16_224');
    expect(info.epoch).toBe(2);
    expect(info.imageSize).toBe(32);
    expect(info.transformer).toEqual({ patch: 16, grid: 2, heads: 2, prefixTokens: 1, token: 'cls' });
    expect(info.taps.map((t: { name: string }) => t.name)).toEqual([...Array.from({ length: 12 }, (_, i) => `block${i + 1}`), 'final']);
    const text = await bias(['inspect', file, '--heads', '2', '--token', 'mean']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/transformer patch 16, trained grid 2×2 .*2 heads, class token, taps = mean of patch tokens/);
  });
});
