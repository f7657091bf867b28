#!/usr/bin/env node
// @shapetex/svoc in a few lines: a synthetic probe set, read back; AdaIN on small weights.
// Run from the repository root after `npm run build`:  node examples/api/svoc.mjs [out-dir]
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@shapetex/core';
import { synthesizeProbeSet, readProbeSet, createStylizer } from '@shapetex/svoc';

await initBackend();
const out = process.argv[2] ?? (await mkdtemp(path.join(tmpdir(), 'shapetex-svoc-')));

// Every combination of 4 shapes × 4 textures, 48 px, seeded.
const manifest = await synthesizeProbeSet({ out, factors: ['shape', 'texture'], perFactor: 4, size: 48, seed: 0 });
const probe = await readProbeSet(out); // { root, records, factors, manifest }
console.log(`${probe.records.length} records, factors ${probe.factors.join(' × ')} (manifest kind: ${manifest.kind})`);
console.log('first record:', JSON.stringify(probe.records[0]));

// AdaIN from PyTorch weight files in the official layout (here narrowed test weights; the real
// ones are vgg_normalised.pth and decoder.pth from pytorch-AdaIN, read as distributed).
const stylizer = await createStylizer({
  vgg: 'test/fixtures/adain/vgg_small.pth',
  decoder: 'test/fixtures/adain/decoder_small.pth',
});
const content = tf.randomUniform([32, 32, 3], 0, 1, 'float32', 1);
const style = tf.randomUniform([40, 40, 3], 0, 1, 'float32', 2);
const styled = await stylizer.stylize(content, style, { alpha: 1 }); // HWC, not yet clipped
console.log(`stylized: [${styled.shape}]`);
tf.dispose([content, style, styled]);
stylizer.dispose();
console.log(`probe set in ${out}`);
