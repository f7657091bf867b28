import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ArchitectureMismatchError, initBackend, inspectCheckpoint, loadModel } from '@shapetex/core';
import { expectClose } from './others-parity.js';
import { fixturePath, inputTensor, readReference } from './resnet-fixtures.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function saveLayers(model: tfl.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    writeFileSync(path.join(dir, 'w.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: 'test', modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return path.join(dir, 'model.json');
}

describe('loadModel and inspectCheckpoint', () => {
  beforeAll(async () => { await initBackend('wasm', { log: null }); });

  it('loadModel(.pth) detects the architecture and returns PyTorch features', async () => {
    for (const name of ['resnet50_small', 'resnet18k_bn_small']) {
      const ref = readReference(name);
      const m = await loadModel(fixturePath(name));
      expect(m.arch).toBe(ref.arch);
      const x = inputTensor(ref);
      const f = await m.features(x, ['stage3', 'final']);
      expectClose(f.final!, ref.pooled.final!.data, `${name} final`);
      expectClose(f.stage3!, ref.pooled.stage3!.data, `${name} stage3`);
      m.dispose();
      x.dispose();
    }
  });

  it('a named architecture that does not fit is an error naming the file and the keys', async () => {
    const file = fixturePath('resnet18_small');
    const err = await loadModel(file, { arch: 'resnet34' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchitectureMismatchError);
    expect((err as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: state_dict does not fit resnet34: missing keys: layer1\\.2\\.conv1\\.weight`));
    await expect(loadModel(path.join(tmp, 'absent.pth'))).rejects.toThrow(/absent\.pth/);
  });

  it('inspectCheckpoint reports format, arch, classes, taps with D, parameters and dtypes as PyTorch counts them', async () => {
    const info = await inspectCheckpoint(fixturePath('wide_resnet50_2_small'));
    const ref = readReference('wide_resnet50_2_small');
    expect(info).toEqual({
      file: fixturePath('wide_resnet50_2_small'),
      format: 'torch-zip',
      arch: 'wide_resnet50_2',
      numClasses: 10,
      taps: ['stage1', 'stage2', 'stage3', 'stage4', 'final'].map((name) => ({ name, D: ref.maps[name]!.shape[3] })),
      imageSize: 224,
      inputSize: null,
      refusedGlobals: [],
      logits: true,
      parameters: ref.parameters,
      dtypes: ref.tensors,
    });
  });

  it('loadModel and inspectCheckpoint on a TF.js LayersModel (model.json): final is the map before global pooling', async () => {
    const orig = tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: [10, 10, 3], filters: 5, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }),
      tfl.layers.conv2d({ filters: 7, kernelSize: 3, strides: 2, activation: 'relu', name: 'c2' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ units: 3, name: 'logits' }),
    ] });
    const dir = path.join(tmp, 'tfjs');
    const file = await saveLayers(orig, dir);
    const x = tf.randomUniform([2, 10, 10, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    // independent of the loader: the original layers applied eagerly, then the mean over H, W
    const want = tf.tidy(() => {
      const c2 = orig.getLayer('c2').apply(orig.getLayer('c1').apply(x)) as tf.Tensor4D;
      return tf.mean(c2, [1, 2]).dataSync();
    });
    const m = await loadModel(file);
    expect(m.arch).toBe('tfjs-layers');
    const f = await m.features(x);
    expectClose(f.final!, want, 'tfjs final');
    m.dispose();
    const info = await inspectCheckpoint(file);
    expect(info.format).toBe('tfjs-layers');
    // 10×10: c1 (stage1); 4×4: c2 (stage2 = final)
    expect(info.taps).toEqual([{ name: 'stage1', D: 5 }, { name: 'stage2', D: 7 }, { name: 'final', D: 7 }]);
    expect(info.inputSize).toBe(10);
    expect(info.imageSize).toBe(10);
    expect(info.parameters).toBe(orig.countParams());
    expect(info.numClasses).toBe(3);
    x.dispose();
    orig.dispose();
  });
});
