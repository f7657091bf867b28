// Starting a run from another run's checkpoint: every layer but the classifier takes the
// checkpoint's weights (kernels, BatchNorm scale, shift and moving statistics); the classifier
// keeps the fresh seeded initialisation buildModel gave it, sized for this run's classes.
import * as tf from '@tensorflow/tfjs-core';
import { CLASSIFIER } from './model.mjs';
import { readWeights } from './checkpoint.mjs';

const shapeText = (s) => `[${s.join(', ')}]`;

/**
 * Copies the checkpoint's weights at `file` (a model.json) into `model`, all layers but the
 * classifier. Throws, naming the file, the layer and both shapes, when the networks differ
 * (another --width), before changing anything.
 * @returns {{ layers: number, tensors: number, sourceClasses: number | null }}
 */
export function loadPretrained(model, file) {
  const source = readWeights(file);
  try {
    const plan = [];
    for (const layer of model.layers) {
      if (layer.name === CLASSIFIER || layer.weights.length === 0) continue;
      const values = layer.weights.map((w) => {
        const t = source[w.originalName];
        if (!t) throw new Error(`--pretrained ${file}: layer ${layer.name} has no tensor ${w.originalName} there; not a checkpoint of this example's network`);
        if (!tf.util.arraysEqual(t.shape, w.shape)) {
          throw new Error(`--pretrained ${file}: layer ${layer.name} (${w.originalName}) has shape ${shapeText(t.shape)} there but ${shapeText(w.shape)} here (trained with another --width?)`);
        }
        return t;
      });
      plan.push([layer, values]);
    }
    for (const [layer, values] of plan) layer.setWeights(values);
    const bias = source[`${CLASSIFIER}/bias`];
    return { layers: plan.length, tensors: plan.reduce((n, [, v]) => n + v.length, 0), sourceClasses: bias ? bias.shape[0] : null };
  } finally {
    tf.dispose(Object.values(source));
  }
}
