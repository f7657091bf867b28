import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BACKEND_SETTINGS, initBackend, loadImages, loadModel } from '@shapetex/core';
import { manifestHash, readProbeSet, synthesizeProbeSet } from '@shapetex/svoc';
import { estimateDimensions, readErrorCsv, samplePairs, splitPhases, type ResultRecord } from '@shapetex/bias';
import { bias, FIXTURES, makeWorld, parseCsv, readLines, type World } from './helpers.js';

const SVOC_HEADER = 'epoch,checkpoint,tap,method,D,shape_dims,texture_dims,residual_dims,shape_fraction,texture_fraction,residual_fraction,shape_score,texture_score,dead_units,shape_pairs,texture_pairs';
const NAMES = [1, 2, 3, 4, 5, 6].map((e) => `IN_resnet18k_epoch000${e}_cifar10_ln20pc_seed42.pth`).concat('IN_resnet18k_final_cifar10_ln20pc_seed42.pth');
const TAPS = ['stage1', 'stage2', 'stage3', 'stage4', 'final'];

let w: World;
let full: string;
const common = () => ['--probe', w.probe, '--image-size', '32', '--norm', 'cifar', '--taps', 'all', '--method', 'both', '--backend', 'wasm'];

beforeAll(async () => {
  w = await makeWorld();
  full = path.join(w.dir, 'full');
  const run = await bias([w.checkpoints, ...common(), '--errors', w.errors, '--out', full, '--json']);
  if (run.status !== 0) throw new Error(`reference run failed (${run.status}): ${run.stderr}`);
});

