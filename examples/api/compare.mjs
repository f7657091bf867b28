#!/usr/bin/env node
// Comparing runs with @shapetex/bias: score the same checkpoint series twice (every tap with
// pair seed 0; the final tap with pair seed 1), each with its test-error curve, then put both
// into one comparison: the ablation table per tap, overlay plots, per-layer figure.
// Run from the repository root after `npm run build`:  node examples/api/compare.mjs
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { synthesizeProbeSet } from '@shapetex/svoc';
import { runBiasScore, compareRuns, compareTableMarkdown } from '@shapetex/bias';

const work = await mkdtemp(path.join(tmpdir(), 'shapetex-compare-'));
const checkpoints = 'test/fixtures/checkpoints/resnet18k';
const probe = path.join(work, 'probe');
await synthesizeProbeSet({ out: probe, factors: ['shape', 'texture'], perFactor: 4, size: 32, seed: 0 });
// A test-error curve that falls, rises and falls again over the 7 epochs of the series.
const errors = path.join(work, 'errors.csv');
await writeFile(errors, 'epoch,test_error\n' + [60, 40, 30, 45, 50, 35, 20].map((e, i) => `${i + 1},${e}`).join('\n') + '\n');

const runs = { 'all taps': ['all', 0], 'seed 1': [['final'], 1] };
for (const [label, [taps, seed]] of Object.entries(runs)) {
  await runBiasScore({
    checkpoints, probe, out: path.join(work, label.replace(' ', '-')), imageSize: 32, norm: 'cifar',
    taps, seed, errors, phaseMethod: 'extrema', smooth: 1,
  });
}

const cmp = await compareRuns({
  inputs: Object.keys(runs).map((l) => path.join(work, l.replace(' ', '-'))),
  labels: Object.keys(runs),
  out: path.join(work, 'compare'),
});
for (const t of cmp.tables.filter((t) => t.tap === 'final' || t.tap === 'stage1')) {
  console.log(`tap ${t.tap}, ${t.method}\n${compareTableMarkdown(t.rows)}\n`);
}
console.log(`report: ${path.join(cmp.out, 'compare.md')}; plots: ${cmp.files.filter((f) => f.endsWith('.png')).map((f) => path.basename(f)).join(', ')}`);
