// ResNet-18 tap-extraction benchmark: images/s of stage1..stage4 + final (global-average-pooled,
// read back to the host) at 32, 224 and 513, best over a few batch sizes, on the current backend;
// the same network in PyTorch at the same thread count in the same run; the ratio.
// Also measures the optimisation steps on the bench's own prototype (BN folding), the zoo network
// with core's own kernels added one at a time, and, when the
// worker pool exists, data parallelism over worker threads against PyTorch at that many threads.
//   node bench/resnet.mjs [--quick] [--sizes 32,224,513] [--workers N] [--rounds 3] [--backend wasm]
import * as tf from '@tensorflow/tfjs-core';
import * as core from '@shapetex/core';
import { cpus } from 'node:os';
import { randomResnetStateDict } from './lib/resnet-state.mjs';
import { buildResnetPrototype } from './lib/resnet-proto.mjs';
import { throughput, poolPass, round } from './lib/timing.mjs';
import { findTorch, runTorchJson } from './lib/torch.mjs';
import { writeResult, parseArgs } from './lib/common.mjs';

const args = parseArgs(process.argv.slice(2));
const quick = Boolean(args.quick);
const sizes = String(args.sizes ?? '32,224,513').split(',').map(Number);
const seconds = Number(args.seconds ?? (quick ? 1 : 3));
const workers = Number(args.workers ?? cpus().length);
const CANDIDATES = quick ? { 32: [64], 224: [8], 513: [2] } : { 32: [16, 64, 256], 224: [1, 4, 16], 513: [1, 2, 4] };
const batchesFor = (size) => CANDIDATES[size] ?? [1, 4];
const TAPS = ['stage1', 'stage2', 'stage3', 'stage4', 'final'];

const info = await core.initBackend(args.backend ?? 'auto', { log: null });
const sd = randomResnetStateDict('resnet18', { seed: 0 });
const log = (s) => process.stderr.write(s + '\n');

/** The zoo's ResNet-18 when createModel exists and builds it; else the bench prototype. */
function buildNetwork() {
  if (typeof core.createModel === 'function') {
    try {
      const m = core.createModel('resnet18', sd);
      // createModel may return a FeatureModel wrapping a Network, or the Network itself
      const net = m.network ?? m;
      if (typeof net.forward === 'function') return { net, source: 'zoo createModel', dispose: () => m.dispose() };
      return { featureModel: m, source: 'zoo createModel (FeatureModel.features)', dispose: () => m.dispose() };
    } catch (err) {
      log(`createModel('resnet18') failed, using the bench prototype: ${err.message}`);
    }
  }
  const net = buildResnetPrototype(sd, { fold: true });
  return { net, source: 'bench prototype (bench/lib/resnet-proto.mjs; zoo createModel not available)', dispose: () => net.dispose() };
}

async function sweep(model, label) {
  const rows = [];
  for (const size of sizes) {
    const tried = [];
    for (const batch of batchesFor(size)) {
      const x = tf.randomNormal([batch, size, size, 3]);
      const pass = model.net ? poolPass(model.net, x, TAPS) : () => model.featureModel.features(x, TAPS);
      const r = await throughput(pass, batch, { seconds });
      x.dispose();
      tried.push({ batch, imagesPerS: round(r.imagesPerS), images: r.images, seconds: round(r.seconds) });
      log(`${label} ${size}px batch ${batch}: ${r.imagesPerS.toFixed(2)} img/s`);
    }
    rows.push({ size, tried, best: tried.reduce((a, b) => (b.imagesPerS > a.imagesPerS ? b : a)) });
  }
  return rows;
}

/** Per size, the best of several rounds' sweeps (each round's `tried` kept). */
function bestOfRounds(sweeps) {
  return sizes.map((size) => {
    const tried = sweeps.flatMap((rows, i) => rows.find((r) => r.size === size).tried.map((t) => ({ round: i + 1, ...t })));
    return { size, tried, best: tried.reduce((a, b) => (b.imagesPerS > a.imagesPerS ? b : a)) };
  });
}

