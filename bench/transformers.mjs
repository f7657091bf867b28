// ViT-B/16 and ConvNeXt-T tap-extraction benchmark: images/s of the `final` tap (the class token
// after the final LayerNorm; the classifier LayerNorm of the pooled stage 4), read back to the
// host, at 224 px, best over a few batch sizes, on the current backend, beside the same networks
// in PyTorch at the same thread count, in alternating rounds (as bench/resnet.mjs: a shared
// machine's load comes and goes, and interleaving gives both sides the same chances).
//   node bench/transformers.mjs [--quick] [--rounds 2] [--seconds 3] [--batches 1,4] [--backend wasm]
import * as tf from '@tensorflow/tfjs-core';
import * as core from '@shapetex/core';
import { randomConvnextStateDict, randomVitStateDict } from './lib/transformer-state.mjs';
import { throughput, poolPass, round } from './lib/timing.mjs';
import { findTorch, runTorchJson } from './lib/torch.mjs';
import { writeResult, parseArgs } from './lib/common.mjs';

const args = parseArgs(process.argv.slice(2));
const quick = Boolean(args.quick);
const seconds = Number(args.seconds ?? (quick ? 1 : 3));
const rounds = Number(args.rounds ?? (quick ? 1 : 2));
const batches = String(args.batches ?? (quick ? '2' : '1,4')).split(',').map(Number);
const SIZE = 224;
const TAPS = ['final'];
const log = (s) => process.stderr.write(s + '\n');

const info = await core.initBackend(args.backend ?? 'auto', { log: null });
const ARCHS = [
  { arch: 'vit_b_16', stateDict: () => randomVitStateDict({ seed: 0 }) },
  { arch: 'convnext_tiny', stateDict: () => randomConvnextStateDict({ seed: 0 }) },
];

async function sweep(net, arch) {
  const tried = [];
  for (const batch of batches) {
    const x = tf.randomNormal([batch, SIZE, SIZE, 3]);
    const r = await throughput(poolPass(net, x, TAPS), batch, { seconds });
    x.dispose();
    tried.push({ batch, imagesPerS: round(r.imagesPerS, 3), images: r.images, seconds: round(r.seconds) });
    log(`${info.name} ${arch} ${SIZE}px batch ${batch}: ${r.imagesPerS.toFixed(3)} img/s`);
  }
  return tried;
}

const torch = findTorch();
const ours = Object.fromEntries(ARCHS.map((a) => [a.arch, []]));
const theirs = Object.fromEntries(ARCHS.map((a) => [a.arch, []]));
const models = ARCHS.map((a) => ({ ...a, model: core.createModel(a.arch, a.stateDict()) }));
try {
  for (let r = 1; r <= rounds; r++) {
    log(`round ${r} of ${rounds}`);
    for (const m of models) ours[m.arch].push(...(await sweep(m.model.network, m.arch)).map((t) => ({ round: r, ...t })));
    if (torch) {
      const out = runTorchJson(new URL('./torch_transformers.py', import.meta.url).pathname,
        ['--archs', ARCHS.map((a) => a.arch).join(','), '--batches', batches.join('/'), '--threads', '1', '--seconds', String(seconds), '--size', String(SIZE)]);
      for (const a of ARCHS) {
        theirs[a.arch].push(...out.archs[a.arch].tried.map((t) => ({ round: r, ...t })));
        log(`torch 1 thread ${a.arch} ${SIZE}px best batch ${out.archs[a.arch].best.batch}: ${out.archs[a.arch].best.images_per_s.toFixed(3)} img/s`);
      }
    }
  }
} finally {
  for (const m of models) m.model.dispose();
}

const best = (rows, key) => rows.reduce((a, b) => (b[key] > a[key] ? b : a));
const report = {
  backend: info, size: SIZE, taps: TAPS, quick, rounds, seconds, batches, threads: 1,
  model: 'zoo createModel on random-weight torchvision-layout state_dicts (bench/lib/transformer-state.mjs)',
  results: Object.fromEntries(ARCHS.map((a) => [a.arch, { tried: ours[a.arch], best: best(ours[a.arch], 'imagesPerS') }])),
};
if (torch) {
  report.torch = { python: torch.python, version: torch.torch, threads: 1, results: Object.fromEntries(ARCHS.map((a) => [a.arch, { tried: theirs[a.arch], best: best(theirs[a.arch], 'images_per_s') }])) };
  report.ratios = ARCHS.map((a) => {
    const o = report.results[a.arch].best.imagesPerS;
    const t = report.torch.results[a.arch].best.images_per_s;
    return { arch: a.arch, size: SIZE, ours: o, torch: round(t, 3), ratio: round(o / t, 3) };
  });
} else {
  report.torch = null;
  report.torchNote = 'PyTorch not found (/usr/bin/python3 or python3 with torch and torchvision): no comparison';
}
const file = writeResult('transformers', report);
log(`wrote ${file}`);
