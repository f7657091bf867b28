import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, createRng } from '@shapetex/core';
import { loadTfjsModel, TfjsModelError, tfjsWeightValues } from '../../../packages/core/dist/zoo/tfjs.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-tfjs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes what tfjs's save handlers would: model.json + one weight shard. */
async function saveLayers(model: tfl.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    const bytes = new Uint8Array(a.weightData as ArrayBuffer);
    writeFileSync(path.join(dir, 'group1-shard1of1.bin'), bytes);
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: 'test', modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return path.join(dir, 'model.json');
}

function smallCnn(): tfl.Sequential {
  const m = tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, padding: 'same', name: 'conv1' }),
    tfl.layers.batchNormalization({ name: 'bn1' }),
    tfl.layers.activation({ activation: 'relu', name: 'relu1' }),
    tfl.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'relu', name: 'conv2' }),
    tfl.layers.globalAveragePooling2d({ name: 'gap' }),
    tfl.layers.dense({ units: 5, name: 'logits' }),
  ] });
  // BatchNorm far from the identity, so a load that dropped its statistics would show.
  const rng = createRng(7);
  const bn = m.getLayer('bn1');
  bn.setWeights(bn.getWeights().map((w, i) => tf.tensor1d(Array.from({ length: w.size }, () => (i === 3 ? 0.5 + rng.next() : 0.5 * rng.normal())))));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`loadTfjsModel on ${backend}`, () => {
    beforeAll(async () => { await initBackend(backend, { log: null }); });

    it('loads a LayersModel saved by TF.js; taps are its resolution stages and final (the map before global pooling); layer names are accepted too', async () => {
      const orig = smallCnn();
      const file = await saveLayers(orig, path.join(tmp, `layers-${backend}`));
      const net = await loadTfjsModel(file);
      expect(net.arch).toBe('tfjs-layers');
      // 12×12: conv1, bn1, relu1 (stage1 = the last of them); 5×5: conv2 (stage2 = final)
      expect(net.taps).toEqual(['stage1', 'stage2', 'final']);
      expect(net.layerTaps).toEqual(['conv1', 'bn1', 'relu1', 'conv2', 'gap', 'logits']);
      expect(net.defaultImageSize).toBe(12);
      expect(net.inputSize).toBe(12);
      expect(net.numClasses).toBe(5);

      const x = tf.randomNormal([3, 12, 12, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
      const oracle = tfl.model({ inputs: orig.inputs, outputs: [orig.getLayer('conv2').output as tfl.SymbolicTensor, orig.getLayer('bn1').output as tfl.SymbolicTensor] });
      const [wantFinal, wantBn] = (oracle.predict(x) as tf.Tensor[]).map((t) => t.dataSync());
      const wantLogits = (orig.predict(x) as tf.Tensor).dataSync();

      const before = tf.memory().numTensors;
      const got = tf.tidy(() => net.forward(x, ['final', 'bn1', 'logits', 'gap']));
      expect(got.final!.shape).toEqual([3, 5, 5, 6]);
      expect(got.logits!.shape).toEqual([3, 1, 1, 5]);
      expect(maxAbsDiff(got.final!.dataSync(), wantFinal!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(got.bn1!.dataSync(), wantBn!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(got.logits!.dataSync(), wantLogits)).toBeLessThan(1e-5);
      expect(got.gap!.shape).toEqual([3, 1, 1, 6]);
      expect(maxAbsDiff(got.gap!.dataSync(), tf.tidy(() => tf.mean(got.final!, [1, 2]).dataSync()))).toBeLessThan(1e-5);
      tf.dispose(Object.values(got));
      expect(tf.memory().numTensors).toBe(before);

      const stages = tf.tidy(() => net.forward(x, ['stage1', 'stage2', 'relu1']));
      expect(stages.stage1!.shape).toEqual([3, 12, 12, 4]);
      expect(Array.from(stages.stage1!.dataSync())).toEqual(Array.from(stages.relu1!.dataSync()));
      expect(maxAbsDiff(stages.stage2!.dataSync(), wantFinal!)).toBeLessThan(1e-5);
      tf.dispose(Object.values(stages));

      expect(() => net.forward(x, ['nope'])).toThrow(/unknown tap "nope"; taps: stage1, stage2, final \(or a layer name: conv1/);
      net.dispose();
      orig.dispose();
      x.dispose();
    });

    it('loads a hand-written GraphModel; final is the input of the Mean over axes [1, 2]', async () => {
      const file = writeGraphModel(path.join(tmp, `graph-${backend}`));
      const net = await loadTfjsModel(file);
      expect(net.arch).toBe('tfjs-graph');
      // conv, bias and relu all work at 5×5: one stage, whose tap is relu (= final)
      expect(net.taps).toEqual(['stage1', 'final']);
      expect(net.layerTaps).toEqual(['conv', 'bias', 'relu', 'gap', 'logits']);
      expect(net.defaultImageSize).toBe(GRAPH.size);
      expect(net.inputSize).toBe(GRAPH.size);
      // a GraphDef written without shape annotations says nothing of its output size
      expect(net.numClasses).toBeUndefined();

      const rng = createRng(3);
      const xs = Float32Array.from({ length: 2 * GRAPH.size * GRAPH.size * 3 }, () => rng.normal());
      const x = tf.tensor4d(xs, [2, GRAPH.size, GRAPH.size, 3]);
      const want = naiveConvReluNhwc(xs, 2);
      const got = tf.tidy(() => net.forward(x, ['final', 'logits', 'stage1']));
      expect(got.final!.shape).toEqual([2, GRAPH.size - 2, GRAPH.size - 2, 4]);
      expect(maxAbsDiff(got.final!.dataSync(), want)).toBeLessThan(1e-5);
      expect(maxAbsDiff(got.stage1!.dataSync(), want)).toBeLessThan(1e-5);
      // logits = mean over positions of the map, times W (4 x 2)
      const p = (GRAPH.size - 2) ** 2;
      const logits: number[] = [];
      for (let n = 0; n < 2; n++) {
        for (let k = 0; k < 2; k++) {
          let s = 0;
          for (let c = 0; c < 4; c++) {
            let m = 0;
            for (let i = 0; i < p; i++) m += want[(n * p + i) * 4 + c]!;
            s += (m / p) * GRAPH.dense[c * 2 + k]!;
          }
          logits.push(s);
        }
      }
      expect(maxAbsDiff(got.logits!.dataSync(), logits)).toBeLessThan(1e-5);
      tf.dispose(Object.values(got));
      net.dispose();
      x.dispose();
    });

    it('a GraphModel without global pooling: final is the last node with a 4-D output', async () => {
      const net = await loadTfjsModel(writeGraphModel(path.join(tmp, `graph-pool-${backend}`), 'maxpool'));
      // 5×5 (conv, bias, relu → stage1 = relu), then 2×2 (pool → stage2 = final)
      expect(net.taps).toEqual(['stage1', 'stage2', 'final']);
      const x = tf.randomNormal([2, GRAPH.size, GRAPH.size, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
      const got = tf.tidy(() => net.forward(x, ['final', 'pool', 'relu', 'stage1', 'stage2']));
      expect(Array.from(got.stage1!.dataSync())).toEqual(Array.from(got.relu!.dataSync()));
      expect(Array.from(got.stage2!.dataSync())).toEqual(Array.from(got.pool!.dataSync()));
      expect(got.final!.shape).toEqual([2, 2, 2, 4]);
      expect(Array.from(got.final!.dataSync())).toEqual(Array.from(got.pool!.dataSync()));
      const want = tf.tidy(() => tf.maxPool(got.relu!, 2, 2, 'valid').dataSync());
      expect(Array.from(got.final!.dataSync())).toEqual(Array.from(want));
      tf.dispose([...Object.values(got), x]);
      net.dispose();
    });
  });
}

describe('loadTfjsModel rejects bad files with the file and the reason', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('missing, truncated or escaping weight shards; non-model JSON', async () => {
    const orig = smallCnn();
    const dir = path.join(tmp, 'bad');
    const file = await saveLayers(orig, dir);
    orig.dispose();
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const bin = readFileSync(path.join(dir, 'group1-shard1of1.bin'));

    writeFileSync(path.join(dir, 'group1-shard1of1.bin'), bin.subarray(0, bin.length - 8));
    await expect(loadTfjsModel(file)).rejects.toThrow(/model\.json: weight shards group1-shard1of1\.bin hold \d+ bytes; the weights listed need \d+/);
    rmSync(path.join(dir, 'group1-shard1of1.bin'));
    await expect(loadTfjsModel(file)).rejects.toThrow(/cannot read weight shard group1-shard1of1\.bin/);

    json.weightsManifest[0].paths = ['../../etc/passwd'];
    writeFileSync(file, JSON.stringify(json));
    await expect(loadTfjsModel(file)).rejects.toThrow(/leaves the model folder/);

    writeFileSync(file, JSON.stringify({ weightsManifest: [] }));
    await expect(loadTfjsModel(file)).rejects.toThrow(TfjsModelError);
    writeFileSync(file, '{ not json');
    await expect(loadTfjsModel(file)).rejects.toThrow(/model\.json: not valid JSON/);
    await expect(loadTfjsModel(path.join(dir, 'absent.json'))).rejects.toThrow(/absent\.json: cannot read model\.json/);
  });
});

/*
 * A GraphModel without Python TensorFlow: the GraphDef below is written by hand in the JSON form
 * the converter emits (Placeholder -> Conv2D VALID -> BiasAdd -> Relu -> Mean[1,2] -> MatMul).
 */
const rngG = createRng(42);
const GRAPH = {
  size: 7,
  filter: Float32Array.from({ length: 3 * 3 * 3 * 4 }, () => 0.4 * rngG.normal()), // HWIO
  bias: Float32Array.from({ length: 4 }, () => 0.3 * rngG.normal()),
  dense: Float32Array.from({ length: 4 * 2 }, () => rngG.normal()),
};

function naiveConvReluNhwc(x: Float32Array, n: number): Float32Array {
  const S = GRAPH.size; const O = S - 2;
  const out = new Float32Array(n * O * O * 4);
  for (let b = 0; b < n; b++) for (let i = 0; i < O; i++) for (let j = 0; j < O; j++) for (let o = 0; o < 4; o++) {
    let s = GRAPH.bias[o]!;
    for (let di = 0; di < 3; di++) for (let dj = 0; dj < 3; dj++) for (let c = 0; c < 3; c++) {
      s += x[((b * S + i + di) * S + j + dj) * 3 + c]! * GRAPH.filter[((di * 3 + dj) * 3 + c) * 4 + o]!;
    }
    out[((b * O + i) * O + j) * 4 + o] = Math.max(0, s);
  }
  return out;
}

function writeGraphModel(dir: string, tail: 'gap' | 'maxpool' = 'gap'): string {
  mkdirSync(dir, { recursive: true });
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const f32 = { type: 'DT_FLOAT' };
  const konst = (name: string, dtype: string) => ({ name, op: 'Const', attr: { dtype: { type: dtype }, value: { tensor: { dtype } } } });
  let node = [
    { name: 'input', op: 'Placeholder', attr: { dtype: f32, shape: { shape: { dim: [{ size: '-1' }, { size: String(GRAPH.size) }, { size: String(GRAPH.size) }, { size: '3' }] } } } },
    konst('w', 'DT_FLOAT'), konst('b', 'DT_FLOAT'), konst('axes', 'DT_INT32'), konst('dense_w', 'DT_FLOAT'),
    { name: 'conv', op: 'Conv2D', input: ['input', 'w'], attr: { T: f32, strides: { list: { i: ['1', '1', '1', '1'] } }, padding: { s: b64('VALID') }, data_format: { s: b64('NHWC') }, dilations: { list: { i: ['1', '1', '1', '1'] } } } },
    { name: 'bias', op: 'BiasAdd', input: ['conv', 'b'], attr: { T: f32, data_format: { s: b64('NHWC') } } },
    { name: 'relu', op: 'Relu', input: ['bias'], attr: { T: f32 } },
    { name: 'gap', op: 'Mean', input: ['relu', 'axes'], attr: { T: f32, keep_dims: { b: false }, Tidx: { type: 'DT_INT32' } } },
    { name: 'logits', op: 'MatMul', input: ['gap', 'dense_w'], attr: { T: f32, transpose_a: { b: false }, transpose_b: { b: false } } },
  ];
  if (tail === 'maxpool') {
    // no global pooling: the graph ends in a 4-D map
    node = node.filter((n) => n.name !== 'gap' && n.name !== 'logits');
    node.push({ name: 'pool', op: 'MaxPool', input: ['relu'], attr: { T: f32, ksize: { list: { i: ['1', '2', '2', '1'] } }, strides: { list: { i: ['1', '2', '2', '1'] } }, padding: { s: b64('VALID') }, data_format: { s: b64('NHWC') } } } as never);
  }
  const weights = [
    { name: 'w', shape: [3, 3, 3, 4], dtype: 'float32' },
    { name: 'b', shape: [4], dtype: 'float32' },
    { name: 'axes', shape: [2], dtype: 'int32' },
    { name: 'dense_w', shape: [4, 2], dtype: 'float32' },
  ];
  const bin = Buffer.concat([
    Buffer.from(GRAPH.filter.buffer), Buffer.from(GRAPH.bias.buffer),
    Buffer.from(Int32Array.from([1, 2]).buffer), Buffer.from(GRAPH.dense.buffer),
  ]);
  writeFileSync(path.join(dir, 'group1-shard1of1.bin'), bin);
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
    format: 'graph-model', generatedBy: 'hand', convertedBy: null,
    modelTopology: { node, library: {}, versions: {} },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }],
  }));
  return path.join(dir, 'model.json');
}

