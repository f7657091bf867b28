import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Comparison, DynamicsAnalysis } from '@shapetex/bias';
import { bias, makeWorld, type World } from './helpers.js';

let w: World;
let deep: string;
let final: string;

// Two real runs over the same checkpoints, every tap and only the final tap with another pair
// seed, each with an error curve that dips and rises (extrema split, no smoothing: Phase 1
// ends at the minimum of epoch 3, Phase 2 at the maximum of epoch 5).
beforeAll(async () => {
  w = await makeWorld();
  const errors = path.join(w.dir, 'errors-dip.csv');
  await writeFile(errors, 'epoch,test_error\n' + [60, 40, 30, 45, 50, 35, 20].map((e, i) => `${i + 1},${e}`).join('\n') + '\n');
  deep = path.join(w.dir, 'runs', 'all-taps');
  final = path.join(w.dir, 'runs', 'final-seed1');
  const common = ['--probe', w.probe, '--image-size', '32', '--norm', 'cifar', '--backend', 'wasm', '--errors', errors, '--phases', 'extrema', '--smooth', '1'];
  for (const [out, extra] of [[deep, ['--taps', 'all']], [final, ['--seed', '1']]] as const) {
    const run = await bias([w.checkpoints, ...common, ...extra, '--out', out]);
    if (run.status !== 0) throw new Error(`run for ${out} failed (${run.status}): ${run.stderr}`);
  }
});

describe('bias-score compare (CLI) over real runs', () => {
  it('writes the tables from each run\'s own phases.json, the overlays and the per-layer figure', async () => {
    const out = path.join(w.dir, 'compare');
    const run = await bias(['compare', deep, final, '--labels', 'all taps,seed 1', '--out', out, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as Comparison;
    const json = JSON.parse(await readFile(path.join(out, 'compare.json'), 'utf8')) as Comparison;
    expect(json.tables).toEqual(printed.tables);
    expect(json.tables.map((t) => t.tap)).toEqual(['stage1', 'stage2', 'stage3', 'stage4', 'final']);

    // every figure is the one the run's own analysis holds
    const phases = [deep, final].map(async (d) => JSON.parse(await readFile(path.join(d, 'phases.json'), 'utf8')) as DynamicsAnalysis);
    const [a, b] = await Promise.all(phases);
    expect([a!.phases?.boundaries, b!.phases?.boundaries]).toEqual([[3, 5], [3, 5]]);
    const finalTable = json.tables.find((t) => t.tap === 'final')!;
    for (const [row, analysis] of [[finalTable.rows[0]!, a!], [finalTable.rows[1]!, b!]] as const) {
      const g = analysis.groups.find((x) => x.tap === 'final' && x.method === 'per-neuron')!;
      const c12 = g.correlations.find((c) => c.phase === '1+2')!, c3 = g.correlations.find((c) => c.phase === '3')!;
      expect(row.early).toMatchObject({ shapeR: c12.shapeR, textureR: c12.textureR, score: c12.score, n: c12.n });
      expect(row.late).toMatchObject({ shapeR: c3.shapeR, textureR: c3.textureR, score: c3.score, n: c3.n });
      expect(row.boundaries).toEqual([3, 5]);
      expect([row.early!.n, row.late!.n]).toEqual([5, 3]);
      expect(row.early!.score).toEqual(expect.any(Number));
    }
    // the seed-1 run scored only `final`: N/A rows elsewhere, saying why
    expect(json.tables[0]!.rows[1]).toMatchObject({ run: 'seed 1', early: null, late: null, note: 'tap stage1 was not scored with per-neuron' });

    const md = await readFile(path.join(out, 'compare.md'), 'utf8');
    expect(md).toContain('| all taps |');
    expect(md).toContain('## Tap `stage3`, per-neuron');
    expect(md).toContain('![Per-layer biases of all taps](plots/layers_all_taps.png)');
    const csv = (await readFile(path.join(out, 'compare.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv).toHaveLength(1 + 5 * 2);
    for (const name of ['bias_final', 'bias_stage1', 'errors', 'layers_all_taps']) {
      const png = await sharp(path.join(out, 'plots', `${name}.png`)).stats();
      expect(png.channels[0]!.stdev, name).toBeGreaterThan(10);
    }
  });

  it('exits 2 naming a folder that is not a bias-score output, or labels that do not fit', async () => {
    const out = path.join(w.dir, 'compare-bad');
    const notRun = await bias(['compare', deep, w.probe, '--out', out]);
    expect(notRun.status).toBe(2);
    expect(notRun.stderr).toContain(`${w.probe} has no run.json`);
    const labels = await bias(['compare', deep, final, '--labels', 'one', '--out', out]);
    expect(labels.status).toBe(2);
    expect(labels.stderr).toContain('--labels: 1 label(s) for 2 folder(s)');
    const none = await bias(['compare', '--out', out]);
    expect(none.status).toBe(2);
  });
});
