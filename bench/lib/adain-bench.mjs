// The AdaIN networks of the stylization benchmark and one timed pass of each path, shared by
// bench/stylize.mjs (one thread) and bench/lib/stylize-worker.mjs (one per worker thread).
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@shapetex/core';
import { createStylizer, encodeJpeg } from '@shapetex/svoc';

export const ENCODER_LAYERS = [[2, 3, 64], [5, 64, 64], [9, 64, 128], [12, 128, 128], [16, 128, 256], [19, 256, 256], [22, 256, 256], [25, 256, 256], [29, 256, 512]];
export const DECODER_LAYERS = [[1, 512, 256], [5, 256, 256], [8, 256, 256], [11, 256, 256], [14, 256, 128], [18, 128, 128], [21, 128, 64], [25, 64, 64], [28, 64, 3]];

/**
 * Full-size random weights laid out as the official vgg_normalised.pth (encoder to relu4_1; the
 * layers past it are left out: ignored, and they would only cost generation time) and
 * decoder.pth, He-scaled like bench/torch_adain.py's.
 */
export function adainStateDicts(seed = 0) {
  const rng = createRng(seed);
  const conv = (sd, index, cin, cout, k) => {
    const n = cout * cin * k * k;
    const w = new Float32Array(n);
    const s = Math.sqrt(2 / (cin * k * k));
    for (let i = 0; i < n; i++) w[i] = rng.normal() * s;
    sd.set(`${index}.weight`, { dtype: 'float32', shape: [cout, cin, k, k], data: w });
    sd.set(`${index}.bias`, { dtype: 'float32', shape: [cout], data: new Float32Array(cout).map(() => 0.01 * rng.normal()) });
  };
  const vgg = new Map();
  conv(vgg, 0, 3, 3, 1);
  ENCODER_LAYERS.forEach(([i, a, b]) => conv(vgg, i, a, b, 3));
  const decoder = new Map();
  DECODER_LAYERS.forEach(([i, a, b]) => conv(decoder, i, a, b, 3));
  return { vgg, decoder };
}

const now = () => performance.now() / 1000;

/**
 * A stylizer with a random content and style at `size`, warmed up. `measure()` times once (a)
 * `stylize(content, style)` read back and (b) the builder's path: one content encoding and T
 * decodes against style features encoded once, each JPEG-encoded (quality 95); seconds per
 * output image. `dispose()` frees it all.
 */
export async function createAdainBench(size, T = 5) {
  const stylizer = await createStylizer(adainStateDicts(0));
  const image = (seed) => tf.tidy(() => tf.randomUniform([size, size, 3], 0, 1, 'float32', seed));
  const content = image(1), style = image(2);
  const styleFeatures = await stylizer.encode(style);
  const stylizeOnce = async () => { const out = await stylizer.stylize(content, style); await out.data(); out.dispose(); };
  const builderOnce = async () => {
    const fc = await stylizer.encode(content);
    for (let k = 0; k < T; k++) {
      const out = await stylizer.decode(fc, styleFeatures);
      await encodeJpeg(out, size, size, 95);
      out.dispose();
    }
    fc.dispose();
  };
  await stylizeOnce(); // warm-up: kernel set-up, first-use allocation
  return {
    async measure(repeats = 1) {
      let stylizeSeconds = Infinity, builderSeconds = Infinity;
      for (let r = 0; r < repeats; r++) {
        let t0 = now();
        await stylizeOnce();
        stylizeSeconds = Math.min(stylizeSeconds, now() - t0);
        t0 = now();
        await builderOnce();
        builderSeconds = Math.min(builderSeconds, (now() - t0) / T);
      }
      return { stylizeSeconds, builderSeconds };
    },
    dispose() { tf.dispose([content, style, styleFeatures]); stylizer.dispose(); },
  };
}
