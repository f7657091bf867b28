// Freezing stages for the freezing ablations: `first:N` keeps stages 1..N as they are (the
// usual fine-tuning of a pre-trained network's top), `last:N` keeps the last N stages and the
// classifier (a fixed read-out; `last:0` is the classifier alone).
//
// Frozen means no number of the layer changes: it is left out of the optimizer (kernels,
// BatchNorm scale and shift) AND its BatchNorm runs in inference mode, on its moving
// statistics, which it then never updates. In tfjs-layers `trainable = false` only does the
// first: BatchNormalization.call updates moving mean and variance whenever it is called with
// `training: true`, whatever `trainable` says. So the training pass calls the layers one by one,
// each with its own `training` flag (PyTorch's `.eval()` on the frozen part; Keras's
// `trainable=False`, which since TF 2 also means inference-mode BatchNorm).
import { CLASSIFIER, STAGES, stageOf } from './model.mjs';

const EXPECTED = `expected first:N (N in 1..${STAGES.length}: freeze stages 1..N) or last:N (N in 0..${STAGES.length}: freeze the last N stages and the classifier)`;

/**
 * Parses a `--freeze` value. Returns undefined when none was given (so that train.json of a
 * run without freezing stays as it was); throws with the option and what it expects otherwise.
 * @returns {{ from: 'first' | 'last', n: number } | undefined}
 */
export function parseFreeze(value) {
  if (value === undefined) return undefined;
  const m = /^(first|last):(\d+)$/.exec(value);
  const n = m ? Number(m[2]) : NaN;
  if (!m || n > STAGES.length || (m[1] === 'first' && n < 1)) throw new Error(`--freeze ${value}: ${EXPECTED}`);
  return { from: m[1], n };
}

/** The frozen stages (1-based) and whether the classifier is frozen. */
export function frozenParts(freeze) {
  if (!freeze) return { stages: [], classifier: false };
  const all = STAGES.map((_, i) => i + 1);
  return freeze.from === 'first'
    ? { stages: all.slice(0, freeze.n), classifier: false }
    : { stages: all.slice(all.length - freeze.n), classifier: true };
}

/** Names of the model's frozen layers. */
export function frozenLayers(model, freeze) {
  const { stages, classifier } = frozenParts(freeze);
  return new Set(model.layers.map((l) => l.name).filter((name) =>
    stages.includes(stageOf(name)) || (classifier && name === CLASSIFIER)));
}

/**
 * Marks the frozen layers not trainable (so the checkpoints' topology says so too) and returns
 * the tf.Variables left for the optimizer.
 */
export function freezeLayers(model, frozen) {
  for (const layer of model.layers) if (frozen.has(layer.name)) layer.trainable = false;
  return model.trainableWeights.map((w) => w.read());
}

/**
 * The training pass of a sequential model: every layer in training mode except the frozen
 * ones, whose BatchNorm then normalises with (and keeps) its moving statistics.
 */
export function trainingForward(model, x, frozen) {
  let y = x;
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    y = layer.apply(y, { training: !frozen.has(layer.name) });
  }
  return y;
}

/** One log line: what is frozen and what is trained. */
export function describeFreeze(freeze) {
  const { stages, classifier } = frozenParts(freeze);
  const trained = STAGES.map((_, i) => i + 1).filter((s) => !stages.includes(s)).map((s) => `stage ${s}`);
  if (!classifier) trained.push('classifier');
  const frozen = stages.map((s) => `stage ${s} (${STAGES[s - 1].join(', ')})`);
  if (classifier) frozen.push('classifier');
  return `freeze ${freeze.from}:${freeze.n}: frozen ${frozen.join(', ')}: weights kept, BatchNorm in inference mode with its moving statistics kept; `
    + (trained.length ? `training ${trained.join(', ')}` : 'nothing left to train (every epoch keeps the starting weights)');
}
