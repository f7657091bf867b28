/**
 * `bias-score --cue-conflict` end to end on a miniature stimuli folder and constructed
 * checkpoints whose decisions are known (cue-world.ts): exact counts and biases per
 * checkpoint, the results columns, the model-vs-human CSV read back with the toolbox's own
 * ShapeBias rule, the cue figure, the report's correlations, and the exit codes.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@shapetex/core';
import { parseCueFileName } from '@shapetex/svoc';
import type { ResultRecord } from '@shapetex/bias';
import { bias, makeWorld, parseCsv, readLines, type World } from './helpers.js';
import { constructedModel, decided, expectedCue, fileOf, saveLayers, STIMULI, writeStimuli } from './cue-world.js';

const CUE_COLS = 'cue_shape_bias,cue_shape_accuracy,cue_texture_accuracy,cue_shape_decisions,cue_texture_decisions,cue_images,cue_shape_bias_ci_low,cue_shape_bias_ci_high';
const EPOCHS = [1, 2, 3, 4, 5];
let w: World;
let stimuli: string;
let ckpts: string;

function pearson(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) { sxy += (x[i]! - mx) * (y[i]! - my); sxx += (x[i]! - mx) ** 2; syy += (y[i]! - my) ** 2; }
  return sxy / Math.sqrt(sxx * syy);
}

beforeAll(async () => {
  w = await makeWorld();
  stimuli = path.join(w.dir, 'cue-conflict');
  await writeStimuli(stimuli);
  await initBackend('cpu', { log: null });
  ckpts = path.join(w.dir, 'cue-ckpts');
  for (const e of EPOCHS) {
    const m = constructedModel(e);
    await saveLayers(m, path.join(ckpts, `epoch_${e}`));
    m.dispose();
  }
});

describe('bias-score --cue-conflict (no --probe)', () => {
  let out: string;
  beforeAll(async () => {
    out = path.join(w.dir, 'cue-only');
    const run = await bias([ckpts, '--cue-conflict', stimuli, '--image-size', '8', '--norm', 'none', '--backend', 'wasm', '--errors', w.errors, '--out', out]);
    if (run.status !== 0) throw new Error(`cue run failed (${run.status}): ${run.stderr}`);
  });

  it('gives, per checkpoint, exactly the counts and bias the construction implies (imagenet16 by head size)', async () => {
    const lines = (await readLines(path.join(out, 'results.jsonl'))) as ResultRecord[];
    expect(lines.map((r) => [r.epoch, r.tap, r.method, r.D])).toEqual(EPOCHS.map((e) => [e, 'logits', 'decision', 1000]));
    for (const r of lines) {
      const x = expectedCue(r.epoch!);
      expect(r.cue, `epoch ${r.epoch}`).toMatchObject({
        classMap: 'imagenet16', shapeDecisions: x.shape, textureDecisions: x.texture, otherDecisions: x.other,
        images: x.images, sameCategory: x.same, unmapped: 0, shapeBias: x.bias,
        shapeAccuracy: x.shape / x.images, textureAccuracy: x.texture / x.images,
      });
      expect(r.cue!.ci).toMatchObject({ B: 1000, seed: 0 });
      if (x.bias !== null) {
        expect(r.cue!.ci!.low).toBeLessThanOrEqual(x.bias);
        expect(r.cue!.ci!.high).toBeGreaterThanOrEqual(x.bias);
      }
    }
    // the construction makes the bias move over epochs
    expect(new Set(EPOCHS.map((e) => expectedCue(e).bias)).size).toBeGreaterThan(2);
  });

  it('results.csv holds the key columns and the cue columns, the same numbers as the jsonl', async () => {
    const csv = parseCsv(await readFile(path.join(out, 'results.csv'), 'utf8'));
    expect(csv.header.join(',')).toBe(`epoch,checkpoint,tap,method,D,${CUE_COLS}`);
    expect(csv.rows).toHaveLength(5);
    for (const row of csv.rows) {
      const x = expectedCue(Number(row[0]));
      expect(row.slice(2, 5)).toEqual(['logits', 'decision', '1000']);
      expect(row.slice(8, 11).map(Number)).toEqual([x.shape, x.texture, x.images]);
      expect(row[5] === '' ? null : Number(row[5])).toBe(x.bias);
    }
  });

  it('writes a model-vs-human CSV per checkpoint that the toolbox ShapeBias rule reads to the same bias', async () => {
    const dir = path.join(out, 'model-vs-human', 'cue-conflict');
    for (const e of EPOCHS) {
      const text = await readFile(path.join(dir, `cue-conflict_epoch-${e}_session-1.csv`), 'utf8');
      const { header, rows } = parseCsv(text);
      expect(header).toEqual(['subj', 'session', 'trial', 'rt', 'object_response', 'category', 'condition', 'imagename']);
      expect(rows).toHaveLength(STIMULI.length);
      const sorted = [...STIMULI].sort((a, b) => (fileOf(a) < fileOf(b) ? -1 : 1));
      rows.forEach((r, i) => {
        expect(r[1]).toBe('1');
        expect(r[2]).toBe(String(i + 1));
        expect(r[3]).toBe('NaN');
        expect(r[4]).toBe(decided(sorted[i]!, e));
        expect(r[5]).toBe(sorted[i]!.shape);
        expect(r[7]).toBe(path.basename(fileOf(sorted[i]!)));
      });
      // modelvshuman.plotting.analyses.ShapeBias: texture from the image name, shape = category
      const conflict = rows.filter((r) => parseCueFileName(r[7]!)!.texture !== r[5]);
      const shape = conflict.filter((r) => r[4] === r[5]).length;
      const texture = conflict.filter((r) => r[4] === parseCueFileName(r[7]!)!.texture).length;
      const x = expectedCue(e);
      expect([shape, texture]).toEqual([x.shape, x.texture]);
    }
  });

  it('a rerun with the same options resumes (nothing redone); another class map in the same folder is refused', async () => {
    const args = [ckpts, '--cue-conflict', stimuli, '--image-size', '8', '--norm', 'none', '--backend', 'wasm', '--errors', w.errors, '--out', out, '--json'];
    const again = await bias(args);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).checkpoints).toMatchObject({ scored: 0, resumed: 5, failed: 0 });
    const other = await bias([...args, '--class-map', 'imagenet16']);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/cue: .*"classMap":"auto".*→.*"classMap":"imagenet16"/);
  });

  it('draws plots/cue and reports the per-phase correlation of test error with the cue shape bias', async () => {
    expect((await stat(path.join(out, 'plots', 'cue.png'))).size).toBeGreaterThan(1000);
    expect(await readFile(path.join(out, 'plots', 'cue.svg'), 'utf8')).toContain('Decision-level shape bias');
    const phases = JSON.parse(await readFile(path.join(out, 'phases.json'), 'utf8'));
    expect(phases.cue.epochs).toEqual(EPOCHS.filter((e) => expectedCue(e).bias !== null));
    expect(phases.cue.shapeBias).toEqual(phases.cue.epochs.map((e: number) => expectedCue(e).bias));
    expect(phases.cue.correlations.map((c: { phase: string }) => c.phase)).toEqual(['1', '2', '3', '1+2']);
    const report = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(report).toContain('## Decision-level shape bias (cue-conflict)');
    expect(report).toContain('No representational estimate to compare with');
  });
});

describe('shards, workers and merge', () => {
  it('two shards run with 2 worker threads merge to the same decisions and every model-vs-human CSV', async () => {
    const args = [ckpts, '--cue-conflict', stimuli, '--image-size', '8', '--norm', 'none', '--backend', 'wasm', '--workers', '2'];
    const shards = [0, 1].map((i) => path.join(w.dir, `cue-shard${i}`));
    for (const [i, dir] of shards.entries()) {
      const run = await bias([...args, '--shard', `${i}/2`, '--out', dir]);
      expect(run.status, run.stderr).toBe(0);
    }
    const merged = path.join(w.dir, 'cue-merged');
    const run = await bias(['merge', ...shards, '--out', merged]);
    expect(run.status, run.stderr).toBe(0);
    const lines = (await readLines(path.join(merged, 'results.jsonl'))) as ResultRecord[];
    const single = (await readLines(path.join(w.dir, 'cue-only', 'results.jsonl'))) as ResultRecord[];
    expect(lines.map((r) => [r.checkpoint, r.cue])).toEqual(single.map((r) => [r.checkpoint, r.cue]));
    for (const e of EPOCHS) {
      const a = await readFile(path.join(merged, 'model-vs-human', 'cue-conflict', `cue-conflict_epoch-${e}_session-1.csv`), 'utf8');
      const b = await readFile(path.join(w.dir, 'cue-only', 'model-vs-human', 'cue-conflict', `cue-conflict_epoch-${e}_session-1.csv`), 'utf8');
      expect(a).toBe(b);
    }
  });
});

describe('bias-score --probe and --cue-conflict together', () => {
  let out: string;
  beforeAll(async () => {
    out = path.join(w.dir, 'both');
    const run = await bias([ckpts, '--probe', w.probe, '--cue-conflict', stimuli, '--class-map', 'imagenet16', '--image-size', '8', '--norm', 'none', '--backend', 'wasm', '--errors', w.errors, '--out', out]);
    if (run.status !== 0) throw new Error(`run failed (${run.status}): ${run.stderr}`);
  });

  it('adds the cue columns to every representational row, and correlates cue bias with the shape fraction', async () => {
    const csv = parseCsv(await readFile(path.join(out, 'results.csv'), 'utf8'));
    expect(csv.header.slice(0, 5)).toEqual(['epoch', 'checkpoint', 'tap', 'method', 'D']);
    expect(csv.header.slice(-8).join(',')).toBe(CUE_COLS);
    expect(csv.header).toContain('shape_fraction');
    const lines = (await readLines(path.join(out, 'results.jsonl'))) as ResultRecord[];
    expect(lines.map((r) => [r.epoch, r.tap, r.method])).toEqual(EPOCHS.map((e) => [e, 'final', 'per-neuron']));
    for (const r of lines) expect(r.cue!.shapeDecisions).toBe(expectedCue(r.epoch!).shape);
    const phases = JSON.parse(await readFile(path.join(out, 'phases.json'), 'utf8'));
    const v = phases.cue.versusShapeFraction;
    const withBias = lines.filter((r) => r.cue!.shapeBias !== null);
    expect(v).toEqual([{ tap: 'final', method: 'per-neuron', n: withBias.length, r: expect.any(Number) }]);
    expect(v[0].r).toBeCloseTo(pearson(withBias.map((r) => r.cue!.shapeBias!), withBias.map((r) => r.fractions[0]!)), 12);
    const report = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| final \| per-neuron \| \d \| -?\d\.\d{3} \|/);
  });

  it('compare lists the decision-level table and the cue overlay', async () => {
    const cmp = path.join(w.dir, 'cmp');
    const run = await bias(['compare', path.join(w.dir, 'cue-only'), out, '--out', cmp]);
    expect(run.status, run.stderr).toBe(0);
    const md = await readFile(path.join(cmp, 'compare.md'), 'utf8');
    expect(md).toContain('## Tap `logits`, decision');
    const csv = parseCsv(await readFile(path.join(cmp, 'compare.csv'), 'utf8'));
    expect(csv.rows.filter((r) => r[0] === 'logits' && r[1] === 'decision')).toHaveLength(2);
    expect((await stat(path.join(cmp, 'plots', 'cue.png'))).size).toBeGreaterThan(1000);
  });
});

describe('bad cue-conflict input', () => {
  it('an unreadable set is a usage error (exit 2); a map that does not fit the head fails each checkpoint (exit 1)', async () => {
    const missing = await bias([ckpts, '--cue-conflict', path.join(w.dir, 'nope'), '--out', path.join(w.dir, 'bad1')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--cue-conflict: cue-conflict set .*nope: cannot open the folder/);
    const noCue = await bias([ckpts, '--probe', w.probe, '--class-map', 'voc', '--out', path.join(w.dir, 'bad2')]);
    expect(noCue.status).toBe(2);
    expect(noCue.stderr).toMatch(/--class-map' needs '--cue-conflict/);
    const out = path.join(w.dir, 'bad3');
    const wrong = await bias([ckpts, '--cue-conflict', stimuli, '--class-map', 'voc', '--image-size', '8', '--norm', 'none', '--backend', 'wasm', '--out', out]);
    expect(wrong.status).toBe(1);
    const errors = (await readLines(path.join(out, 'errors.jsonl'))) as { stage: string; message: string }[];
    expect(errors).toHaveLength(5);
    for (const e of errors) expect(e).toMatchObject({ stage: 'decisions', message: expect.stringMatching(/class map voc is for 20-class heads, this head has 1000 classes/) });
  });
});
