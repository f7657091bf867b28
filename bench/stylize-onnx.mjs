// AdaIN on ONNX Runtime: shapetex's stylizer (engine onnx: a content and a style of one size go
// through its fused stylization graph, emitted from the same layer lists the TF.js path runs) against ONNX Runtime running
// the graph torch.onnx.export writes for pytorch-AdaIN's stylization, same sizes (full width,
// random weights), one thread, content and style at --size, in rounds whose order alternates;
// seconds per stylized image, best of --repeats per round; the figure is the median of the
// rounds' paired ratios.
//   node bench/stylize-onnx.mjs [--size 512] [--rounds 3] [--repeats 2]
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as core from '@shapetex/core';
import { createStylizer } from '@shapetex/svoc';
import { adainStateDicts } from './lib/adain-bench.mjs';
import { findTorch, runTorchJson } from './lib/torch.mjs';
import { now, round } from './lib/timing.mjs';
import { parseArgs, writeResult } from './lib/common.mjs';

const args = parseArgs(process.argv.slice(2));
const size = Number(args.size ?? 512);
const rounds = Number(args.rounds ?? (args.quick ? 1 : 3));
const repeats = Number(args.repeats ?? 2);
const log = (s) => process.stderr.write(`stylize-onnx: ${s}\n`);
if (!findTorch()) {
  log('PyTorch is needed to export the reference graph; nothing measured');
  writeResult('stylize-onnx', { skipped: 'no PyTorch' });
  process.exit(0);
}
const work = path.join(tmpdir(), `shapetex-bench-${process.getuid?.() ?? 0}`, 'adain');
const ref = runTorchJson(new URL('./torch_adain_onnx.py', import.meta.url).pathname, ['--size', String(size), '--out', work], { timeoutS: 1800 });
await core.initBackend('onnx', { log: null, threads: 1 });
const ours = await createStylizer({ ...adainStateDicts(0), engine: 'onnx', threads: 1 });
const theirs = await core.createOnnxSession(readFileSync(ref.onnx), { threads: 1 }, 'torch.onnx.export AdaIN');
const content = tf.randomUniform([size, size, 3], 0, 1, 'float32', 1);
const style = tf.randomUniform([size, size, 3], 0, 1, 'float32', 2);
const nchw = (t) => ({ data: core.nhwcToNchw(t.dataSync(), 1, size, size, 3), dims: [1, 3, size, size] });
const feeds = { content: nchw(content), style: nchw(style) };

const bestOf = async (body) => {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) { const t0 = now(); await body(); best = Math.min(best, now() - t0); }
  return best;
};
const oursOnce = async () => { const out = await ours.stylize(content, style); await out.data(); out.dispose(); };
const theirsOnce = async () => { await theirs.run(feeds, ['image']); };
await oursOnce();
await theirsOnce();
const perRound = [];
for (let r = 0; r < rounds; r++) {
  // the order alternates, so a drift of the machine's speed within a round favours neither
  let a, b;
  if (r % 2 === 0) { a = await bestOf(oursOnce); b = await bestOf(theirsOnce); } else { b = await bestOf(theirsOnce); a = await bestOf(oursOnce); }
  perRound.push({ shapetexSeconds: round(a, 3), torchGraphSeconds: round(b, 3), ratio: round(b / a, 3) });
  log(`round ${r + 1}: shapetex ${a.toFixed(2)} s, torch.onnx.export graph ${b.toFixed(2)} s (${(b / a).toFixed(2)}×)`);
}
const best = (k) => Math.min(...perRound.map((p) => p[k]));
const report = { size, threads: 1, repeats, rounds: perRound, shapetexSeconds: best('shapetexSeconds'), torchGraphSeconds: best('torchGraphSeconds') };
report.bestRatio = round(report.torchGraphSeconds / report.shapetexSeconds, 3);
// the paired figure: each round's two timings were taken side by side
report.ratio = round(median(perRound.map((p) => p.ratio)), 3);
log(`median of the rounds' ratios ${report.ratio}× (≥ 1 means shapetex is as fast or faster); best times: shapetex ${report.shapetexSeconds} s, torch graph ${report.torchGraphSeconds} s per image (${report.bestRatio}×); wrote ${writeResult('stylize-onnx', report)}`);
ours.dispose();
await theirs.release();
