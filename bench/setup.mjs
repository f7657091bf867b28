// What a checkpoint's ONNX Runtime session costs against its scoring (issue: setting up a
// checkpoint's session ≤ 10% of its scoring time on the demo's probe set). The demo's probe set
// (6 shapes × 6 textures × 6 colours at 32 px: 216 images) and K checkpoints (random weights,
// one safetensors file each) of two ResNet-18s: `resnet18k`, the CIFAR pre-activation ResNet-18
// of the double-descent study the project starts from (3x3 stem, full-resolution first stage),
// and torchvision's `resnet18`, whose ImageNet stem shrinks a 32 px image to 1x1 by the last
// stage: all the weights, almost no work, the worst case for this share. Scored by
// scoreCheckpoints on the onnx backend; per checkpoint: the session set-up (the graph's template
// with this checkpoint's weights written in, session opened) against the checkpoint's whole time.
//   node bench/setup.mjs [--quick] [--checkpoints 10] [--arch resnet18k,resnet18] [--size 32]
// (--size 224: the same 216 images at 224 px, where a checkpoint's scoring takes seconds)
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as core from '@shapetex/core';
import { synthesizeProbeSet } from '@shapetex/svoc';
import { scoreCheckpoints } from '@shapetex/bias';
import { randomPreActStateDict, randomResnetStateDict } from './lib/resnet-state.mjs';
import { writeSafetensors } from './lib/safetensors.mjs';
import { parseArgs, writeResult } from './lib/common.mjs';
import { round } from './lib/timing.mjs';

const args = parseArgs(process.argv.slice(2));
const K = Number(args.checkpoints ?? (args.quick ? 4 : 10));
const archs = String(args.arch ?? 'resnet18k,resnet18').split(',');
const size = Number(args.size ?? 32);
const log = (s) => process.stderr.write(`setup: ${s}\n`);
const work = path.join(tmpdir(), `shapetex-bench-${process.getuid?.() ?? 'u'}`, 'setup');
mkdirSync(work, { recursive: true });

const info = await core.initBackend('onnx', { log: null, threads: 1 });
const probe = path.join(work, size === 32 ? 'probe-demo' : `probe-demo-${size}`);
if (!existsSync(path.join(probe, 'manifest.json'))) {
  await synthesizeProbeSet({ out: probe, factors: ['shape', 'texture', 'color'], perFactor: 6, size, seed: 0 });
}
const report = { backend: { name: info.name, engine: info.engine, version: info.engineVersion, threads: info.threads }, imageSize: size, images: 216, checkpoints: K, archs: {} };
for (const arch of archs) {
  const files = Array.from({ length: K }, (_, i) => {
    const f = path.join(work, `${arch}_epoch${String(i + 1).padStart(3, '0')}.safetensors`);
    if (!existsSync(f)) writeSafetensors(f, arch === 'resnet18k' ? randomPreActStateDict({ seed: i + 1 }) : randomResnetStateDict(arch, { seed: i + 1 }));
    return f;
  });

  // only each model's timings are kept: holding the models would keep every checkpoint's weights alive
  const timings = [];
  const loadModel = async (file, opts) => {
    const m = await core.loadModel(file, opts);
    timings.push(m.timings);
    return m;
  };
  const rows = [];
  for await (const r of scoreCheckpoints({
    checkpoints: files.map((p, i) => ({ checkpoint: path.basename(p), path: p, epoch: i + 1, epochSource: 'name' })),
    probe, arch, taps: ['final'], imageSize: size, loadModel,
  })) {
    if (r.error) throw new Error(`${r.checkpoint}: ${r.error.message}`);
    const t = timings[timings.length - 1];
    rows.push({ checkpoint: r.checkpoint, seconds: round(r.seconds, 3), setupSeconds: round(t.setupMs / 1000, 4), runSeconds: round(t.runMs / 1000, 3), sessions: t.sessions, templated: t.templated });
    log(`${r.checkpoint}: ${r.seconds.toFixed(3)} s, session set-up ${(t.setupMs / 1000).toFixed(3)} s (${((100 * t.setupMs) / 1000 / r.seconds).toFixed(1)}%)`);
  }
  // the first checkpoint builds the node list (the cache is empty), the second the graph's
  // template; from the third on a checkpoint only brings its weights
  const shareOf = (rs) => rs.reduce((a, r) => a + r.setupSeconds, 0) / rs.reduce((a, r) => a + r.seconds, 0);
  const entry = { rows, setupShareAfterFirst: round(shareOf(rows.slice(1)), 4), setupShareSteady: round(shareOf(rows.slice(2)), 4), firstSetupSeconds: rows[0].setupSeconds, templated: timings.slice(1).every((t) => t.templated === 1) };
  report.archs[arch] = entry;
  log(`${arch}: session set-up is ${(100 * entry.setupShareSteady).toFixed(1)}% of a checkpoint's time from the third checkpoint on, ${(100 * entry.setupShareAfterFirst).toFixed(1)}% after the first (first: ${rows[0].setupSeconds} s of ${rows[0].seconds} s)`);
}
log(`wrote ${writeResult(size === 32 ? 'setup' : `setup-${size}`, report)}`);
