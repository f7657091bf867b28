import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '@shapetex/core';
import { fixedInputSize, stageTaps } from '../../../packages/core/dist/zoo/tfjs-stages.js';
import { loadTfjsModel } from '../../../packages/core/dist/zoo/tfjs.js';

describe('stageTaps', () => {
  it('one tap per spatial size in order of first appearance, each the last layer at that size', () => {
    const layers = [
      { ref: 'c1', h: 32, w: 32 }, { ref: 'bn1', h: 32, w: 32 }, { ref: 'r1', h: 32, w: 32 },
      { ref: 'p1', h: 16, w: 16 }, { ref: 'c2', h: 16, w: 16 },
      { ref: 'p2', h: 8, w: 8 }, { ref: 'c3', h: 8, w: 8 },
      // an upsampling path back to 16×16 keeps stage2's number with the deeper layer
      { ref: 'up', h: 16, w: 16 }, { ref: 'c4', h: 16, w: 16 },
    ];
    expect(stageTaps(layers).map((s) => [s.name, s.ref, s.h])).toEqual([
      ['stage1', 'r1', 32], ['stage2', 'c4', 16], ['stage3', 'c3', 8],
    ]);
    expect(stageTaps([])).toEqual([]);
  });

  it('fixedInputSize reads a square NHWC input shape only', () => {
    expect(fixedInputSize([null, 32, 32, 3])).toBe(32);
    expect(fixedInputSize([null, null, null, 3])).toBeUndefined();
    expect(fixedInputSize([null, 32, 48, 3])).toBeUndefined();
    expect(fixedInputSize(undefined)).toBeUndefined();
  });
});

describe('a LayersModel without a fixed input size', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('has no inputSize, and finds its stages from one forward of a blank image', async () => {
    const m = tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: [null, null, 3] as unknown as number[], filters: 3, kernelSize: 3, padding: 'same', name: 'a' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tfl.layers.conv2d({ filters: 5, kernelSize: 1, name: 'b' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
    ] });
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'shapetex-stages-')), 'm');
    mkdirSync(dir);
    await m.save(tf.io.withSaveHandler(async (a) => {
      writeFileSync(path.join(dir, 'w.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }] }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const net = await loadTfjsModel(path.join(dir, 'model.json'));
    expect(net.inputSize).toBeUndefined();
    expect(net.defaultImageSize).toBe(224);
    expect(net.taps).toEqual(['stage1', 'stage2', 'final']);
    const x = tf.randomNormal([1, 10, 10, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const got = tf.tidy(() => net.forward(x, ['stage1', 'a', 'stage2', 'b']));
    expect(got.stage1!.shape).toEqual([1, 10, 10, 3]);
    expect(Array.from(got.stage1!.dataSync())).toEqual(Array.from(got.a!.dataSync()));
    expect(got.stage2!.shape).toEqual([1, 5, 5, 5]);
    expect(Array.from(got.stage2!.dataSync())).toEqual(Array.from(got.b!.dataSync()));
    tf.dispose([...Object.values(got), x]);
    net.dispose();
    m.dispose();
  });
});
