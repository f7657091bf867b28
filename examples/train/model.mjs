// The example's network: a small all-convolutional CNN (VGG-like stages of conv + BatchNorm +
// ReLU, global average pooling, one dense classifier). BatchNorm is what lets it learn in a
// few hundred steps. Layer names are stable so taps can name them: `stage1`, `stage2` end the
// first two stages; `final` is the last 4-D layer before global pooling.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * The three stages, each named by its two blocks (a block `b` is the layers `b_conv`, `b_bn`
 * and `b`). Freezing and pre-training speak in these stages; the pooling layers between them
 * have no weights, so which stage they count in does not matter.
 */
export const STAGES = [['conv1', 'stage1'], ['conv2', 'stage2'], ['conv3', 'final']];
export const CLASSIFIER = 'classifier';

/** 1, 2 or 3 for a layer of a stage's blocks; null for the input, pooling and the classifier. */
export function stageOf(layerName) {
  const i = STAGES.findIndex((blocks) => blocks.some((b) => layerName === b || layerName.startsWith(`${b}_`)));
  return i < 0 ? null : i + 1;
}

export function buildModel({ imageSize, numClasses, width = 8, seed = 0 }) {
  // tfjs treats an initializer seed of 0 as "no seed" (Math.random), so the seeds start at 1.
  let s = seed * 1000 + 1;
  const init = () => tfl.initializers.heNormal({ seed: s++ });
  // conv (no bias: BatchNorm's shift takes its place) → BatchNorm → ReLU named `name`.
  const block = (filters, name) => [
    tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(), name: `${name}_conv` }),
    tfl.layers.batchNormalization({ momentum: 0.9, name: `${name}_bn` }),
    tfl.layers.activation({ activation: 'relu', name }),
  ];
  const model = tfl.sequential({
    layers: [
      tfl.layers.inputLayer({ inputShape: [imageSize, imageSize, 3], name: 'input' }),
      ...block(width, 'conv1'),
      ...block(width, 'stage1'),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      ...block(2 * width, 'conv2'),
      ...block(2 * width, 'stage2'),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      ...block(4 * width, 'conv3'),
      ...block(4 * width, 'final'),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ units: numClasses, kernelInitializer: tfl.initializers.glorotUniform({ seed: s++ }), name: CLASSIFIER }),
    ],
  });
  return model;
}

/** Cross-entropy on logits, mean over the batch. */
export function loss(labelsOneHot, logits) {
  return tf.losses.softmaxCrossEntropy(labelsOneHot, logits);
}
