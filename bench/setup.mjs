// What a checkpoint's ONNX Runtime session costs against its scoring (issue: setting up a
// checkpoint's session ≤ 10% of its scoring time on the demo's probe set). The demo's probe set
// (6 shapes × 6 textures × 6 colours at 32 px: 216 images) and K checkpoints (random weights,
// one safetensors file each) of two ResNet-18s: `resnet18k`, the CIFAR pre-activation ResNet-18
// of the double-descent study the project starts from (3x3 stem, full-resolution first stage),
// and torchvision's `resnet18`, whose ImageNet stem shrinks a 32 px image to 1x1 by the last
// stage: all the weights, almost no work, the worst case for this share. Scored by
// scoreCheckpoints on the onnx backend; per checkpoint: the session set-up (the graph's nodes
// encoded, the session opened with this checkpoint's weights beside them as external data)
// against the checkpoint's whole time.
// Each (round, allocator setting, network) is a child process of its own, because glibc reads
// its allocator tunables only at start (lib/malloc.mjs): `default` is glibc as it comes,
// `retain` keeps freed memory mapped for the next session. Rounds alternate the settings' order.
//   node bench/setup.mjs [--quick] [--checkpoints 10] [--rounds 2] [--arch resnet18k,resnet18]
//                        [--malloc default,retain] [--size 32]
// (--size 224: the same 216 images at 224 px, where a checkpoint's scoring takes seconds)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@shapetex/core';
import { synthesizeProbeSet } from '@shapetex/svoc';
import { scoreCheckpoints } from '@shapetex/bias';
import { randomPreActStateDict, randomResnetStateDict } from './lib/resnet-state.mjs';
import { writeSafetensors } from './lib/safetensors.mjs';
import { parseArgs, writeResult } from './lib/common.mjs';
import { MALLOC, mallocEnv } from './lib/malloc.mjs';
import { median, round } from './lib/timing.mjs';

const args = parseArgs(process.argv.slice(2));
const K = Number(args.checkpoints ?? (args.quick ? 4 : 10));
const size = Number(args.size ?? 32);
const log = (s) => process.stderr.write(`setup: ${s}\n`);
const work = path.join(tmpdir(), `shapetex-bench-${process.getuid?.() ?? 'u'}`, 'setup');
const probe = path.join(work, size === 32 ? 'probe-demo' : `probe-demo-${size}`);
const checkpointFile = (arch, i) => path.join(work, `${arch}_epoch${String(i + 1).padStart(3, '0')}.safetensors`);
const shareOf = (rs) => rs.reduce((a, r) => a + r.setupSeconds, 0) / rs.reduce((a, r) => a + r.seconds, 0);

if (args.child) process.stdout.write(JSON.stringify(await measure(String(args.arch))) + '\n');
else await main();

/** One network's K checkpoints scored in this process: the rows and the shares. */
async function measure(arch) {
  await core.initBackend('onnx', { log: null, threads: 1 });
  const files = Array.from({ length: K }, (_, i) => checkpointFile(arch, i));
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
    rows.push({ checkpoint: r.checkpoint, seconds: round(r.seconds, 3), setupSeconds: round(t.setupMs / 1000, 4), runSeconds: round(t.runMs / 1000, 3), sessions: t.sessions, cachedGraph: t.cachedGraphs === 1 });
  }
  // the first checkpoint builds the node list (the cache is empty); from the second on a
  // checkpoint only brings its weights (the steady share starts at the third, as it always has:
  // the second still pays for code paths run once)
  return {
    glibcTunables: process.env.GLIBC_TUNABLES ?? null,
    rows,
    setupShareAfterFirst: round(shareOf(rows.slice(1)), 4),
    setupShareSteady: round(shareOf(rows.slice(2)), 4),
    firstSetupSeconds: rows[0].setupSeconds,
    cachedGraphs: timings.slice(1).every((t) => t.cachedGraphs === 1),
  };
}

