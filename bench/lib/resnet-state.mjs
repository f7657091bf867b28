// A torchvision-layout ResNet-18/34 state_dict with random weights and random BatchNorm
// statistics, built in JS so the benchmark needs no checkpoint file. Conv weights are
// He-normal (std = √(2 / fan_in)) so activations keep their scale through 18 layers and the
// timings see realistic (not all-zero) ReLU outputs.
import { createRng } from '@shapetex/core';

/** A state_dict being written: float tensors from a fill, He-normal convs, random BatchNorms. */
function stateDictWriter(seed) {
  const rng = createRng(seed);
  const sd = new Map();
  const put = (key, shape, fill) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = fill(i);
    sd.set(key, { dtype: 'float32', shape, data });
  };
  const conv = (key, o, i, k) => {
    const std = Math.sqrt(2 / (i * k * k));
    put(key, [o, i, k, k], () => rng.normal() * std);
  };
  const bn = (prefix, c) => {
    put(`${prefix}.weight`, [c], () => 0.5 + rng.next());
    put(`${prefix}.bias`, [c], () => 0.2 * rng.normal());
    put(`${prefix}.running_mean`, [c], () => 0.2 * rng.normal());
    put(`${prefix}.running_var`, [c], () => 0.5 + rng.next());
    sd.set(`${prefix}.num_batches_tracked`, { dtype: 'int64', shape: [], data: new BigInt64Array([0n]) });
  };
  return { rng, sd, put, conv, bn };
}

const BLOCKS = { resnet18: [2, 2, 2, 2], resnet34: [3, 4, 6, 3] };

/** @returns {import('@shapetex/core').StateDict} */
export function randomResnetStateDict(arch = 'resnet18', { seed = 0, numClasses = 1000 } = {}) {
  const blocks = BLOCKS[arch];
  if (!blocks) throw new Error(`randomResnetStateDict: unknown arch '${arch}' (expected ${Object.keys(BLOCKS).join(', ')})`);
  const { rng, sd, put, conv, bn } = stateDictWriter(seed);
  conv('conv1.weight', 64, 3, 7);
  bn('bn1', 64);
  let cin = 64;
  blocks.forEach((count, s) => {
    const cout = 64 << s;
    for (let b = 0; b < count; b++) {
      const p = `layer${s + 1}.${b}`;
      const stride = s > 0 && b === 0 ? 2 : 1;
      conv(`${p}.conv1.weight`, cout, cin, 3);
      bn(`${p}.bn1`, cout);
      conv(`${p}.conv2.weight`, cout, cout, 3);
      bn(`${p}.bn2`, cout);
      if (stride !== 1 || cin !== cout) {
        conv(`${p}.downsample.0.weight`, cout, cin, 1);
        bn(`${p}.downsample.1`, cout);
      }
      cin = cout;
    }
  });
  put('fc.weight', [numClasses, cin], () => rng.normal() * 0.01);
  put('fc.bias', [numClasses], () => 0);
  return sd;
}

/**
 * The CIFAR pre-activation ResNet-18 of width k (zoo arch `resnet18k`, the double-descent
 * network after kuangliu/pytorch-cifar) with random weights: 3x3 stem, no max-pool, 32 px.
 * @returns {import('@shapetex/core').StateDict}
 */
export function randomPreActStateDict({ seed = 0, k = 64, numClasses = 10 } = {}) {
  const { rng, sd, put, conv, bn } = stateDictWriter(seed);
  conv('conv1.weight', k, 3, 3);
  let cin = k;
  for (let s = 0; s < 4; s++) {
    const cout = k << s;
    for (let b = 0; b < 2; b++) {
      const p = `layer${s + 1}.${b}`;
      const stride = s > 0 && b === 0 ? 2 : 1;
      bn(`${p}.bn1`, cin);
      conv(`${p}.conv1.weight`, cout, cin, 3);
      bn(`${p}.bn2`, cout);
      conv(`${p}.conv2.weight`, cout, cout, 3);
      if (stride !== 1 || cin !== cout) conv(`${p}.shortcut.0.weight`, cout, cin, 1);
      cin = cout;
    }
  }
  put('linear.weight', [numClasses, cin], () => rng.normal() * 0.01);
  put('linear.bias', [numClasses], () => 0);
  return sd;
}
