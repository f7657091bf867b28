// End-to-end benchmark: per-checkpoint time of `bias-score` on a synthetic probe set at 224
// against a straightforward PyTorch pipeline (bench/torch_pipeline.py: decode every image and
// forward both images of every pair, for every checkpoint), same checkpoints, same pairs, same
// machine, same run. Also the library with a worker pool (createFeaturePool) as the loader.
// The CLI runs once per engine variant (`--variants`): the TF.js wasm path, ONNX Runtime with one
// thread, with N intra-op threads in one session, and with N single-thread sessions in worker
// threads, so the engine's gain and the faster way to use N cores are measured in one run.
//   node bench/e2e.mjs [--quick] [--per-factor 12] [--checkpoints 2] [--torch-threads 1,2] [--workers 2]
//                      [--variants wasm,onnx,onnx-threads,onnx-workers]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@shapetex/core';
import { synthesizeProbeSet, readProbeSet } from '@shapetex/svoc';
import { samplePairs, scoreCheckpoints } from '@shapetex/bias';
import { findTorch, runTorchJson } from './lib/torch.mjs';
import { writeResult, parseArgs } from './lib/common.mjs';
import { randomResnetStateDict } from './lib/resnet-state.mjs';
import { writeSafetensors } from './lib/safetensors.mjs';
import { now, round } from './lib/timing.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = parseArgs(process.argv.slice(2));
const quick = Boolean(args.quick);
const perFactor = Number(args['per-factor'] ?? (quick ? 5 : 12));
const K = Number(args.checkpoints ?? 2);
const torchCkpts = Number(args['torch-checkpoints'] ?? (quick ? K : 1));
const workers = Number(args.workers ?? cpus().length);
// PyTorch at 1 thread (bias-score's wasm is single-threaded) and at the pool's thread count
const torchThreads = String(args['torch-threads'] ?? (quick || workers < 2 ? '1' : `1,${workers}`)).split(',').map(Number);
const imageSize = 224;
const FACTORS = ['shape', 'texture', 'color'];
const log = (s) => process.stderr.write(`e2e: ${s}\n`);

const work = path.join(tmpdir(), `shapetex-bench-${process.getuid?.() ?? 'u'}`);
mkdirSync(work, { recursive: true });

// 1. probe set (cached between runs: it is a pure function of its options)
const probeDir = path.join(work, `probe-${FACTORS.join('-')}-${perFactor}-${imageSize}`);
if (!existsSync(path.join(probeDir, 'manifest.json'))) {
  log(`synthesizing ${perFactor ** FACTORS.length} probe images in ${probeDir}`);
  await synthesizeProbeSet({ out: probeDir, factors: FACTORS, perFactor, size: imageSize, seed: 0 });
}
const probe = await readProbeSet(probeDir);

// 2. checkpoints: torchvision resnet18 .pth written by PyTorch, or safetensors from JS without it
const torch = findTorch();
const ckDir = path.join(work, `ckpts-resnet18-${torch ? 'pth' : 'safetensors'}-${K}`);
mkdirSync(ckDir, { recursive: true });
if (torch) {
  runTorchJson(path.join(ROOT, 'bench/torch_checkpoints.py'), ['--out', ckDir, '--count', String(K)]);
} else {
  for (let e = 1; e <= K; e++) {
    const f = path.join(ckDir, `resnet18_epoch${String(e).padStart(4, '0')}.safetensors`);
    if (!existsSync(f)) writeSafetensors(f, randomResnetStateDict('resnet18', { seed: e }));
  }
}
const ckpts = Array.from({ length: K }, (_, i) => path.join(ckDir, `resnet18_epoch${String(i + 1).padStart(4, '0')}.${torch ? 'pth' : 'safetensors'}`));

// 3. the pairs bias-score draws (seed 0, every record anchors one pair per factor)
const pairs = samplePairs(probe, { seed: 0 });
const report = {
  images: probe.records.length, factors: probe.factors, imageSize, checkpoints: K, pairs: pairs.a.length,
  referenceForwardsPerCheckpoint: 2 * pairs.a.length, shapetexForwardsPerCheckpoint: probe.records.length,
};
log(`${report.images} images, ${report.pairs} pairs (${pairs.counts.join(' + ')}), ${K} checkpoints`);