async function poolSweep(pool) {
  const rows = [];
  for (const size of sizes) {
    const tried = [];
    for (const per of batchesFor(size)) {
      const batch = per * workers;
      const x = tf.randomNormal([batch, size, size, 3]);
      const r = await throughput(() => pool.features(x, TAPS), batch, { seconds });
      x.dispose();
      tried.push({ batch, imagesPerS: round(r.imagesPerS), images: r.images, seconds: round(r.seconds) });
      log(`pool x${workers} ${size}px batch ${batch}: ${r.imagesPerS.toFixed(2)} img/s`);
    }
    rows.push({ size, tried });
  }
  return rows;
}

// The comparison runs in rounds — shapetex on one thread, the worker pool, PyTorch on 1 and N
// threads, then again — and each side keeps its best per size over the rounds: a shared machine's
// load comes and goes over minutes, and interleaving gives both sides the same chances at a quiet
// moment (one run of each, back to back, moved the 224 ratio between 0.82× and 1.09× here).
const rounds = Number(args.rounds ?? (quick ? 1 : 3));
const report = { backend: info, taps: TAPS, quick, sizes, rounds };
const model = buildNetwork();
report.model = model.source;
// Data parallelism: one wasm instance and one model copy per worker thread.
// The pool may not be re-exported from the package index yet: fall back to its dist module.
const createFeaturePool = core.createFeaturePool ?? (await import('../packages/core/dist/pool/index.js').catch(() => ({}))).createFeaturePool;
const pool = typeof createFeaturePool === 'function' && workers > 1
  ? await createFeaturePool({ workers, arch: 'resnet18', stateDict: sd, backend: info.name })
  : null;
const torch = findTorch();
const threadCounts = [1, ...(pool ? [workers] : [])];
const tArgs = (threads) => ['--sizes', sizes.join(','), '--batches', sizes.map((s) => batchesFor(s).join('/')).join(','), '--threads', String(threads), '--seconds', String(seconds)];
const ours = [], pooled = [], torchRuns = Object.fromEntries(threadCounts.map((t) => [t, []]));
try {
  for (let r = 1; r <= rounds; r++) {
    log(`round ${r} of ${rounds}`);
    ours.push(await sweep(model, info.name));
    if (pool) pooled.push(await poolSweep(pool));
    if (torch) {
      for (const threads of threadCounts) {
        const out = runTorchJson(new URL('./torch_resnet.py', import.meta.url).pathname, tArgs(threads));
        torchRuns[threads].push(out);
        for (const b of out.best) log(`torch ${threads} thread(s) ${b.size}px batch ${b.batch}: ${b.images_per_s.toFixed(2)} img/s`);
      }
    }
  }
} finally {
  model.dispose();
  if (pool) await pool.dispose();
}
report.results = bestOfRounds(ours);
if (pool) report.pool = { workers, model: `zoo createModel in each worker (${pool.device})`, results: bestOfRounds(pooled) };

// Step: BatchNorm folding + fused conv/bias/ReLU, on the prototype at 224 (batch 4).
if (sizes.includes(224)) {
  report.steps = [];
  const variants = [
    { fold: false, fused: false, step: 'conv2d → batchNorm → relu (unfolded)' },
    { fold: true, fused: false, step: 'BN folded: conv2d → add bias → relu' },
    { fold: true, fused: true, step: 'BN folded + fused conv/bias/ReLU (tf.fused.conv2d)' },
  ];
  // the variants in turn, `rounds` times, each keeping its best (as the comparison above)
  const best = variants.map(() => 0);
  for (let k = 0; k < rounds; k++) {
    for (const [i, v] of variants.entries()) {
      const net = buildResnetPrototype(sd, v);
      const x = tf.randomNormal([4, 224, 224, 3]);
      const r = await throughput(poolPass(net, x, TAPS), 4, { seconds });
      x.dispose();
      net.dispose();
      best[i] = Math.max(best[i], r.imagesPerS);
      log(`prototype ${v.step}: ${r.imagesPerS.toFixed(2)} img/s`);
    }
  }
  variants.forEach((v, i) => report.steps.push({ step: v.step, size: 224, batch: 4, imagesPerS: round(best[i]), rounds }));
}

