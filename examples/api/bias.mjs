#!/usr/bin/env node
// @shapetex/bias in a few lines: score a folder of PyTorch checkpoints on a synthetic probe set,
// first by hand (pairs + estimator on one checkpoint's features), then the whole run.
// Run from the repository root after `npm run build`:  node examples/api/bias.mjs
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend, loadModel, loadImages } from '@shapetex/core';
import { synthesizeProbeSet, readProbeSet } from '@shapetex/svoc';
import { samplePairs, estimateDimensions, scoreCheckpoints } from '@shapetex/bias';

await initBackend();
const work = await mkdtemp(path.join(tmpdir(), 'shapetex-bias-'));
const checkpoints = 'test/fixtures/checkpoints/resnet18k';
await synthesizeProbeSet({ out: path.join(work, 'probe'), factors: ['shape', 'texture'], perFactor: 4, size: 32, seed: 0 });
const probe = await readProbeSet(path.join(work, 'probe'));

// By hand: the probe images' features, the pairs (fixed by the seed), the estimate.
const model = await loadModel(path.join(checkpoints, 'IN_resnet18k_epoch0006_cifar10_ln20pc_seed42.pth'));
const x = await loadImages(probe.records.map((r) => path.join(probe.root, r.file)), { size: 32, norm: 'cifar' });
const { final } = await model.features(x, ['final']);
x.dispose();
model.dispose();
const D = final.length / probe.records.length;
const pairs = samplePairs(probe, { seed: 0 });
const est = estimateDimensions(final, D, pairs, { method: 'per-neuron' });
const pct = (f) => `${(100 * f).toFixed(1)}%`;
console.log(`epoch 6 by hand: D=${est.D}, ${est.factors.join('/')}/residual = ${est.fractions.map(pct).join(' / ')}; dims ${est.dims.join(' / ')}`);

// The whole run: what `bias-score` drives (decode once, one forward per image per checkpoint).
const all = [];
for await (const result of scoreCheckpoints({ checkpoints, probe, imageSize: 32, norm: 'cifar' })) {
  if (result.error) console.log(`failed: ${result.error.checkpoint}: ${result.error.message}`);
  else all.push(...result.records);
}
for (const r of all) {
  console.log(`epoch ${r.epoch}: shape ${pct(r.fractions[0])}, texture ${pct(r.fractions[1])}, residual ${pct(r.fractions[2])} (${r.checkpoint})`);
}
