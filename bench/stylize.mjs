// AdaIN stylization benchmark (issue 6): images/s at 512 with full-size random weights laid out
// as the official vgg_normalised.pth (encoder to relu4_1, 64…512 channels) and decoder.pth.
// Times (a) `stylize(content, style)` — encoder on both images plus the decoder — and (b) the
// builder's path, where a texture's features are encoded once and each content once per T = 5
// textures, so an output image costs one decoder pass plus a fifth of an encoder pass, plus the
// JPEG encoding. Writes bench/results/stylize.json.
// Run after building: node bench/stylize.mjs [--backend wasm] [--size 512] [--repeats 2]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, initBackend } from '@shapetex/core';
import { createStylizer, encodeJpeg } from '@shapetex/svoc';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' }, size: { type: 'string', default: '512' }, repeats: { type: 'string', default: '2' }, out: { type: 'string', default: 'bench/results/stylize.json' } } });
const SIZE = Number(values.size), REPEATS = Number(values.repeats), T = 5;

const info = await initBackend(values.backend, { log: null });
const rng = createRng(0);
const conv = (sd, index, cin, cout, k) => {
  const n = cout * cin * k * k;
  const w = new Float32Array(n);
  const s = Math.sqrt(2 / (cin * k * k));
  for (let i = 0; i < n; i++) w[i] = rng.normal() * s;
  sd.set(`${index}.weight`, { dtype: 'float32', shape: [cout, cin, k, k], data: w });
  sd.set(`${index}.bias`, { dtype: 'float32', shape: [cout], data: new Float32Array(cout).map(() => 0.01 * rng.normal()) });
};
// Official layouts (pytorch-AdaIN net.py); the encoder file's layers past relu4_1 are left out:
// they are ignored and would only cost generation time.
const vgg = new Map();
conv(vgg, 0, 3, 3, 1);
[[2, 3, 64], [5, 64, 64], [9, 64, 128], [12, 128, 128], [16, 128, 256], [19, 256, 256], [22, 256, 256], [25, 256, 256], [29, 256, 512]].forEach(([i, a, b]) => conv(vgg, i, a, b, 3));
const decoder = new Map();
[[1, 512, 256], [5, 256, 256], [8, 256, 256], [11, 256, 256], [14, 256, 128], [18, 128, 128], [21, 128, 64], [25, 64, 64], [28, 64, 3]].forEach(([i, a, b]) => conv(decoder, i, a, b, 3));

const stylizer = await createStylizer({ vgg, decoder });
const image = (seed) => tf.tidy(() => tf.randomUniform([SIZE, SIZE, 3], 0, 1, 'float32', seed));
const content = image(1), style = image(2);
const now = () => performance.now() / 1000;

// Warm-up: kernel compilation / first-use allocation.
tf.dispose(await stylizer.stylize(content, style));

let best = Infinity;
for (let r = 0; r < REPEATS; r++) {
  const t0 = now();
  const out = await stylizer.stylize(content, style);
  await out.data();
  best = Math.min(best, now() - t0);
  out.dispose();
}
const stylizeSeconds = best;

// Builder path: encode style features once; per content one encoder pass, T decoder passes + JPEG.
const styleFeatures = stylizer.encode(style);
let builderBest = Infinity;
for (let r = 0; r < REPEATS; r++) {
  const t0 = now();
  const fc = stylizer.encode(content);
  for (let k = 0; k < T; k++) {
    const out = stylizer.decode(fc, styleFeatures);
    await encodeJpeg(out, SIZE, SIZE, 95);
    out.dispose();
  }
  fc.dispose();
  builderBest = Math.min(builderBest, (now() - t0) / T);
}
tf.dispose([styleFeatures, content, style]);
stylizer.dispose();

const row = {
  benchmark: 'stylize', date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model.trim(),
  backend: info.name, device: info.device, size: SIZE, repeats: REPEATS, texturesPerContent: T,
  stylizeSecondsPerImage: Math.round(stylizeSeconds * 1000) / 1000,
  stylizeImagesPerSecond: Math.round((1 / stylizeSeconds) * 1000) / 1000,
  builderSecondsPerImage: Math.round(builderBest * 1000) / 1000,
  builderImagesPerSecond: Math.round((1 / builderBest) * 1000) / 1000,
  svocHoursAtBuilderRate: Math.round(((4369 * T * builderBest) / 3600) * 100) / 100,
  maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
};
console.log(`${info.name} (${info.device}), ${SIZE}x${SIZE}: stylize ${row.stylizeSecondsPerImage} s/image (${row.stylizeImagesPerSecond} images/s); builder path ${row.builderSecondsPerImage} s/image (${row.builderImagesPerSecond} images/s, SVOC 4,369 x ${T} ≈ ${row.svocHoursAtBuilderRate} h)`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out, `${JSON.stringify(row, null, 2)}\n`);