async function main() {
  const archs = String(args.arch ?? 'resnet18k,resnet18').split(',');
  const variants = String(args.malloc ?? 'default,retain').split(',');
  for (const v of variants) mallocEnv(v); // an unknown name stops here, before any work
  const rounds = Number(args.rounds ?? (args.quick ? 1 : 2));
  if (K < 3) throw new Error(`--checkpoints ${K}: at least 3 are needed (the steady share starts at the third)`);
  mkdirSync(work, { recursive: true });
  if (!existsSync(path.join(probe, 'manifest.json'))) {
    await synthesizeProbeSet({ out: probe, factors: ['shape', 'texture', 'color'], perFactor: 6, size, seed: 0 });
  }
  for (const arch of archs) {
    for (let i = 0; i < K; i++) {
      const f = checkpointFile(arch, i);
      if (!existsSync(f)) writeSafetensors(f, arch === 'resnet18k' ? randomPreActStateDict({ seed: i + 1 }) : randomResnetStateDict(arch, { seed: i + 1 }));
    }
  }
  const info = await core.initBackend('onnx', { log: null, threads: 1 });
  const report = { backend: { name: info.name, engine: info.engine, version: info.engineVersion, threads: info.threads }, imageSize: size, images: 216, checkpoints: K, rounds, malloc: Object.fromEntries(variants.map((v) => [v, MALLOC[v]])), archs: {} };
  const self = fileURLToPath(import.meta.url);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      for (const arch of archs) {
        const child = spawnSync(process.execPath, [self, '--child', '--arch', arch, '--checkpoints', String(K), '--size', String(size)], { env: mallocEnv(v), stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 24 });
        if (child.status !== 0) throw new Error(`setup: the ${v} child for ${arch} exited ${child.status ?? child.signal}`);
        const entry = JSON.parse(child.stdout.trim().split('\n').at(-1));
        if (!Array.isArray(entry.rows) || entry.rows.length !== K || typeof entry.setupShareSteady !== 'number') throw new Error(`setup: the ${v} child for ${arch} printed no measurement: ${child.stdout.slice(0, 200)}`);
        if (entry.glibcTunables !== MALLOC[v]) throw new Error(`setup: the ${v} child ran with GLIBC_TUNABLES=${entry.glibcTunables}`);
        ((report.archs[arch] ??= {})[v] ??= { rounds: [] }).rounds.push(entry);
        const steady = entry.rows.slice(2);
        log(`round ${r + 1}, ${v}, ${arch}: set-up ${Math.min(...steady.map((x) => x.setupSeconds))}–${Math.max(...steady.map((x) => x.setupSeconds))} s of ${Math.min(...steady.map((x) => x.seconds))}–${Math.max(...steady.map((x) => x.seconds))} s per checkpoint: ${(100 * entry.setupShareSteady).toFixed(1)}% from the third on (first checkpoint: ${entry.firstSetupSeconds} s of ${entry.rows[0].seconds} s)`);
      }
    }
  }
  for (const [arch, byVariant] of Object.entries(report.archs)) {
    for (const [v, e] of Object.entries(byVariant)) {
      e.setupShareSteady = round(median(e.rounds.map((x) => x.setupShareSteady)), 4);
      e.setupShareAfterFirst = round(median(e.rounds.map((x) => x.setupShareAfterFirst)), 4);
      e.cachedGraphs = e.rounds.every((x) => x.cachedGraphs);
      log(`${arch}, malloc ${v}: session set-up is ${(100 * e.setupShareSteady).toFixed(1)}% of a checkpoint's time from the third checkpoint on, ${(100 * e.setupShareAfterFirst).toFixed(1)}% after the first (median of ${e.rounds.length} round${e.rounds.length === 1 ? '' : 's'})`);
    }
  }
  log(`wrote ${writeResult(size === 32 ? 'setup' : `setup-${size}`, report)}`);
}
