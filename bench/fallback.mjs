// Where onnxruntime-node has no binary, what should run the zoo? This benchmark answers it on
// the machine at hand: onnxruntime-web's WebAssembly build running shapetex's ONNX graph of a
// network, against the TF.js wasm path (tfjs-backend-wasm + shapetex's kernels) running the
// same description, same weights, one thread, in alternating rounds. The faster one is the
// fallback `auto` uses (docs/cli.md, "Backends").
//   node bench/fallback.mjs [--quick] [--rounds 2] [--seconds 3] [--nets resnet18@32,resnet18@224]
import * as tf from '@tensorflow/tfjs-core';
import * as core from '@shapetex/core';
import * as ortWeb from 'onnxruntime-web';
import { bestOfBatches, poolPass, round } from './lib/timing.mjs';
import { randomResnetStateDict } from './lib/resnet-state.mjs';
import { writeResult, parseArgs } from './lib/common.mjs';

const args = parseArgs(process.argv.slice(2));
const quick = Boolean(args.quick);
const seconds = Number(args.seconds ?? (quick ? 1 : 3));
const rounds = Number(args.rounds ?? (quick ? 1 : 2));
const NETS = String(args.nets ?? 'resnet18@32,resnet18@224').split(',');
const BATCHES = (size) => (size <= 64 ? [16, 64] : [1, 8]);
const log = (s) => process.stderr.write(s + '\n');

await core.initBackend('wasm', { log: null });
ortWeb.env.wasm.numThreads = 1;
ortWeb.env.logLevel = 'error';

const best = (label, make, size) => bestOfBatches(label, make, BATCHES(size), { seconds, log });

const results = {};
for (const spec of NETS) {
  const [arch, s] = spec.split('@');
  const size = Number(s);
  const model = core.createModel(arch, randomResnetStateDict(arch, { seed: 0 }));
  const graph = core.emitOnnx(model.network, { taps: ['final'], imageSize: size }).bytes;
  const session = await ortWeb.InferenceSession.create(graph, { executionProviders: ['wasm'] });
  const out = session.outputNames[0];
  const r = { ortWeb: null, tfjsWasm: null, rounds: [] };
  for (let k = 0; k < rounds; k++) {
    log(`${spec} round ${k + 1}/${rounds}`);
    const a = await best('onnxruntime-web wasm', (batch) => {
      const x = new ortWeb.Tensor('float32', Float32Array.from({ length: batch * 3 * size * size }, (_, i) => Math.sin(i)), [batch, 3, size, size]);
      return async () => { const o = await session.run({ [session.inputNames[0]]: x }, [out]); o[out].dispose(); };
    }, size);
    const b = await best('TF.js wasm path', (batch) => poolPass(model.network, tf.randomNormal([batch, size, size, 3]), ['final']), size);
    r.rounds.push({ ortWeb: a.imagesPerS, tfjsWasm: b.imagesPerS });
    if (!r.ortWeb || a.imagesPerS > r.ortWeb.imagesPerS) r.ortWeb = a;
    if (!r.tfjsWasm || b.imagesPerS > r.tfjsWasm.imagesPerS) r.tfjsWasm = b;
  }
  r.faster = r.ortWeb.imagesPerS > r.tfjsWasm.imagesPerS ? 'onnxruntime-web' : 'tfjs-wasm';
  await session.release();
  model.dispose();
  results[spec] = r;
  log(`${spec}: onnxruntime-web ${r.ortWeb.imagesPerS} img/s, TF.js wasm ${r.tfjsWasm.imagesPerS} img/s → ${r.faster}`);
}
log(`fallback: wrote ${writeResult('fallback', { ortWeb: ortWeb.env.versions?.web ?? null, threads: 1, rounds, seconds, results })}`);
