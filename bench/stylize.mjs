// AdaIN stylization benchmark: shapetex against PyTorch, side by side in one run, at 512 with
// full-size random weights laid out as the official vgg_normalised.pth (encoder to relu4_1,
// 64…512 channels) and decoder.pth (bench/lib/adain-bench.mjs; bench/torch_adain.py builds the
// same layouts in PyTorch). Two paths per side:
//   stylize  `stylize(content, style)`: the encoder on both images, AdaIN, the decoder
//   builder  what `svoc build` does per output image: a texture's features encoded once, each
//            content encoded once per T = 5 textures, so one decoder pass plus a fifth of an
//            encoder pass, plus the JPEG encoding (quality 95)
// at 1 thread (shapetex's wasm is single-threaded; PyTorch with torch.set_num_threads(1)) and at
// N workers (one backend and stylizer per worker thread, as `svoc build --workers N`) against
// PyTorch at N threads, in images/s. The machine is shared and noisy, so the contestants run in
// alternating rounds (shapetex, PyTorch 1 thread, shapetex N workers, PyTorch N threads, again),
// each round's ratio is kept, and each side's best over the rounds is compared.
// Writes bench/results/stylize.json.
//   node bench/stylize.mjs [--backend wasm] [--size 512] [--rounds 3] [--repeats 1] [--workers 2] [--quick]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { initBackend } from '@shapetex/core';
import { createAdainBench } from './lib/adain-bench.mjs';
import { machine } from './lib/common.mjs';
import { findTorch, runTorchJson } from './lib/torch.mjs';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' }, size: { type: 'string', default: '512' }, rounds: { type: 'string' },
    repeats: { type: 'string', default: '1' }, workers: { type: 'string', default: '2' }, quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results/stylize.json' },
  },
});
const quick = values.quick || process.env.SHAPETEX_BENCH_QUICK === '1';
const SIZE = Number(values.size), REPEATS = Number(values.repeats), WORKERS = Number(values.workers), T = 5;
const ROUNDS = Number(values.rounds ?? (quick ? 1 : 3));
const r3 = (x) => Math.round(x * 1000) / 1000;

const info = await initBackend(values.backend, { log: null });
const single = await createAdainBench(SIZE, T);

/** N worker threads, each with its own backend and warmed-up stylizer; `measure` runs them together. */
async function startWorkers(n) {
  const workers = Array.from({ length: n }, () => new Worker(new URL('./lib/stylize-worker.mjs', import.meta.url), { workerData: { backend: values.backend, size: SIZE, textures: T } }));
  const next = (w, type) => new Promise((resolve, reject) => {
    const on = (m) => { if (m.type === type) { w.off('message', on); resolve(m); } };
    w.on('message', on);
    w.once('error', reject);
  });
  await Promise.all(workers.map((w) => next(w, 'ready')));
  return {
    // images/s of the N workers working at once: Σ 1 / seconds per image
    async measure(repeats) {
      const got = await Promise.all(workers.map((w) => { const p = next(w, 'measured'); w.postMessage({ type: 'measure', repeats }); return p; }));
      return { stylize: got.reduce((s, m) => s + 1 / m.stylizeSeconds, 0), builder: got.reduce((s, m) => s + 1 / m.builderSeconds, 0) };
    },
    async dispose() { await Promise.all(workers.map((w) => { const p = next(w, 'disposed'); w.postMessage({ type: 'dispose' }); return p; })); await Promise.all(workers.map((w) => w.terminate())); },
  };
}

const torch = findTorch();
const torchRound = (threads) => {
  const r = runTorchJson('bench/torch_adain.py', ['--size', String(SIZE), '--threads', String(threads), '--repeats', String(REPEATS), '--textures', String(T)], { timeoutS: 1800 });
  const x = r.rounds[0];
  return { stylize: 1 / x.stylizeSecondsPerImage, builder: 1 / x.builderSecondsPerImage };
};

const pool = WORKERS > 1 ? await startWorkers(WORKERS) : null;
const rounds = [];
for (let i = 0; i < ROUNDS; i++) {
  const ours = await single.measure(REPEATS);
  const row = { round: i + 1, shapetex1: { stylize: 1 / ours.stylizeSeconds, builder: 1 / ours.builderSeconds } };
  if (torch) row.torch1 = torchRound(1);
  if (pool) {
    row[`shapetex${WORKERS}`] = await pool.measure(REPEATS);
    if (torch) row[`torch${WORKERS}`] = torchRound(WORKERS);
  }
  for (const n of [1, ...(pool ? [WORKERS] : [])]) {
    const a = row[`shapetex${n}`], b = row[`torch${n}`];
    if (a && b) row[`ratio${n}`] = { stylize: r3(a.stylize / b.stylize), builder: r3(a.builder / b.builder) };
  }
  rounds.push(row);
  console.error(`stylize round ${i + 1}: ${JSON.stringify(row)}`);
}
await pool?.dispose();
single.dispose();

const best = (key, path) => Math.max(...rounds.map((r) => r[key]?.[path] ?? -Infinity));
const sides = [1, ...(pool ? [WORKERS] : [])].map((n) => {
  const row = { threads: n };
  for (const path of ['stylize', 'builder']) {
    const ours = best(`shapetex${n}`, path), theirs = torch ? best(`torch${n}`, path) : null;
    row[path] = { shapetexImagesPerS: r3(ours), torchImagesPerS: theirs && r3(theirs), ratio: theirs ? r3(ours / theirs) : null, roundRatios: rounds.map((r) => r[`ratio${n}`]?.[path] ?? null) };
  }
  return row;
});
const one = sides[0];
const result = {
  benchmark: 'stylize', date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model.trim(),
  machine: machine(),
  backend: info.name, device: info.device, torch: torch?.torch ?? null, size: SIZE, repeats: REPEATS, rounds: ROUNDS, workers: WORKERS, texturesPerContent: T,
  // the single-thread figures under the names earlier runs used
  stylizeSecondsPerImage: r3(1 / one.stylize.shapetexImagesPerS),
  builderSecondsPerImage: r3(1 / one.builder.shapetexImagesPerS),
  svocHoursAtBuilderRate: Math.round(((4369 * T) / one.builder.shapetexImagesPerS / 3600) * 100) / 100,
  sides,
  perRound: rounds,
  maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
};
for (const s of sides) {
  for (const path of ['stylize', 'builder']) {
    const x = s[path];
    console.log(`${path} @${SIZE}, ${s.threads === 1 ? '1 thread' : `${s.threads} workers / threads`}: shapetex ${x.shapetexImagesPerS} img/s, PyTorch ${x.torchImagesPerS ?? 'n/a'} img/s, ratio ${x.ratio ?? 'n/a'} (rounds ${x.roundRatios.join(', ')})`);
  }
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