/** Runs the bias-score CLI over the checkpoints, timing its progress lines as they arrive. */
function runCli(out, extra = []) {
  return new Promise((resolve, reject) => {
    const cli = path.join(ROOT, 'packages/bias/dist/cli.js');
    const t0 = now();
    const marks = [];
    const child = spawn(process.execPath, [cli, ckDir, '--probe', probeDir, '--out', out, '--arch', 'resnet18', '--taps', 'final', '--image-size', String(imageSize), '--json', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', buf = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => {
      stderr += d;
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) { marks.push({ t: now() - t0, line: buf.slice(0, i) }); buf = buf.slice(i + 1); }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const total = now() - t0;
      if (code !== 0) return reject(new Error(`bias-score exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      const decoded = marks.find((m) => /decoding probe images (\d+)\/\1\b/.test(m.line))?.t ?? null;
      const done = marks.filter((m) => /^checkpoint \d+\/\d+/.test(m.line)).map((m) => m.t);
      const perCkpt = done.map((t, i) => t - (i === 0 ? decoded ?? 0 : done[i - 1]));
      resolve({ totalSeconds: total, decodeDoneAtSeconds: decoded, checkpointSeconds: perCkpt, stdout });
    });
  });
}

const cliPath = path.join(ROOT, 'packages/bias/dist/cli.js');
const VARIANTS = {
  wasm: ['--backend', 'wasm'],
  onnx: ['--backend', 'onnx', '--threads', '1'],
  'onnx-threads': ['--backend', 'onnx', '--threads', String(workers)],
  'onnx-workers': ['--backend', 'onnx', '--threads', '1', '--workers', String(workers)],
};
const variants = String(args.variants ?? (quick ? 'wasm,onnx' : Object.keys(VARIANTS).join(','))).split(',');
if (!existsSync(cliPath)) {
  report.shapetex = null;
  report.skipped = 'packages/bias/dist/cli.js not built';
} else {
  report.cli = {};
  for (const v of variants) {
    if (!VARIANTS[v]) throw new Error(`unknown variant ${v}; expected some of ${Object.keys(VARIANTS).join(', ')}`);
    const out = path.join(work, `out-cli-${v}`);
    rmSync(out, { recursive: true, force: true });
    log(`bias-score CLI (${v}: ${VARIANTS[v].join(' ')}) …`);
    const r = await runCli(out, VARIANTS[v]);
    const rows = readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    report.cli[v] = {
      how: `node packages/bias/dist/cli.js ${VARIANTS[v].join(' ')} (one process, decode once, one forward per image per checkpoint)`,
      backend: run.backend,
      totalSeconds: round(r.totalSeconds),
      perCheckpointSeconds: round(r.totalSeconds / K, 3),
      startupAndDecodeSeconds: r.decodeDoneAtSeconds === null ? null : round(r.decodeDoneAtSeconds),
      checkpointSeconds: r.checkpointSeconds.map((x) => round(x, 3)),
      fractions: rows.map((x) => ({ checkpoint: x.checkpoint, fractions: x.fractions })),
    };
    log(`bias-score ${v}: ${r.totalSeconds.toFixed(1)} s for ${K} checkpoints`);
  }
  // per checkpoint after decoding: what the engine changes
  const perCk = (v) => { const c = report.cli[v]?.checkpointSeconds; return c?.length ? c.reduce((a, b) => a + b, 0) / c.length : null; };
  report.shapetex = report.cli.onnx ?? report.cli[variants[0]];
  if (perCk('wasm') && perCk('onnx')) report.onnxVsWasm = round(perCk('wasm') / perCk('onnx'), 3);
  if (perCk('onnx-threads') && perCk('onnx-workers')) report.workersVsThreads = round(perCk('onnx-threads') / perCk('onnx-workers'), 3);
}

// 4. the library with a worker pool as the model loader: same scoring, batches split over threads
const createFeaturePool = core.createFeaturePool ?? (await import('../packages/core/dist/pool/index.js').catch(() => ({}))).createFeaturePool;
if (typeof createFeaturePool === 'function' && workers > 1) {
  await core.initBackend('auto', { log: null });
  let pool;
  const loadModel = async (file, opts) => {
    if (!pool) pool = await createFeaturePool({ workers, modelPath: file, ...opts });
    else await pool.load({ modelPath: file, ...opts });
    return { arch: pool.arch, taps: pool.taps, features: (x, taps) => pool.features(x, taps), dispose() {} };
  };
  const t0 = now();
  let decodedAt = null;
  const seconds = [];
  const fr = [];
  try {
    for await (const res of scoreCheckpoints({
      checkpoints: ckpts.map((p, i) => ({ checkpoint: path.basename(p), path: p, epoch: i + 1, epochSource: 'name' })),
      probe, arch: 'resnet18', taps: ['final'], imageSize, loadModel,
      onProgress: (e) => { if (e.kind === 'decode' && e.done === e.total) decodedAt = now() - t0; },
    })) {
      if (res.error) throw new Error(`${res.checkpoint}: ${res.error.message}`);
      seconds.push(res.seconds);
      fr.push({ checkpoint: res.checkpoint, fractions: res.records[0].fractions });
    }
  } finally {
    await pool?.dispose();
  }
  const total = now() - t0;
  report.pool = {
    how: `scoreCheckpoints with a ${workers}-worker createFeaturePool as loadModel (in process)`,
    workers, totalSeconds: round(total), perCheckpointSeconds: round(total / K, 3),
    decodeSeconds: decodedAt === null ? null : round(decodedAt), checkpointSeconds: seconds.map((s) => round(s, 3)), fractions: fr,
  };
  log(`pool x${workers}: ${total.toFixed(1)} s for ${K} checkpoints`);
}

// 5. the PyTorch pipeline on the same checkpoints and pairs
if (!torch) {
  report.torch = null;
  report.torchNote = 'PyTorch not found: no reference pipeline timed';
} else {
  const pairsFile = path.join(work, 'pairs.json');
  writeFileSync(pairsFile, JSON.stringify({
    files: probe.records.map((r) => path.join(probe.root, r.file)), factors: pairs.factors,
    a: [...pairs.a], b: [...pairs.b], factor: [...pairs.factor],
  }));
  const runTorch = (threads) => {
    log(`PyTorch pipeline on ${torchCkpts} checkpoint(s), ${threads} thread(s) …`);
    const t = runTorchJson(path.join(ROOT, 'bench/torch_pipeline.py'), ['--pairs', pairsFile, '--checkpoints', ckpts.slice(0, torchCkpts).join(','), '--image-size', String(imageSize), '--threads', String(threads)], { timeoutS: 3600 });
    log(`PyTorch ${threads} thread(s): ${t.perCheckpointSeconds.toFixed(1)} s per checkpoint`);
    return {
      how: 'bench/torch_pipeline.py (decode every image, forward both images of every pair, per checkpoint)',
      python: torch.python, version: t.torch, threads: t.threads, checkpointsTimed: torchCkpts,
      perCheckpointSeconds: round(t.perCheckpointSeconds, 3), runs: t.runs.map((r) => ({ ...r, seconds: round(r.seconds, 3), decode_seconds: round(r.decode_seconds, 3) })),
    };
  };
  report.torchByThreads = {};
  for (const th of torchThreads) report.torchByThreads[th] = runTorch(th);
  report.torch = report.torchByThreads[torchThreads[0]];
  // both sides measure the same thing: their fractions for the first checkpoint should agree
  const ours = report.shapetex?.fractions?.[0]?.fractions;
  if (ours) report.fractionMaxAbsDiff = round(Math.max(...ours.map((v, i) => Math.abs(v - report.torch.runs[0].fractions[i]))), 6);
  // bias-score runs one thread: compare with PyTorch at 1 thread; the pool with PyTorch at as
  // many threads as it has workers when that was measured
  const t1 = report.torchByThreads[1] ?? report.torch;
  if (report.shapetex) report.speedup = round(t1.perCheckpointSeconds / report.shapetex.perCheckpointSeconds, 3);
  if (report.pool) {
    const tp = report.torchByThreads[report.pool.workers];
    report.poolSpeedupVsTorch1Thread = round(t1.perCheckpointSeconds / report.pool.perCheckpointSeconds, 3);
    if (tp) report.poolSpeedup = round(tp.perCheckpointSeconds / report.pool.perCheckpointSeconds, 3);
  }
}

log(`wrote ${writeResult('e2e', report)}`);
