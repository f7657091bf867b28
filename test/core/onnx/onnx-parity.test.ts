/**
 * The ONNX engine against PyTorch: every tap (and the logits where logits.json has them) of every
 * fixture family that has a graph description, run by ONNX Runtime (backend `onnx`), within 1e-4
 * of the PyTorch references (test/fixtures/zoo/make_resnet.py, make_logits.py). The list is
 * explicit: a family joins it when it is described as a graph.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createFeaturePool, createModel, createOnnxSession, emitOnnx, extractFeatures, initBackend, loadModel, LOGITS, nhwcToNchw, readStateDict, type OnnxFeatureModel, type StateDict } from '@shapetex/core';
import { expectClose, FIX } from '../zoo/others-parity.js';
import { fixturePath, inputTensor, readReference, RESNET_FIXTURES } from '../zoo/resnet-fixtures.js';
import { emitOnnxForSession } from '../../../packages/core/dist/zoo/onnx-emit.js';

/** [fixture, arch]: every CNN fixture family (the transformers have their own file). */
export const ONNX_PARITY_FIXTURES = [
  ...RESNET_FIXTURES,
  ['resnet20_a', 'resnet20'],
  ['resnet20_b', 'resnet20'],
  ['resnet32_a_small', 'resnet32'],
  ['densenet_small', 'densenet121'],
  ['mobilenet_v2_small', 'mobilenet_v2'],
  ['efficientnet_b0_small', 'efficientnet_b0'],
  // 32 px: last maps 1x1 and 2x2, so the lowering crops kernels to the taps that meet pixels
  ['resnet18_32_small', 'resnet18'],
  ['efficientnet_b0_32_small', 'efficientnet_b0'],
  ['vgg16_small', 'vgg16'],
  ['vgg16_bn_small', 'vgg16_bn'],
] as const;

const LOGITS_REF = JSON.parse(readFileSync(path.join(FIX, 'logits.json'), 'utf8')) as Record<string, { logits: number[]; shape: [number, number] }>;

beforeAll(async () => {
  const info = await initBackend('onnx', { log: null, threads: 1 });
  expect(info).toMatchObject({ name: 'onnx', engine: 'onnxruntime', device: 'cpu', threads: 1 });
});

describe('ONNX Runtime equals PyTorch on every tap', () => {
  for (const [name, arch] of ONNX_PARITY_FIXTURES) {
    it(`${name} (${arch}): every tap${LOGITS_REF[name] ? ' and the logits' : ''} within 1e-4`, async () => {
      const ref = readReference(name);
      const model = createModel(arch, await readStateDict(fixturePath(name))) as OnnxFeatureModel;
      expect(model.engine).toBe('onnxruntime');
      const taps = [...model.taps, ...(LOGITS_REF[name] ? [LOGITS] : [])];
      const x = inputTensor(ref);
      const got = await model.features(x, taps);
      expect(Object.keys(got)).toEqual(taps);
      // every tap the fixture script recorded (all of a CNN's; a transformer's final and some blocks)
      const recorded = model.taps.filter((t) => ref.pooled[t]);
      expect(recorded).toContain('final');
      for (const t of recorded) expectClose(got[t]!, ref.pooled[t]!.data, `${name} ${t}`);
      if (LOGITS_REF[name]) expectClose(got[LOGITS]!, LOGITS_REF[name]!.logits, `${name} logits`);
      expect(model.timings.sessions).toBe(1);
      x.dispose();
      model.dispose();
      await expect(model.features(x, ['final'])).rejects.toThrow(/after dispose/);
    });
  }
});

