// The example's network: a small all-convolutional CNN (VGG-like stages, global average
// pooling, one dense classifier). Layer names are stable so taps can name them:
// `stage1`..`stage3` end each stage; `final` is the last 4-D layer before global pooling.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export function buildModel({ imageSize, numClasses, width = 8, seed = 0 }) {
  let s = seed * 1000;
  const init = () => tfl.initializers.heNormal({ seed: s++ });
  const conv = (filters, name) =>
    tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), name });
  const model = tfl.sequential({
    layers: [
      tfl.layers.inputLayer({ inputShape: [imageSize, imageSize, 3], name: 'input' }),
      conv(width, 'conv1_1'),
      conv(width, 'stage1'),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      conv(2 * width, 'conv2_1'),
      conv(2 * width, 'stage2'),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      conv(4 * width, 'conv3_1'),
      conv(4 * width, 'final'),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ units: numClasses, kernelInitializer: tfl.initializers.glorotUniform({ seed: s++ }), name: 'classifier' }),
    ],
  });
  return model;
}

/** Cross-entropy on logits, mean over the batch. */
export function loss(labelsOneHot, logits) {
  return tf.losses.softmaxCrossEntropy(labelsOneHot, logits);
}
