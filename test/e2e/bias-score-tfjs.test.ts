import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@shapetex/core';
import { bias, makeWorld, parseCsv, type World } from './helpers.js';

let w: World;

/** What TF.js's file save handler writes (the demo's training script saves the same layout). */
async function saveLayers(model: tfl.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    await writeFile(path.join(dir, 'group1-shard1of1.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: 'e2e test', modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

beforeAll(async () => {
  w = await makeWorld();
  await initBackend('cpu', { log: null });
  // Three "epochs" of a small CNN, saved in the folders a TF.js training loop writes.
  for (const epoch of [3, 1, 2]) {
    const m = tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: [32, 32, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' }),
      tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, activation: 'relu', name: 'conv2' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ units: 4, name: 'logits' }),
    ] });
    await saveLayers(m, path.join(w.dir, 'tfjs', `epoch_${String(epoch).padStart(4, '0')}`));
    m.dispose();
  }
});

describe('bias-score over TF.js checkpoints', () => {
  it('finds model.json per epoch folder (not the weight shards), orders by the folder epoch, scores the final tap', async () => {
    const out = path.join(w.dir, 'tfjs-out');
    const run = await bias([path.join(w.dir, 'tfjs'), '--probe', w.probe, '--image-size', '32', '--taps', 'final', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const csv = parseCsv(await readFile(path.join(out, 'results.csv'), 'utf8'));
    expect(csv.rows.map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      ['1', 'epoch_0001/model.json', 'final', '8'],
      ['2', 'epoch_0002/model.json', 'final', '8'],
      ['3', 'epoch_0003/model.json', 'final', '8'],
    ]);
    expect(await readFile(path.join(out, 'errors.jsonl'), 'utf8')).toBe('');
  });
});