describe('tfjsWeightValues: a model.json\'s weights without a backend', () => {
  it('decodes float32, int32 and uint8/uint16/float16-quantized weights as tfjs itself does', async () => {
    await initBackend('cpu');
    const rng = createRng(11);
    const weights = [
      { spec: { name: 'a/kernel', shape: [2, 3], dtype: 'float32' as const }, data: Array.from({ length: 6 }, () => rng.normal()) },
      { spec: { name: 'b/count', shape: [3], dtype: 'int32' as const }, data: [-4, 0, 9] },
      { spec: { name: 'c/q8', shape: [4], dtype: 'float32' as const, quantization: { dtype: 'uint8' as const, scale: 0.05, min: -1.5 } }, data: [0, 7, 200, 255] },
      { spec: { name: 'd/q16', shape: [2], dtype: 'float32' as const, quantization: { dtype: 'uint16' as const, scale: 0.001, min: 2 } }, data: [3, 60000] },
      { spec: { name: 'e/f16', shape: [3], dtype: 'float32' as const, quantization: { dtype: 'float16' as const } }, data: [0x3c00, 0xc000, 0x3555] },
    ];
    const bytes = (w: (typeof weights)[number]) => {
      const q = w.spec.quantization?.dtype;
      if (q === 'uint8') return new Uint8Array(w.data).buffer;
      if (q === 'uint16' || q === 'float16') return new Uint16Array(w.data).buffer;
      return w.spec.dtype === 'int32' ? new Int32Array(w.data).buffer : new Float32Array(w.data).buffer;
    };
    const buffer = tf.io.concatenateArrayBuffers(weights.map(bytes));
    const specs = weights.map((w) => w.spec);
    const got = tfjsWeightValues({ weightSpecs: specs, weightData: buffer });
    // the oracle: tfjs's own decoder
    const want = tf.io.decodeWeights(buffer, specs);
    expect(got.map((w) => w.name)).toEqual(specs.map((s) => s.name));
    for (const w of got) {
      expect(w.shape).toEqual(want[w.name]!.shape);
      expect(Array.from(w.data!)).toEqual(Array.from(want[w.name]!.dataSync()));
    }
    tf.dispose(Object.values(want));
    expect(() => tfjsWeightValues({ weightSpecs: specs, weightData: buffer.slice(0, 20) }, 'x/model.json')).toThrow(/x\/model\.json: weight a\/kernel needs bytes up to 24; the shards hold 20/);
  });
});
