// Memory over a long checkpoint folder (issue 7, item 8): scoreCheckpoints over 200 checkpoint
// loads (the committed resnet18k and torchvision-topology fixtures, cycled), every tap, both
// estimators, a synthetic 4 × 4 probe set at 32 px. Samples resident memory (RSS), the JS heap
// and the backend's tensor count after each checkpoint; growth is measured from the end of a
// warm-up (first 20 checkpoints: wasm heap, JIT and allocator pools settle) to the end, each
// side the median of several samples. Samples are taken every 5th checkpoint right after a full
// garbage collection (the script re-runs itself with --expose-gc), so they measure what is
// retained, not how far V8 has let collectable garbage pile up; the largest RSS seen between
// collections is reported too.
// --malloc retain: glibc's allocator keeps freed memory mapped for the next session
// (lib/malloc.mjs; the setting docs/cli.md suggests for many small checkpoints), what that costs.
//   node bench/memory.mjs [--quick] [--n 200] [--backend onnx|wasm] [--malloc default|retain]
//   (default onnx, the default engine; without --malloc the environment's allocator settings)
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@shapetex/core';
import { synthesizeProbeSet } from '@shapetex/svoc';
import { discoverCheckpoints, scoreCheckpoints } from '@shapetex/bias';
import { parseArgs, writeResult } from './lib/common.mjs';
import { mallocEnv } from './lib/malloc.mjs';

const args = parseArgs(process.argv.slice(2));
// glibc reads its tunables at start: a --malloc setting, like --expose-gc, takes a process of its own
const env = args.malloc ? mallocEnv(String(args.malloc)) : process.env;
if (typeof globalThis.gc !== 'function' || (env.GLIBC_TUNABLES ?? null) !== (process.env.GLIBC_TUNABLES ?? null)) {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}
const N = Number(args.n ?? (args.quick ? 60 : 200));
const WARMUP = 20;
const EVERY = 5;
const backend = await initBackend(args.backend ?? 'onnx', { log: null });
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = path.join(root, 'test/fixtures/checkpoints');

const dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-memory-'));
await synthesizeProbeSet({ out: path.join(dir, 'probe'), factors: ['shape', 'texture'], perFactor: 4, size: 32, seed: 0 });
// the two ResNet folders the header names (vit_tiny's fixtures need --heads: a test of that option)
const found = (await Promise.all(['resnet18', 'resnet18k'].map(async (d) => (await discoverCheckpoints(path.join(fixtures, d))).checkpoints.map((c) => ({ ...c, checkpoint: `${d}/${c.checkpoint}` }))))).flat();
// Distinct names so nothing could be cached by name; the same files are read again each time.
const entries = Array.from({ length: N }, (_, i) => ({ ...found[i % found.length], checkpoint: `load${i}/${found[i % found.length].checkpoint}`, epoch: i }));

const mib = (b) => b / 2 ** 20;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = [];
const t0 = performance.now();
let failures = 0;
let maxRss = 0;
for await (const r of scoreCheckpoints({
  checkpoints: entries, probe: path.join(dir, 'probe'), imageSize: 32, taps: 'all', methods: ['per-neuron', 'pooled'], batch: 16,
})) {
  if (r.error) failures++;
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
  if (r.index % EVERY !== EVERY - 1) continue;
  globalThis.gc();
  const m = process.memoryUsage();
  samples.push({ i: r.index, rss: m.rss, heapUsed: m.heapUsed, external: m.external, tensors: tf.memory().numTensors, tfBytes: tf.memory().numBytes });
}
const seconds = (performance.now() - t0) / 1000;
await rm(dir, { recursive: true, force: true });

// samples at checkpoints 5, 10, …: the warm-up side is checkpoints 11..20, the end the last 10
const warm = samples.filter((s) => s.i >= WARMUP - 10 && s.i < WARMUP);
const end = samples.filter((s) => s.i >= N - 10);
const rssWarm = median(warm.map((s) => s.rss));
const rssEnd = median(end.map((s) => s.rss));
const growthPercent = (100 * (rssEnd - rssWarm)) / rssWarm;
const report = {
  backend: backend.name, device: backend.device, checkpoints: N, failures, seconds, glibcTunables: process.env.GLIBC_TUNABLES ?? null,
  rssAfterWarmupMiB: mib(rssWarm), rssEndMiB: mib(rssEnd), growthPercent,
  heapAfterWarmupMiB: mib(median(warm.map((s) => s.heapUsed))), heapEndMiB: mib(median(end.map((s) => s.heapUsed))),
  tensorsAfterWarmup: warm[warm.length - 1].tensors, tensorsEnd: end[end.length - 1].tensors,
  maxRssMiB: mib(maxRss),
  target: 'RSS growth < 5% after warm-up over 200 checkpoint loads',
  samples: samples.filter((_, i) => i % 4 === 0 || i === samples.length - 1).map((s) => ({ i: s.i, rssMiB: +mib(s.rss).toFixed(1), heapMiB: +mib(s.heapUsed).toFixed(1), tensors: s.tensors })),
};
const file = writeResult(args.malloc && args.malloc !== 'default' ? `memory-malloc-${args.malloc}` : 'memory', report);
console.log(`memory: ${N} checkpoint loads on ${backend.name} in ${seconds.toFixed(1)} s (${failures} failed); RSS ${mib(rssWarm).toFixed(1)} MiB after ${WARMUP} → ${mib(rssEnd).toFixed(1)} MiB at the end: ${growthPercent >= 0 ? '+' : ''}${growthPercent.toFixed(2)}%; live tensors ${report.tensorsAfterWarmup} → ${report.tensorsEnd}; wrote ${file}`);
if (failures > 0 || growthPercent >= 5) process.exitCode = 1;