describe('the ONNX FeatureModel inside the extraction paths', () => {
  it('extractFeatures and a two-worker pool on onnx give the PyTorch rows', async () => {
    const ref = readReference('resnet18_small');
    const model = createModel('resnet18', await readStateDict(fixturePath('resnet18_small')));
    const x = inputTensor(ref);
    // one row per batch: the session is reused across batches (one per tap set and size)
    const rows = tf.split(x, x.shape[0]) as tf.Tensor4D[];
    const feats = await extractFeatures(model, rows, { taps: ['stage2', 'final'] });
    expectClose(feats.final!.data, ref.pooled.final!.data, 'extractFeatures final');
    expectClose(feats.stage2!.data, ref.pooled.stage2!.data, 'extractFeatures stage2');
    expect((model as OnnxFeatureModel).timings.sessions).toBe(1);
    const pool = await createFeaturePool({ workers: 2, arch: 'resnet18', modelPath: fixturePath('resnet18_small') });
    try {
      expect(pool.backend).toBe('onnx');
      const got = await pool.features(x, ['final']);
      expectClose(got.final!, ref.pooled.final!.data, 'pool final');
    } finally {
      await pool.dispose();
    }
    tf.dispose([x, ...rows]);
    model.dispose();
  });

  it("later checkpoints of a graph, their weights beside the cached nodes as external data, give their own rows: PyTorch's, and a self-contained model's", async () => {
    const ref = readReference('resnet18_small');
    const real = await readStateDict(fixturePath('resnet18_small'));
    // other checkpoints of the same shapes: the fixture's weights scaled (BatchNorm statistics kept)
    const scaled = (f: number): StateDict => new Map([...real].map(([k, v]) => [k, k.endsWith('.weight') && v.data instanceof Float32Array ? { ...v, data: v.data.map((x) => x * f) } : v]));
    // a tap set no other test asks for, so this test sees the graph's first emission
    const taps = ['stage1', 'stage3', 'final'];
    const x = inputTensor(ref);
    const run = async (sd: StateDict) => {
      const m = createModel('resnet18', sd) as OnnxFeatureModel;
      const got = await m.features(x, taps);
      const cached = m.timings.cachedGraphs;
      m.dispose();
      return { got, cached };
    };
    // the oracle for a scaled checkpoint: its model encoded whole, weights inside (emitOnnx), on a session of its own
    const whole = async (sd: StateDict) => {
      const net = createModel('resnet18', sd) as OnnxFeatureModel;
      const session = await createOnnxSession(emitOnnx(net.network!, { taps, imageSize: x.shape[1] }).bytes, { threads: 1 });
      const [n, h, w, c] = x.shape;
      const out = await session.run({ image: { data: nhwcToNchw((await x.data()) as Float32Array, n, h, w, c), dims: [n, c, h, w] } }, taps);
      await session.release();
      net.dispose();
      return out;
    };
    // the session's model holds no weights: they go beside it, one in-memory file per float initializer
    const net = createModel('resnet18', real) as OnnxFeatureModel;
    const forSession = emitOnnxForSession(net.network!, { taps, imageSize: x.shape[1] });
    const self = emitOnnx(net.network!, { taps, imageSize: x.shape[1] });
    expect(forSession.cachedGraph).toBe(false);
    expect(self.cachedGraph).toBe(true);
    const weightBytes = forSession.externalData.reduce((a, f) => a + f.data.byteLength, 0);
    expect(forSession.externalData.length).toBeGreaterThan(20);
    // every float weight is outside the protobuf: what the whole model has more is those bytes
    // (less a few bytes of location, offset and length per tensor)
    expect(weightBytes).toBeGreaterThan(100_000);
    expect(self.bytes.length - forSession.bytes.length).toBeGreaterThan(weightBytes - 64 * forSession.externalData.length);
    expect(self.bytes.length - forSession.bytes.length).toBeLessThanOrEqual(weightBytes);
    net.dispose();

    const first = await run(scaled(0.5));
    const second = await run(scaled(0.8));
    expect(second.cached).toBe(1);
    const want08 = await whole(scaled(0.8));
    for (const t of taps) expect(Array.from(second.got[t]!), `0.8 ${t}`).toEqual(Array.from(want08[t]!.data));
    const third = await run(real);
    expect(third.cached).toBe(1);
    for (const t of taps) expectClose(third.got[t]!, ref.pooled[t]!.data, `real weights ${t}`);
    // back to the first weights
    const again = await run(scaled(0.5));
    for (const t of taps) expect(Array.from(again.got[t]!), `0.5 ${t}`).toEqual(Array.from(first.got[t]!));
    // two checkpoints opening sessions at once: each has its own weights
    const [a, b] = await Promise.all([run(real), run(scaled(0.8))]);
    for (const t of taps) expectClose(a.got[t]!, ref.pooled[t]!.data, `concurrent ${t}`);
    for (const t of taps) expect(Array.from(b.got[t]!), `concurrent 0.8 ${t}`).toEqual(Array.from(second.got[t]!));
    x.dispose();
  });

  it('pool workers take one ONNX Runtime thread each, whatever the main thread has, unless engine.threads says otherwise', async () => {
    await initBackend('onnx', { log: null, threads: 2 });
    try {
      for (const [engine, want] of [[undefined, 1], [{ threads: 2 }, 2]] as const) {
        const pool = await createFeaturePool({ workers: 2, arch: 'resnet18', modelPath: fixturePath('resnet18_small'), ...(engine ? { engine } : {}) });
        try {
          expect(pool.threads).toBe(want);
        } finally {
          await pool.dispose();
        }
      }
    } finally {
      await initBackend('onnx', { log: null, threads: 1 });
    }
  });

  it('a network without a graph (a TF.js model) runs on TF.js under onnx and equals tfjs-layers\' own forward', async () => {
    const m = tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
    ] });
    const dir = mkdtempSync(path.join(tmpdir(), 'shapetex-onnx-tfjs-'));
    try {
      await m.save(tf.io.withSaveHandler(async (a) => {
        writeFileSync(path.join(dir, 'group1-shard1of1.bin'), new Uint8Array(a.weightData as ArrayBuffer));
        writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
          format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
        }));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      const model = await loadModel(path.join(dir, 'model.json'));
      expect((model as Partial<OnnxFeatureModel>).engine).toBeUndefined();
      const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const want = m.predict(x) as tf.Tensor2D;
      expectClose((await model.features(x, ['final'])).final!, await want.data(), 'TF.js model final');
      tf.dispose([x, want]);
      model.dispose();
    } finally {
      m.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('unknown taps and logits without a classifier are the TF path\'s errors', async () => {
    const sd = await readStateDict(fixturePath('resnet18_small'));
    sd.delete('fc.weight');
    sd.delete('fc.bias');
    const model = createModel('resnet18', sd);
    const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    await expect(model.features(x, ['stage9'])).rejects.toThrow(/unknown tap "stage9"; available taps: stage1/);
    await expect(model.features(x, [LOGITS])).rejects.toThrow(/no logits: the checkpoint has no classifier weights \(fc.weight\)/);
    x.dispose();
    model.dispose();
  });
});