// Steps: core's own wasm kernels (packages/core/src/kernels), added one at a time, on the zoo
// network at 224 (batch 16): none (every convolution through XNNPACK), Winograd F(2×2, 3×3)
// for the 3×3 stride-1 convolutions, F(4×4, 3×3) where it needs fewer products, then im2col +
// GEMM for the stem and the stride-2 convolutions, then fused multiply-adds (relaxed SIMD).
// The settings are initBackend's options (the same as the environment variables in the labels).
if (sizes.includes(224) && info.name === 'wasm') {
  report.steps ??= [];
  const variants = [
    [{ winograd: false, im2col: false, fma: false }, 'zoo ResNet-18, every convolution through XNNPACK (SHAPETEX_WINOGRAD=0 SHAPETEX_IM2COL=0)'],
    [{ winograd: true, winogradMaxTile: 2, im2col: false, fma: false }, 'zoo ResNet-18, 3×3 stride-1 convolutions through the Winograd F(2×2,3×3) kernels (SHAPETEX_WINOGRAD=2 SHAPETEX_IM2COL=0 SHAPETEX_FMA=0)'],
    [{ winograd: true, winogradMaxTile: 6, im2col: false, fma: false }, 'zoo ResNet-18, Winograd F(4×4,3×3) where it needs fewer products than F(2×2,3×3) (SHAPETEX_IM2COL=0 SHAPETEX_FMA=0)'],
    [{ winograd: true, winogradMaxTile: 6, im2col: true, fma: false }, 'zoo ResNet-18, Winograd + im2col/GEMM kernels for the stem and stride-2 convolutions (SHAPETEX_FMA=0)'],
    [{ winograd: true, winogradMaxTile: 6, im2col: true, fma: true }, 'zoo ResNet-18, the same kernels with fused multiply-adds (relaxed SIMD; the default where the engine has it)'],
  ];
  const before = { ...info.settings };
  const best = variants.map(() => 0);
  for (let k = 0; k < rounds; k++) {
    for (const [i, [settings, step]] of variants.entries()) {
      await core.initBackend(info.name, { ...settings, log: null });
      const m = buildNetwork();
      const x = tf.randomNormal([16, 224, 224, 3]);
      const pass = m.net ? poolPass(m.net, x, TAPS) : () => m.featureModel.features(x, TAPS);
      const r = await throughput(pass, 16, { seconds });
      x.dispose();
      m.dispose();
      best[i] = Math.max(best[i], r.imagesPerS);
      log(`${step}: ${r.imagesPerS.toFixed(2)} img/s`);
    }
  }
  variants.forEach(([, step], i) => report.steps.push({ step, size: 224, batch: 16, imagesPerS: round(best[i]), rounds }));
  await core.initBackend(info.name, { ...before, log: null });
}

if (!torch) {
  report.torch = null;
  report.torchNote = 'PyTorch not found (/usr/bin/python3 or python3 with torch and torchvision): no comparison';
} else {
  report.torch = { python: torch.python, version: torch.torch, runs: {} };
  for (const threads of threadCounts) {
    // per size, the round with the most images/s
    const all = torchRuns[threads];
    const best = sizes.map((size) => all.map((o) => o.best.find((b) => b.size === size)).reduce((a, b) => (b.images_per_s > a.images_per_s ? b : a)));
    report.torch.runs[threads] = { ...all[all.length - 1], best, rounds: all.map((o) => o.best) };
  }
  const ratio = (rows, threads) => rows.map((r) => {
    const t = report.torch.runs[threads].best.find((b) => b.size === r.size);
    return { size: r.size, ours: r.best.imagesPerS, torch: round(t.images_per_s), ratio: round(r.best.imagesPerS / t.images_per_s, 3) };
  });
  report.ratios = { threads1: ratio(report.results, 1) };
  if (report.pool) report.ratios[`threads${workers}`] = ratio(report.pool.results, workers);
}

const file = writeResult('resnet', report);
log(`wrote ${file}`);
