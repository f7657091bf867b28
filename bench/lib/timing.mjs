// Throughput measurement shared by the benchmarks: warm up once (kernel set-up, wasm memory
// growth), then repeat until both a minimum time and a minimum number of passes are reached.
import * as tf from '@tensorflow/tfjs-core';

export const now = () => Number(process.hrtime.bigint()) / 1e9;

/**
 * images/s of `pass()` that processes `batch` images and resolves when its results are on
 * the host. Returns { imagesPerS, images, seconds, passes }.
 */
export async function throughput(pass, batch, { seconds = 3, minPasses = 2, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) await pass();
  let passes = 0;
  const t0 = now();
  let dt = 0;
  while (passes < minPasses || dt < seconds) {
    await pass();
    passes++;
    dt = now() - t0;
  }
  return { imagesPerS: (passes * batch) / dt, images: passes * batch, seconds: dt, passes };
}

/** A pass over a Network-like model: forward, global-average-pool each tap, read back. */
export function poolPass(net, x, taps) {
  return async () => {
    const pooled = tf.tidy(() => {
      const maps = net.forward(x, taps);
      return taps.map((t) => tf.mean(maps[t], [1, 2]));
    });
    const rows = await Promise.all(pooled.map((p) => p.data()));
    pooled.forEach((p) => p.dispose());
    return rows;
  };
}

export const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The best throughput over batch sizes: `make(batch)` gives a pass (as `throughput` takes);
 * each is timed and logged; returns { batch, imagesPerS } of the fastest.
 */
export async function bestOfBatches(label, make, batches, { seconds = 3, log = () => {} } = {}) {
  let top = null;
  for (const batch of batches) {
    const r = await throughput(await make(batch), batch, { seconds });
    log(`  ${label} batch ${batch}: ${r.imagesPerS.toFixed(2)} img/s`);
    if (!top || r.imagesPerS > top.imagesPerS) top = { batch, imagesPerS: round(r.imagesPerS, 3) };
  }
  return top;
}
