#!/usr/bin/env node
// Train a small CNN with TF.js and save a checkpoint and the train/test error every epoch, in
// the spirit of the label-noise double-descent experiments: the labels follow one factor of the
// data; a fraction of the training labels is replaced by a random other class.
//
//   node examples/train/train.mjs --synth ./demo-out/train-set --out ./demo-out/run \
//     --epochs 12 --label-noise 0.2 --seed 0
//
// Output: <out>/checkpoints/epoch_0001/model.json (+ weights.bin) …, <out>/errors.csv
// (epoch,train_error,test_error,train_loss: the format `bias-score --errors` reads) and
// <out>/train.json (the options). A rerun continues after the last finished epoch.
//
// Freezing and pre-training (the ablations):
//   --freeze first:N        keep stages 1..N (N in 1..3) as they start
//   --freeze last:N         keep the last N stages (N in 0..3) and the classifier as they start
//   --pretrained CKPT       start from another run's checkpoint (epoch_NNNN folder or its
//                           model.json); the classifier starts afresh for this data's classes
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, loadImages, createRng } from '@shapetex/core';
import { readDataset } from './data.mjs';
import { buildModel, loss } from './model.mjs';
import { folderSaver } from './save.mjs';
import { folderLoader, resolveModelJson } from './checkpoint.mjs';
import { describeFreeze, freezeLayers, frozenLayers, parseFreeze, trainingForward } from './freeze.mjs';
import { loadPretrained } from './pretrained.mjs';
import { registerWasmTrainingKernels } from './wasm-kernels.mjs';

const { values: o } = parseArgs({
  options: {
    data: { type: 'string' },
    synth: { type: 'string' },
    'label-factor': { type: 'string' },
    'per-factor': { type: 'string', default: '8' },
    out: { type: 'string', default: './train-out' },
    epochs: { type: 'string', default: '12' },
    'batch-size': { type: 'string', default: '32' },
    lr: { type: 'string', default: '0.002' },
    'label-noise': { type: 'string', default: '0' },
    'test-fraction': { type: 'string', default: '0.25' },
    'image-size': { type: 'string', default: '32' },
    norm: { type: 'string', default: 'imagenet' },
    width: { type: 'string', default: '8' },
    seed: { type: 'string', default: '0' },
    backend: { type: 'string', default: process.env.SHAPETEX_BACKEND ?? 'auto' },
    freeze: { type: 'string' },
    pretrained: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (o.help) {
  // The header comment: the comment lines after the shebang, up to the first line of code.
  const lines = readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1);
  console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}
const num = (k, { int = false, min = -Infinity, max = Infinity } = {}) => {
  const v = Number(o[k]);
  if (!Number.isFinite(v) || (int && !Number.isInteger(v)) || v < min || v > max) {
    console.error(`--${k} ${o[k]}: expected ${int ? 'an integer' : 'a number'} in [${min}, ${max}]`);
    process.exit(2);
  }
  return v;
};
// Usage errors of the options that are more than a number: message and exit 2, like num().
const usage = (f) => {
  try { return f(); } catch (e) { console.error(e.message); process.exit(2); }
};
const opts = {
  epochs: num('epochs', { int: true, min: 1 }),
  batchSize: num('batch-size', { int: true, min: 1 }),
  lr: num('lr', { min: 0 }),
  labelNoise: num('label-noise', { min: 0, max: 1 }),
  testFraction: num('test-fraction', { min: 0.01, max: 0.99 }),
  imageSize: num('image-size', { int: true, min: 8 }),
  width: num('width', { int: true, min: 1 }),
  seed: num('seed', { int: true }),
  perFactor: num('per-factor', { int: true, min: 2 }),
  norm: o.norm,
  // Absent (undefined, so left out of train.json) unless given: runs without them resume as before.
  freeze: usage(() => parseFreeze(o.freeze)),
  pretrained: o.pretrained === undefined ? undefined : usage(() => resolveModelJson(o.pretrained)),
};
const log = (...a) => { if (!o.quiet) console.log(...a); };

// Training needs gradient kernels. Core is inference only; wasm-kernels.mjs adds the wasm filter
// gradient for the stride-1 convolutions this network uses; a backend without one falls back to
// cpu (slow but correct). Under `onnx` (the default) TF.js trains on the backend it runs
// underneath (wasm): ONNX Runtime only runs inference, and a TF.js model is TF.js's to run.
let backend = await initBackend(o.backend);
const tfjsName = tf.getBackend();
if (tfjsName === 'wasm') registerWasmTrainingKernels();
if (!tf.getKernel('Conv2DBackpropFilter', tfjsName)) {
  log(`training: backend ${backend.name} (TF.js ${tfjsName}) has no convolution gradient kernels; training on cpu`);
  backend = await initBackend('cpu');
}

const ds = await readDataset({
  data: o.data, synth: o.synth, labelFactor: o['label-factor'], size: Math.max(opts.imageSize, 32), seed: opts.seed, perFactor: opts.perFactor,
});
const numClasses = ds.classes.length;

// Seeded split and label noise: the same seed gives the same run.
const rng = createRng(opts.seed);
const order = rng.shuffle(ds.files.map((_, i) => i));
const nTest = Math.max(1, Math.round(order.length * opts.testFraction));
const testIdx = order.slice(0, nTest), trainIdx = order.slice(nTest);
// Exactly round(p·n) training labels are replaced, each by a class drawn uniformly among the
// other classes (symmetric label noise as in the double-descent experiments).
const trainLabels = trainIdx.map((i) => ds.labels[i]);
const noisyAt = rng.shuffle(trainLabels.map((_, k) => k)).slice(0, Math.round(opts.labelNoise * trainLabels.length));
for (const k of noisyAt) {
  const other = rng.int(numClasses - 1);
  trainLabels[k] = other >= trainLabels[k] ? other + 1 : other;
}
const labelNoise = { noisy: opts.labelNoise, train: trainLabels.length, changed: noisyAt.length };
const testLabels = testIdx.map((i) => ds.labels[i]);
log(`data: ${ds.files.length} images, ${numClasses} classes (${ds.classes.join(', ')}); train ${trainIdx.length}, test ${testIdx.length}; label noise ${opts.labelNoise} (${noisyAt.length} training labels changed)`);

const xTrain = await loadImages(trainIdx.map((i) => ds.files[i]), { size: opts.imageSize, norm: opts.norm });
const xTest = await loadImages(testIdx.map((i) => ds.files[i]), { size: opts.imageSize, norm: opts.norm });
const yTrain = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(trainLabels, 'int32'), numClasses), 'float32'));

