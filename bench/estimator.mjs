// Estimator benchmark (issue 4): SVOC-sized pairs (4,369 contents × 5 textures = 21,845 images,
// one shape and one texture pair per image) × D = 2,048 random features. Times per-neuron,
// pooled and a 200-resample bootstrap; writes bench/results/estimator.json.
// Run after building: node bench/estimator.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createRng } from '@shapetex/core';
import { samplePairs, estimateDimensions } from '@shapetex/bias';

const CONTENTS = 4369, TEXTURES = 5, D = 2048, REPEATS = 3;

const records = [];
for (let c = 0; c < CONTENTS; c++) {
  const contentId = `2008_${String(c).padStart(6, '0')}`, classId = (c % 20) + 1;
  for (let t = 1; t <= TEXTURES; t++) {
    records.push({ file: `${t}_${classId}_${contentId}.jpg`, factors: { shape: `${classId}_${contentId}`, texture: t }, classId, className: '', contentId, textureId: t, textureName: '' });
  }
}
const probeSet = { root: '(in memory)', records, factors: ['shape', 'texture'] };
const N = records.length;

const mib = (b) => Math.round((b / 2 ** 20) * 10) / 10;
const maxRssMiB = () => mib(process.resourceUsage().maxRSS * 1024);
const time = (fn) => {
  const t0 = process.hrtime.bigint();
  const out = fn();
  return { out, s: Number(process.hrtime.bigint() - t0) / 1e9 };
};

const tPairs = time(() => samplePairs(probeSet, { seed: 0 }));
const pairs = tPairs.out;

// ReLU-like features: half the values zero, the rest uniform, as after global average pooling
// of post-ReLU maps (the values do not change the work done).
const rng = createRng(1);
const features = new Float32Array(N * D);
for (let j = 0; j < features.length; j++) { const u = rng.next() - 0.5; features[j] = u > 0 ? u : 0; }
const baseRss = maxRssMiB();

const results = [];
const bench = (name, options) => {
  let best = Infinity, est;
  for (let r = 0; r < REPEATS; r++) {
    const { out, s } = time(() => estimateDimensions(features, D, pairs, options));
    best = Math.min(best, s);
    est = out;
  }
  const row = { name, options, bestSeconds: Math.round(best * 1000) / 1000, maxRssMiB: maxRssMiB(), fractions: est.fractions, ci: est.ci ?? null };
  results.push(row);
  console.log(`${name.padEnd(42)} ${row.bestSeconds.toFixed(3)} s   max RSS ${row.maxRssMiB} MiB`);
};

console.log(`pairs: ${pairs.a.length} (${pairs.counts.join(' + ')}) over ${N} images, D = ${D}; sampled in ${tPairs.s.toFixed(3)} s`);
console.log(`features ${mib(features.byteLength)} MiB; max RSS before estimating ${baseRss} MiB`);
bench('per-neuron', { method: 'per-neuron' });
bench('pooled', { method: 'pooled' });
bench('per-neuron + bootstrap 200 (linearized)', { method: 'per-neuron', bootstrap: 200 });
bench('pooled + bootstrap 200 (linearized)', { method: 'pooled', bootstrap: 200 });

// The exact bootstrap repeats the full pass per resample; time a few and scale to 200.
const exactB = 3;
const ex = time(() => estimateDimensions(features, D, pairs, { bootstrap: exactB, bootstrapMethod: 'exact' }));
const exactPer = (ex.s - results[0].bestSeconds) / exactB;
console.log(`exact bootstrap: ${exactPer.toFixed(3)} s per resample → ~${(200 * exactPer).toFixed(0)} s for 200`);

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const report = {
  benchmark: 'estimator', date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model,
  images: N, pairs: pairs.a.length, pairsPerFactor: pairs.counts, D, repeats: REPEATS,
  featuresMiB: mib(features.byteLength), maxRssBeforeMiB: baseRss, samplePairsSeconds: Math.round(tPairs.s * 1000) / 1000,
  results, exactBootstrapSecondsPerResample: Math.round(exactPer * 1000) / 1000,
};
writeFileSync(new URL('./results/estimator.json', import.meta.url), JSON.stringify(report, null, 2) + '\n');
console.log('wrote bench/results/estimator.json');
