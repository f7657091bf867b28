// The engine benchmark: shapetex's own ONNX graph of a zoo network (emitted from the checkpoint,
// `final` tap reduced on the engine) against the graph torch.onnx.export writes for the same
// network and weights, both on ONNX Runtime with one intra-op thread, in alternating rounds;
// beside them the TF.js wasm path (the fallback) and PyTorch itself on one thread.
//   node bench/engine.mjs [--quick] [--rounds 2] [--seconds 3] [--nets resnet18@32,...] [--no-wasm]
import * as tf from '@tensorflow/tfjs-core';
import * as core from '@shapetex/core';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { bestOfBatches, poolPass, round } from './lib/timing.mjs';
import { findTorch, runTorchJson } from './lib/torch.mjs';
import { writeResult, parseArgs } from './lib/common.mjs';

const args = parseArgs(process.argv.slice(2));
const quick = Boolean(args.quick);
const seconds = Number(args.seconds ?? (quick ? 1 : 3));
const rounds = Number(args.rounds ?? (quick ? 1 : 2));
const NETS = String(args.nets ?? 'resnet18@32,resnet18@224,resnet50@224,resnet50@513,vit_b_16@224,convnext_tiny@224').split(',');
// batch candidates by input size, as the other benches: many small images, few large ones
const BATCHES = (size) => (size <= 64 ? [64] : size <= 224 ? [1, 8] : [1, 2]);
const log = (s) => process.stderr.write(s + '\n');
const work = path.join(tmpdir(), `shapetex-bench-${process.getuid?.() ?? 0}`, 'engine');

if (!findTorch()) {
  log('engine: PyTorch (torch, torchvision) is needed to write the reference graphs; nothing measured');
  writeResult('engine', { skipped: 'no PyTorch' });
  process.exit(0);
}
log(`engine: writing the reference graphs and checkpoints into ${work} (once) …`);
const ref = runTorchJson(new URL('./torch_onnx_export.py', import.meta.url).pathname, ['--out', work, '--nets', NETS.join(',')], { timeoutS: 1800 });
await core.initBackend('wasm', { log: null });

/** images/s of a session on a random NCHW batch, the `final` output read back. */
function sessionPass(session, batch, size, output) {
  const x = { data: Float32Array.from({ length: batch * 3 * size * size }, (_, i) => Math.sin(i)), dims: [batch, 3, size, size] };
  return async () => { await session.run({ image: x }, [output]); };
}

const best = (label, make, size) => bestOfBatches(label, make, BATCHES(size), { seconds, log });

const results = {};
for (const spec of NETS) {
  const [arch, s] = spec.split('@');
  const size = Number(s);
  const { pth, onnx } = ref.nets[spec];
  const model = await core.loadModel(pth, { arch });
  const ours = await core.createOnnxSession(core.emitOnnx(model.network, { taps: ['final'], imageSize: size }).bytes, { threads: 1 }, `${arch} (shapetex graph)`);
  const theirs = await core.createOnnxSession(readFileSync(onnx), { threads: 1 }, `${arch} (torch.onnx.export graph)`);
  const r = { ours: null, torchGraph: null, wasm: null, rounds: [] };
  for (let k = 0; k < rounds; k++) {
    log(`${spec} round ${k + 1}/${rounds}`);
    const a = await best('shapetex graph on ORT', (b) => sessionPass(ours, b, size, ours.outputNames[0]), size);
    const b = await best('torch.onnx.export graph on ORT', (n) => sessionPass(theirs, n, size, 'final'), size);
    r.rounds.push({ ours: a.imagesPerS, torchGraph: b.imagesPerS, ratio: round(a.imagesPerS / b.imagesPerS, 3) });
    if (!r.ours || a.imagesPerS > r.ours.imagesPerS) r.ours = a;
    if (!r.torchGraph || b.imagesPerS > r.torchGraph.imagesPerS) r.torchGraph = b;
  }
  if (!args['no-wasm']) {
    // the fallback path, for scale: one batch size (its slow full-size transformers would take minutes per batch sweep)
    r.wasm = await bestOfBatches('TF.js wasm path', async (batch) => poolPass(model.network, tf.randomNormal([batch, size, size, 3]), ['final']),
      [BATCHES(size)[size <= 64 ? 0 : 1]], { seconds, log });
  }
  await ours.release();
  await theirs.release();
  model.dispose();
  r.ratio = round(r.ours.imagesPerS / r.torchGraph.imagesPerS, 3);
  results[spec] = r;
}
log('engine: PyTorch on one thread …');
const torch = runTorchJson(new URL('./torch_onnx_export.py', import.meta.url).pathname,
  ['--out', work, '--nets', NETS.join(','), '--time', '--seconds', String(seconds), '--batches', quick ? '1' : '1/4'], { timeoutS: 3600 });
for (const spec of NETS) results[spec].torch = { imagesPerS: round(torch.nets[spec].torch.images_per_s, 3), batch: torch.nets[spec].torch.batch };
const file = writeResult('engine', { ort: core.onnxRuntimeVersion?.() ?? null, torch: ref.torch, threads: 1, rounds, seconds, results });
log(`engine: wrote ${file}`);
for (const [spec, r] of Object.entries(results)) {
  log(`${spec}: shapetex ${r.ours.imagesPerS} img/s, torch.onnx.export ${r.torchGraph.imagesPerS} (${r.ratio}×), wasm ${r.wasm?.imagesPerS ?? '-'}, PyTorch ${r.torch.imagesPerS}`);
}