const out = path.resolve(o.out);
const ckptDir = path.join(out, 'checkpoints');
await mkdir(ckptDir, { recursive: true });
const errorsCsv = path.join(out, 'errors.csv');
const ckptName = (e) => path.join(ckptDir, `epoch_${String(e).padStart(4, '0')}`);

// Resume after the last epoch that has both its checkpoint and its errors line.
let start = 1;
let model;
const doneEpochs = existsSync(errorsCsv)
  ? readFileSync(errorsCsv, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]))
  : [];
const lastDone = doneEpochs.filter((e) => existsSync(path.join(ckptName(e), 'model.json'))).pop() ?? 0;
if (lastDone > 0) {
  const trained = JSON.parse(readFileSync(path.join(out, 'train.json'), 'utf8'));
  const same = JSON.stringify({ ...trained.options, epochs: 0 }) === JSON.stringify({ ...opts, epochs: 0 });
  if (!same) {
    console.error(`${out} holds a run with other options (${path.join(out, 'train.json')}); use another --out`);
    process.exit(2);
  }
  if (lastDone >= opts.epochs) {
    log(`all ${opts.epochs} epochs already trained in ${out}`);
    process.exit(0);
  }
  model = await tfl.loadLayersModel(folderLoader(ckptName(lastDone)));
  start = lastDone + 1;
  // errors.csv may hold a line for an epoch whose checkpoint never finished: keep the good ones.
  await writeFile(errorsCsv, readFileSync(errorsCsv, 'utf8').trim().split('\n').filter((l, i) => i === 0 || Number(l.split(',')[0]) <= lastDone).join('\n') + '\n');
  log(`resuming after epoch ${lastDone}`);
} else {
  model = buildModel({ imageSize: opts.imageSize, numClasses, width: opts.width, seed: opts.seed });
  if (opts.pretrained) {
    const got = usage(() => loadPretrained(model, opts.pretrained));
    log(`pretrained: ${got.tensors} tensors of ${got.layers} layers (all but the classifier) from ${opts.pretrained}; classifier initialised afresh (seed ${opts.seed}) for ${numClasses} classes${got.sourceClasses === null ? '' : ` (the checkpoint's had ${got.sourceClasses})`}`);
  }
  await writeFile(errorsCsv, 'epoch,train_error,test_error,train_loss\n');
}
await writeFile(path.join(out, 'train.json'), JSON.stringify({ options: opts, classes: ds.classes, labelNoise, backend, data: o.data ?? o.synth }, null, 2));

// On resume the checkpoint's topology already says which layers are frozen; set it again anyway,
// since the training pass below goes by `frozen`, not by what the checkpoint says.
const frozen = frozenLayers(model, opts.freeze);
const trainVars = freezeLayers(model, frozen);
if (opts.freeze) log(describeFreeze(opts.freeze));

const optimizer = tf.train.adam(opts.lr);
const errorRate = (x, labels) => tf.tidy(() => {
  const pred = tf.argMax(model.predict(x), -1);
  return 1 - tf.mean(tf.cast(tf.equal(pred, tf.tensor1d(labels, 'int32')), 'float32')).dataSync()[0];
});

for (let epoch = start; epoch <= opts.epochs; epoch++) {
  const t0 = performance.now();
  const perm = createRng(opts.seed * 7919 + epoch).shuffle(trainIdx.map((_, i) => i));
  let lossSum = 0, batches = 0;
  for (let b = 0; b < perm.length; b += opts.batchSize) {
    const idx = tf.tensor1d(perm.slice(b, b + opts.batchSize), 'int32');
    const batchLoss = () => tf.tidy(() => loss(tf.gather(yTrain, idx), trainingForward(model, tf.gather(xTrain, idx), frozen)));
    // Only the trainable variables go to the optimizer; with everything frozen nothing is stepped.
    const l = trainVars.length ? optimizer.minimize(batchLoss, true, trainVars) : batchLoss();
    lossSum += (await l.data())[0];
    batches++;
    tf.dispose([idx, l]);
  }
  const trainErr = errorRate(xTrain, trainLabels);
  const testErr = errorRate(xTest, testLabels);
  await model.save(folderSaver(ckptName(epoch)));
  await appendFile(errorsCsv, `${epoch},${trainErr.toFixed(6)},${testErr.toFixed(6)},${(lossSum / batches).toFixed(6)}\n`);
  log(`epoch ${epoch}/${opts.epochs}: loss ${(lossSum / batches).toFixed(4)}, train error ${(100 * trainErr).toFixed(1)}%, test error ${(100 * testErr).toFixed(1)}% (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
log(`checkpoints in ${ckptDir}; errors in ${errorsCsv}`);
