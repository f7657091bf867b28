/**
 * `bias-score export-onnx`: the written file is valid ONNX by onnx's own checker (Python's
 * onnx.checker.check_model with shape inference), opens in ONNX Runtime, and gives PyTorch's
 * pooled taps and logits on the fixture's input; the printed inputs and outputs are the file's.
 * Usage errors exit 2; a network without a graph (a TF.js model) exits 1 saying so.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxSession, nhwcToNchw } from '@shapetex/core';
import { bias, REPO } from './helpers.js';
import { expectClose, FIX } from '../core/zoo/others-parity.js';
import { readReference } from '../core/zoo/resnet-fixtures.js';

const dir = mkdtempSync(path.join(tmpdir(), 'shapetex-export-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LOGITS_REF = JSON.parse(readFileSync(path.join(FIX, 'logits.json'), 'utf8')) as Record<string, { logits: number[] }>;

const CHECK = [
  'import onnx, sys, json',
  'm = onnx.load(sys.argv[1])',
  'onnx.checker.check_model(m, full_check=True)',
  'dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]',
  'print(json.dumps({"opset": m.opset_import[0].version, "inputs": {i.name: dims(i) for i in m.graph.input}, "outputs": {o.name: dims(o) for o in m.graph.output}, "initializers": [i.name for i in m.graph.initializer][:4]}))',
].join('\n');

describe('bias-score export-onnx', () => {
  it('writes a model onnx.checker accepts, printing its inputs and outputs, that gives PyTorch\'s numbers', async () => {
    const file = path.join(dir, 'resnet18.onnx');
    const ckpt = path.join(REPO, 'test/fixtures/zoo/resnet18_small.pth');
    const r = await bias(['export-onnx', ckpt, '--taps', 'stage1,stage4,final,logits', '--image-size', '64', '-o', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote .*resnet18\.onnx \(resnet18, ONNX opset 13, \d+ bytes; opens in ONNX Runtime 1\.\d+\.\d+\)/);
    expect(r.stdout).toContain('  input   image [N, 3, 64, 64]\n  output  stage1 [N, 4]\n  output  stage4 [N, 32]\n  output  final [N, 32]\n  output  logits [N, 10]\n');

    const checked = JSON.parse(execFileSync('/usr/bin/python3', ['-c', CHECK, file], { encoding: 'utf8' }));
    expect(checked).toEqual({
      opset: 13,
      inputs: { image: ['N', 3, 64, 64] },
      outputs: { stage1: ['N', 4], stage4: ['N', 32], final: ['N', 32], logits: ['N', 10] },
      // named after the state_dict, BatchNorm folded into the convs' bias
      initializers: ['conv1.weight', 'conv1.bias', 'layer1.0.conv1.weight', 'layer1.0.conv1.bias'],
    });

    const ref = readReference('resnet18_small');
    const [n, h, w, c] = ref.input.shape;
    const session = await createOnnxSession(new Uint8Array(readFileSync(file)), {}, file);
    const got = await session.run({ image: { data: nhwcToNchw(ref.input.data, n, h, w, c), dims: [n, c, h, w] } }, ['stage1', 'stage4', 'final', 'logits']);
    for (const t of ['stage1', 'stage4', 'final']) expectClose(got[t]!.data, ref.pooled[t]!.data, `exported ${t}`);
    expectClose(got.logits!.data, LOGITS_REF.resnet18_small!.logits, 'exported logits');
    await session.release();
  });

  it('exits 2 on usage errors naming the option or tap, 1 for a network without a graph (a TF.js model)', async () => {
    const ckpt = path.join(REPO, 'test/fixtures/zoo/resnet18_small.pth');
    const out = path.join(dir, 'x.onnx');
    const usage: [string[], RegExp][] = [
      [['export-onnx', ckpt, '--taps', 'stage9', '-o', out], /--taps: resnet18: unknown tap "stage9"; available taps: stage1/],
      [['export-onnx', ckpt, '--image-size', 'big', '-o', out], /--image-size must be an integer/],
      [['export-onnx', ckpt], /required option '-o, --out <file>'/],
      [['export-onnx', path.join(dir, 'missing.pth'), '-o', out], /missing\.pth: no such file/],
    ];
    for (const [args, message] of usage) {
      const r = await bias(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    // every zoo family is a graph; a TF.js model is not one, so it cannot be written as ONNX
    const m = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 3, name: 'conv1' }), tfl.layers.globalAveragePooling2d({ name: 'gap' })] });
    const tfjsDir = path.join(dir, 'tfjs');
    mkdirSync(tfjsDir, { recursive: true });
    await m.save(tf.io.withSaveHandler(async (a) => {
      writeFileSync(path.join(tfjsDir, 'group1-shard1of1.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      writeFileSync(path.join(tfjsDir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }] }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    m.dispose();
    const tfjs = await bias(['export-onnx', path.join(tfjsDir, 'model.json'), '-o', out]);
    expect(tfjs.status).toBe(1);
    expect(tfjs.stderr).toMatch(/this network has no graph description, so it cannot be emitted as ONNX/);
  });
});
