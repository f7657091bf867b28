// A small two-stage conv network built from a seeded generator, used as a pool `factory`:
// a model from outside the zoo whose weights every worker rebuilds identically from the seed.
// It is plain JS because worker threads load it directly, without the test transform.
import { createRng } from '@shapetex/core';

/** `{ seed, width }` → Network-like { arch, taps, forward, dispose } on the caller's tf. */
export function tinyNet(options, { tf }) {
  const { seed = 0, width = 6 } = options ?? {};
  const rng = createRng(seed);
  const filt = (k, i, o) => tf.tensor4d(Float32Array.from({ length: k * k * i * o }, () => rng.normal() * Math.sqrt(2 / (k * k * i))), [k, k, i, o]);
  const vec = (n) => tf.tensor1d(Float32Array.from({ length: n }, () => 0.1 * rng.normal()));
  const w1 = filt(3, 3, width), b1 = vec(width), w2 = filt(3, width, 2 * width), b2 = vec(2 * width);
  return {
    arch: 'tiny',
    taps: ['stage1', 'final'],
    forward(x, taps) {
      const s1 = tf.fused.conv2d({ x, filter: w1, bias: b1, strides: 1, pad: 1, activation: 'relu' });
      const f = tf.fused.conv2d({ x: s1, filter: w2, bias: b2, strides: 2, pad: 1, activation: 'relu' });
      const out = {};
      if (taps.includes('stage1')) out.stage1 = s1;
      if (taps.includes('final')) out.final = f;
      return out;
    },
    dispose() { for (const t of [w1, b1, w2, b2]) t.dispose(); },
  };
}

export const notAFunction = 42;

/** A network whose forward ends its worker thread, as an out-of-memory abort would. */
export function crashingNet(options, { tf }) {
  const net = tinyNet(options, { tf });
  return { ...net, forward() { process.exit(3); } };
}
