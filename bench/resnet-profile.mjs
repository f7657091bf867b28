// Per-op profile of the zoo's ResNet-18 forward on the current backend (tf.profile kernel
// timings, summed by op and input shape), plus the time to load one checkpoint. This is how the
// optimisation steps in bench/README.md were chosen; it writes bench/results/resnet-profile.json.
//   node bench/resnet-profile.mjs [--size 224] [--batch 4] [--checkpoint file.pth]
import * as tf from '@tensorflow/tfjs-core';
import * as core from '@shapetex/core';
import { randomResnetStateDict } from './lib/resnet-state.mjs';
import { writeResult, parseArgs } from './lib/common.mjs';
import { now, round } from './lib/timing.mjs';

const args = parseArgs(process.argv.slice(2));
const size = Number(args.size ?? 224), batch = Number(args.batch ?? 4);
const info = await core.initBackend(args.backend ?? 'auto', { log: null });
const sd = randomResnetStateDict('resnet18');
let t0 = now();
const model = core.createModel('resnet18', sd);
const buildSeconds = now() - t0;
const x = tf.randomNormal([batch, size, size, 3]);
const taps = ['stage1', 'stage2', 'stage3', 'stage4', 'final'];
await model.features(x, taps); // warm-up: wasm memory growth, XNNPACK operator set-up
t0 = now();
await model.features(x, taps);
const forwardSeconds = now() - t0;
// Keeping data on the device: pooling on the backend and reading back N×D rows (what
// FeatureModel does), against reading every tap's whole feature map back and pooling on the host.
const network = core.buildNetwork('resnet18', sd);
const hostPool = async () => {
  const maps = tf.tidy(() => network.forward(x, taps));
  const out = {};
  for (const t of taps) {
    const m = maps[t], [n, h, w, c] = m.shape, d = await m.data(), z = new Float32Array(n * c);
    for (let i = 0; i < n; i++) for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) z[i * c + k] += d[(i * h * w + p) * c + k] / (h * w);
    out[t] = z;
  }
  new Set(Object.values(maps)).forEach((m) => m.dispose());
  return out;
};
await hostPool();
t0 = now();
await hostPool();
const hostPoolSeconds = now() - t0;
network.dispose();
const prof = await tf.profile(() => model.features(x, taps));
const byOp = new Map();
let total = 0;
for (const k of prof.kernels) {
  // tfjs reports both the op wrapper (`…__op`) and its kernel; count kernels only
  if (k.name.endsWith('__op')) continue;
  const key = `${k.name} ${JSON.stringify(k.inputShapes[0])}`;
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  byOp.set(key, (byOp.get(key) ?? 0) + ms);
  total += ms;
}
const rows = [...byOp].sort((a, b) => b[1] - a[1]).map(([op, ms]) => ({ op, ms: round(ms, 1), share: round(ms / total, 3) }));
const byKernel = {};
for (const r of rows) { const n = r.op.split(' ')[0]; byKernel[n] = round((byKernel[n] ?? 0) + r.share, 3); }

const report = { backend: info, size, batch, taps, buildSeconds: round(buildSeconds, 3), forwardSeconds: round(forwardSeconds, 3), hostPoolSeconds: round(hostPoolSeconds, 3), imagesPerS: round(batch / forwardSeconds), kernelMsTotal: round(total, 1), byKernel, ops: rows.slice(0, 25) };
if (args.checkpoint) {
  t0 = now();
  const sdFile = await core.readStateDict(args.checkpoint);
  const readSeconds = now() - t0;
  t0 = now();
  const m = core.createModel(undefined, sdFile);
  report.checkpoint = { file: args.checkpoint, readSeconds: round(readSeconds, 3), buildSeconds: round(now() - t0, 3) };
  m.dispose();
}
x.dispose();
model.dispose();
console.log(`${info.name} resnet18 @${size} batch ${batch}: ${report.imagesPerS} img/s (pooled on device); ${round(batch / hostPoolSeconds)} img/s reading maps back; kernels ${report.kernelMsTotal} ms`);
for (const [k, s] of Object.entries(byKernel)) console.log(`  ${k.padEnd(14)} ${(100 * s).toFixed(1)}%`);
if (report.checkpoint) console.log(`  checkpoint read ${report.checkpoint.readSeconds} s, build ${report.checkpoint.buildSeconds} s`);
console.log(`wrote ${writeResult('resnet-profile', report)}`);