describe('bias-score over a checkpoint folder', () => {
  it('writes every SPEC §8 output, well-formed', async () => {
    const csv = parseCsv(await readFile(path.join(full, 'results.csv'), 'utf8'));
    expect(csv.header.join(',')).toBe(SVOC_HEADER);
    // 7 checkpoints × 5 taps × 2 methods, by epoch (the final dict's epoch 7 comes from its entry)
    expect(csv.rows).toHaveLength(70);
    expect([...new Set(csv.rows.map((r) => r[1]))]).toEqual(NAMES);
    expect([...new Set(csv.rows.map((r) => r[0]))]).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(csv.rows.slice(0, 10).map((r) => `${r[2]}:${r[3]}`)).toEqual(TAPS.flatMap((t) => [`${t}:per-neuron`, `${t}:pooled`]));

    const lines = (await readLines(path.join(full, 'results.jsonl'))) as ResultRecord[];
    expect(lines).toHaveLength(70);
    expect(new Set(lines.map((r) => `${r.checkpoint}|${r.tap}|${r.method}`)).size).toBe(70);
    const D = { stage1: 2, stage2: 4, stage3: 8, stage4: 16, final: 16 } as Record<string, number>;
    for (const r of lines) {
      expect(r.D).toBe(D[r.tap]);
      expect(r.dims.reduce((a, b) => a + b, 0)).toBe(r.D);
      expect(r.fractions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(r.pairs).toEqual([16, 16]);
    }
    // the CSV holds the same numbers as the jsonl
    const row = csv.rows.find((r) => r[1] === NAMES[2] && r[2] === 'final' && r[3] === 'pooled')!;
    const rec = lines.find((r) => r.checkpoint === NAMES[2] && r.tap === 'final' && r.method === 'pooled')!;
    expect(row.slice(5, 11).map(Number)).toEqual([...rec.dims, ...rec.fractions]);
    // interpolated weights: the biases move between epochs
    const shape = lines.filter((r) => r.tap === 'final' && r.method === 'per-neuron').map((r) => r.fractions[0]!);
    expect(Math.max(...shape) - Math.min(...shape)).toBeGreaterThan(0.01);

    const run = JSON.parse(await readFile(path.join(full, 'run.json'), 'utf8'));
    const probe = await readProbeSet(w.probe);
    expect(run).toMatchObject({
      tool: 'bias-score', version: '0.1.0', backend: { name: 'wasm' }, seed: 0, status: 'complete', scored: 7, failed: 0,
      probe: { hash: manifestHash(probe.manifest!), records: 16, factors: ['shape', 'texture'] },
      options: { imageSize: 32, norm: 'cifar', taps: 'all', methods: ['per-neuron', 'pooled'], shard: '0/1', errors: w.errors },
    });
    expect(Date.parse(run.endTime)).toBeGreaterThanOrEqual(Date.parse(run.startTime));
    expect(await readFile(path.join(full, 'errors.jsonl'), 'utf8')).toBe('');

    const phases = JSON.parse(await readFile(path.join(full, 'phases.json'), 'utf8'));
    expect(phases.groups).toHaveLength(10);
    expect(phases.curve.errors[0]).toBeCloseTo(69, 9); // 1 − 0.31, in percent
    const report = await readFile(path.join(full, 'report.md'), 'utf8');
    expect(report).toContain('| Phase | Epochs | n | Shape r [95% CI] | Texture r [95% CI] | Score [95% CI] |');
    // --taps all: the per-layer figure (the thesis's Fig. 6.1) is written and shown in the report
    expect(report).toContain('![Per-layer shape and texture fractions over epochs](plots/layers.png)');
    for (const name of ['bias', 'layers', 'dynamics', 'errors', 'scatter']) {
      const svg = await readFile(path.join(full, 'plots', `${name}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      const png = await readFile(path.join(full, 'plots', `${name}.png`));
      expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    }
  });

  it('run.json records the backend and kernel settings in force, from the environment fallback too', async () => {
    expect(JSON.parse(await readFile(path.join(full, 'run.json'), 'utf8')).backend.settings).toEqual(DEFAULT_BACKEND_SETTINGS);
    const one = path.join(w.dir, 'one-checkpoint');
    await mkdir(one, { recursive: true });
    await cp(path.join(w.checkpoints, NAMES[0]!), path.join(one, NAMES[0]!));
    const out = path.join(w.dir, 'settings-out');
    const saved = { fma: process.env.SHAPETEX_FMA, winograd: process.env.SHAPETEX_WINOGRAD };
    process.env.SHAPETEX_FMA = '0';
    process.env.SHAPETEX_WINOGRAD = '4';
    let run;
    try {
      run = await bias([one, ...common(), '--taps', 'final', '--method', 'pooled', '--out', out]);
    } finally {
      for (const [k, v] of [['SHAPETEX_FMA', saved.fma], ['SHAPETEX_WINOGRAD', saved.winograd]] as const) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')).backend).toEqual({
      name: 'wasm', device: 'wasm (simd, winograd 3×3, im2col)', accelerated: false,
      settings: { ...DEFAULT_BACKEND_SETTINGS, fma: false, winogradMaxTile: 4 },
      engine: 'tfjs', engineVersion: tf.version_core,
    });
  });

  it('gives the numbers the library gives for the same checkpoint, images and pairs', async () => {
    await initBackend('wasm', { log: null });
    const probe = await readProbeSet(w.probe);
    const images = await loadImages(probe.records.map((r) => path.join(probe.root, r.file)), { size: 32, norm: 'cifar' });
    const model = await loadModel(path.join(FIXTURES, 'resnet18k', NAMES[4]!));
    const z = await model.features(images, ['stage3']);
    model.dispose();
    images.dispose();
    const est = estimateDimensions(z.stage3!, 8, samplePairs(probe, { seed: 0 }), { method: 'per-neuron' });
    const lines = (await readLines(path.join(full, 'results.jsonl'))) as ResultRecord[];
    const rec = lines.find((r) => r.checkpoint === NAMES[4] && r.tap === 'stage3' && r.method === 'per-neuron')!;
    expect(rec.epoch).toBe(5);
    expect(rec.dims).toEqual(est.dims);
    rec.scores.forEach((s, k) => expect(s).toBeCloseTo(est.scores[k]!, 5));
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });

  it('resumes a killed run: finishes the rest, repeats nothing, same numbers', async () => {
    const out = path.join(w.dir, 'resume');
    const args = [w.checkpoints, ...common(), '--out', out, '--batch', '2'];
    const killed = await bias(args, (err) => /checkpoint 2\/7/.test(err));
    expect(killed.signal).toBe('SIGKILL');
    // complete lines only: the kill may have cut the last append
    const text = await readFile(path.join(out, 'results.jsonl'), 'utf8');
    const before = text.split('\n').slice(0, -1).map((l) => JSON.parse(l) as ResultRecord);
    expect(before.length).toBeGreaterThanOrEqual(10);
    expect(before.length).toBeLessThan(70);
    const again = await bias([...args, '--json']);
    expect(again.status).toBe(0);
    const summary = JSON.parse(again.stdout);
    // a checkpoint cut by the kill is scored again; every complete one is kept
    const complete = [...new Set(before.map((r) => r.checkpoint))].filter((c) => before.filter((r) => r.checkpoint === c).length === 10);
    expect(summary.checkpoints.resumed).toBe(complete.length);
    expect(summary.checkpoints.resumed + summary.checkpoints.scored).toBe(7);
    expect(again.stderr).toMatch(/resuming/);
    const third = await bias([...args, '--json']);
    expect(JSON.parse(third.stdout).checkpoints).toMatchObject({ scored: 0, resumed: 7 });
    const a = await readFile(path.join(out, 'results.csv'), 'utf8');
    expect(a).toBe(await readFile(path.join(full, 'results.csv'), 'utf8'));
    expect((await readLines(path.join(out, 'results.jsonl'))).length).toBe(70);
  });

  it('refuses to mix results made with other options, naming the difference', async () => {
    const run = await bias([w.checkpoints, ...common(), '--out', full, '--seed', '3', '--pairs', '8']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/refusing to mix/);
    expect(run.stderr).toMatch(/seed: 0 → 3/);
    expect(run.stderr).toMatch(/pairsPerFactor: null → 8/);
  });

  it('shards 0/2 and 1/2 merged give the rows and numbers of the unsharded run', async () => {
    const s0 = path.join(w.dir, 's0');
    const s1 = path.join(w.dir, 's1');
    const merged = path.join(w.dir, 'merged');
    const [r0, r1] = await Promise.all([
      bias([w.checkpoints, ...common(), '--errors', w.errors, '--shard', '0/2', '--out', s0]),
      bias([w.checkpoints, ...common(), '--errors', w.errors, '--shard', '1/2', '--out', s1]),
    ]);
    expect([r0.status, r1.status]).toEqual([0, 0]);
    const shard0 = parseCsv(await readFile(path.join(s0, 'results.csv'), 'utf8'));
    expect([...new Set(shard0.rows.map((r) => r[0]))]).toEqual(['1', '3', '5', '7']);
    // s0 twice: duplicates are dropped
    const m = await bias(['merge', s0, s1, s0, '--out', merged, '--json']);
    expect(m.status).toBe(0);
    expect(JSON.parse(m.stdout)).toMatchObject({ records: 70, checkpoints: 7, duplicates: 40 });
    expect(await readFile(path.join(merged, 'results.csv'), 'utf8')).toBe(await readFile(path.join(full, 'results.csv'), 'utf8'));
    expect(await readFile(path.join(merged, 'results.jsonl'), 'utf8')).toBe(await readFile(path.join(full, 'results.jsonl'), 'utf8'));
    expect(await readFile(path.join(merged, 'phases.json'), 'utf8')).toBe(await readFile(path.join(full, 'phases.json'), 'utf8'));
    expect((await stat(path.join(merged, 'plots', 'scatter.png'))).size).toBeGreaterThan(1000);
    // the analysis can be redone at merge time with the other phase rule and window
    const extrema = path.join(w.dir, 'merged-extrema');
    expect((await bias(['merge', s0, s1, '--out', extrema, '--phases', 'extrema', '--smooth', '1'])).status).toBe(0);
    const ph = JSON.parse(await readFile(path.join(extrema, 'phases.json'), 'utf8'));
    const curve = await readErrorCsv(w.errors);
    const expected = splitPhases(curve.errors, { method: 'extrema', epochs: curve.epochs, smooth: 1 });
    // errors 69, 58, 50, 52, 45, 39, 36 %: first local minimum at epoch 3, next maximum at epoch 4
    expect(expected?.boundaries).toEqual([3, 4]);
    expect(ph.options).toMatchObject({ method: 'extrema', smooth: 1 });
    expect(ph.phases).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(JSON.parse(await readFile(path.join(extrema, 'run.json'), 'utf8')).options).toMatchObject({ phases: 'extrema', smooth: 1 });
    // shards made with other options are not merged
    const other = path.join(w.dir, 'other');
    expect((await bias([w.checkpoints, ...common(), '--seed', '9', '--shard', '1/2', '--out', other])).status).toBe(0);
    const bad = await bias(['merge', s0, other, '--out', path.join(w.dir, 'bad')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/seed: 0 → 9/);
  });

  it('records a corrupt checkpoint in errors.jsonl, scores the others and exits 1', async () => {
    await writeFile(path.join(w.checkpoints, 'IN_resnet18k_epoch0004_corrupt.pth'), Buffer.from('PK\x03\x04 not really a zip'));
    const out = path.join(w.dir, 'corrupt');
    const run = await bias([w.checkpoints, '--probe', w.probe, '--image-size', '32', '--out', out]);
    expect(run.status).toBe(1);
    const errors = (await readLines(path.join(out, 'errors.jsonl'))) as { checkpoint: string; stage: string; message: string }[];
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ checkpoint: 'IN_resnet18k_epoch0004_corrupt.pth', stage: 'load' });
    expect(errors[0]!.message).toContain('IN_resnet18k_epoch0004_corrupt.pth');
    const csv = parseCsv(await readFile(path.join(out, 'results.csv'), 'utf8'));
    expect(csv.rows.map((r) => r[1])).toEqual(NAMES);
    expect(run.stderr).toMatch(/FAILED IN_resnet18k_epoch0004_corrupt\.pth/);
  });

  it('--workers 2 (a pool of threads) gives the one-thread numbers, and survives the corrupt checkpoint', async () => {
    const one = path.join(w.dir, 'corrupt');
    const out = path.join(w.dir, 'workers');
    const run = await bias([w.checkpoints, '--probe', w.probe, '--image-size', '32', '--out', out, '--workers', '2']);
    expect(run.status).toBe(1);
    expect(await readFile(path.join(out, 'results.csv'), 'utf8')).toBe(await readFile(path.join(one, 'results.csv'), 'utf8'));
    const errors = (await readLines(path.join(out, 'errors.jsonl'))) as { checkpoint: string; stage: string }[];
    expect(errors).toMatchObject([{ checkpoint: 'IN_resnet18k_epoch0004_corrupt.pth', stage: 'load' }]);
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')).options.workers).toBe(2);
  });

  it('records a probe image that does not decode in errors.jsonl and exits 1', async () => {
    const probe = path.join(w.dir, 'bad-probe');
    await cp(w.probe, probe, { recursive: true });
    const victim = (await readProbeSet(probe)).records[5]!.file;
    await writeFile(path.join(probe, victim), 'not a jpeg');
    const out = path.join(w.dir, 'bad-probe-out');
    const run = await bias([path.join(FIXTURES, 'resnet18k', NAMES[0]!), '--probe', probe, '--image-size', '32', '--out', out]);
    expect(run.status).toBe(1);
    const [line] = (await readLines(path.join(out, 'errors.jsonl'))) as { stage: string; message: string }[];
    expect(line!.stage).toBe('run');
    expect(line!.message).toContain(victim);
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8')).status).toBe('failed');
  });

  it('scores the torchvision-topology series and inspects checkpoints as PyTorch counts them', async () => {
    // a K = 3 synthetic set, 8 anchors per factor, bootstrap intervals
    const probe3 = path.join(w.dir, 'probe3');
    await synthesizeProbeSet({ out: probe3, factors: ['shape', 'texture', 'color'], perFactor: 3, size: 32, seed: 1 });
    const out = path.join(w.dir, 'tv');
    const run = await bias([path.join(FIXTURES, 'resnet18'), '--probe', probe3, '--image-size', '32', '--taps', 'stage2,final', '--pairs', '8', '--bootstrap', '20', '--out', out]);
    expect(run.status).toBe(0);
    const csv = parseCsv(await readFile(path.join(out, 'results.csv'), 'utf8'));
    expect(csv.header.join(',')).toBe([
      'epoch,checkpoint,tap,method,D,shape_dims,texture_dims,color_dims,residual_dims',
      'shape_fraction,texture_fraction,color_fraction,residual_fraction,shape_score,texture_score,color_score,dead_units',
      'shape_pairs,texture_pairs,color_pairs,shape_ci_low,shape_ci_high,texture_ci_low,texture_ci_high,color_ci_low,color_ci_high',
    ].join(','));
    expect(csv.rows.map((r) => `${r[0]}:${r[2]}:${r[4]}`)).toEqual([1, 2, 3, 4].flatMap((e) => [`${e}:stage2:8`, `${e}:final:32`]));
    for (const r of csv.rows) {
      expect(r.slice(17, 20)).toEqual(['8', '8', '8']);
      for (let k = 0; k < 3; k++) {
        expect(r[20 + 2 * k]).toMatch(/^0\.\d+/);
        expect(Number(r[20 + 2 * k])).toBeLessThanOrEqual(Number(r[21 + 2 * k]));
      }
    }
    const expected = JSON.parse(await readFile(path.join(FIXTURES, 'expected.json'), 'utf8'));
    for (const [folder, file] of [['resnet18k', NAMES[6]!], ['resnet18', 'IN_resnet18_epoch0004_cifar10_ln20pc_seed42.pth']] as const) {
      const r = await bias(['inspect', path.join(FIXTURES, folder, file), '--json']);
      expect(r.status).toBe(0);
      const info = JSON.parse(r.stdout);
      const want = expected[folder];
      expect(info).toMatchObject({ arch: want.arch, numClasses: want.classes, parameters: want.parameters });
      expect(Object.fromEntries(info.taps.map((t: { name: string; D: number }) => [t.name, t.D]))).toEqual(want.taps);
    }
    const text = await bias(['inspect', path.join(FIXTURES, 'resnet18k', NAMES[6]!)]);
    expect(text.stdout).toMatch(/arch\s+resnet18k/);
    expect(text.stdout).toMatch(/epoch\s+7 \(entry\)/);
    expect(text.stdout).toMatch(/logits\s+yes \(10 classes\)/);
    expect((await bias(['inspect', w.errors])).status).toBe(1);
  });

  it('exits 2 on usage errors with a message naming the option', async () => {
    const cases: [string[], RegExp][] = [
      [[w.checkpoints], /--probe/],
      [[w.checkpoints, '--probe', w.probe, '--shard', '2/2'], /--shard/],
      [[w.checkpoints, '--probe', w.probe, '--method', 'mean'], /--method must be per-neuron, pooled or both/],
      [[w.checkpoints, '--probe', w.probe, '--norm', '1,2/3'], /--norm/],
      [[w.checkpoints, '--probe', w.probe, '--backend', 'tpu'], /--backend must be one of/],
      [[w.checkpoints, '--probe', w.probe, '--image-size', 'big'], /--image-size must be an integer/],
      [[w.checkpoints, '--probe', w.probe, '--phases', 'middle'], /--phases must be threshold or extrema/],
      [[w.checkpoints, '--probe', w.probe, '--workers', '0'], /--workers must be an integer ≥ 1/],
      [[path.join(w.dir, 'missing'), '--probe', w.probe], /missing: not found/],
      [[w.checkpoints, '--probe', path.join(w.dir, 'nowhere')], /--probe: .*nowhere/],
      [['merge', path.join(w.dir, 'nowhere')], /no run\.json/],
    ];
    for (const [args, message] of cases) {
      const r = await bias([...args, '--out', path.join(w.dir, 'usage')]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
