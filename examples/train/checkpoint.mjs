// Reading back the checkpoints save.mjs writes (model.json + weights.bin in one folder), for
// resuming a run and for starting one from another run's weights.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The model.json a `--pretrained` value names: the file itself or a checkpoint folder holding
 * one. Absolute, so that train.json records which checkpoint a run started from.
 */
export function resolveModelJson(p) {
  const abs = path.resolve(p);
  const file = existsSync(abs) && statSync(abs).isDirectory() ? path.join(abs, 'model.json') : abs;
  if (!existsSync(file)) throw new Error(`--pretrained ${p}: ${file} does not exist (expected a checkpoint folder such as checkpoints/epoch_0012, or its model.json)`);
  return file;
}

function readArtifacts(file) {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const manifest = json.weightsManifest ?? [];
  const specs = manifest.flatMap((g) => g.weights);
  // The shards of all groups, in order, make one buffer (save.mjs writes one group, one shard).
  const bins = manifest.flatMap((g) => g.paths.map((p) => readFileSync(path.join(path.dirname(file), p))));
  const bin = Buffer.concat(bins);
  return { json, specs, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) };
}

/** A tf.io.IOHandler that loads the checkpoint in `dir`, for tfl.loadLayersModel. */
export function folderLoader(dir) {
  return {
    async load() {
      const { json, specs, weightData } = readArtifacts(path.join(dir, 'model.json'));
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: specs,
        weightData,
      };
    },
  };
}

/** The checkpoint's tensors by weight name (`conv1_conv/kernel`, `conv1_bn/moving_mean`, …). */
export function readWeights(file) {
  const { specs, weightData } = readArtifacts(file);
  return tf.io.decodeWeights(weightData, specs);
}
