#!/usr/bin/env node
// @shapetex/core in a few lines, on files committed in this repository.
// Run from the repository root after `npm run build`:  node examples/api/core.mjs
import { initBackend, readStateDict, inspectCheckpoint, loadModel, loadImages } from '@shapetex/core';

const checkpoint = 'test/fixtures/checkpoints/resnet18k/IN_resnet18k_epoch0006_cifar10_ln20pc_seed42.pth';
const images = ['test/fixtures/image/orient6.jpg', 'test/fixtures/image/resize_src.png'];

const backend = await initBackend(); // auto: tensorflow → webgpu → wasm → cpu
console.log(`backend: ${backend.name} (${backend.device})`);

// A PyTorch file read without Python and without running anything in it.
const sd = await readStateDict(checkpoint); // Map<name, { dtype, shape, data }>
console.log(`${sd.size} tensors; conv1.weight is ${sd.get('conv1.weight').dtype} [${sd.get('conv1.weight').shape}]`);

const info = await inspectCheckpoint(checkpoint);
console.log(`architecture ${info.arch}, ${info.numClasses} classes, ${info.parameters} parameters`);
console.log(`taps: ${info.taps.map((t) => `${t.name} (D=${t.D})`).join(', ')}`);

// Features: one global-average-pooled vector per image per tap.
const model = await loadModel(checkpoint); // architecture detected from the weights
const x = await loadImages(images, { size: 32, norm: 'cifar' }); // NHWC float32, [2, 32, 32, 3]
const features = await model.features(x, ['stage1', 'final']);
for (const [tap, rows] of Object.entries(features)) {
  const D = rows.length / images.length;
  console.log(`${tap}: ${images.length} × ${D}, first image starts ${[...rows.slice(0, 3)].map((v) => v.toFixed(4)).join(', ')}`);
}
x.dispose();
model.dispose();
