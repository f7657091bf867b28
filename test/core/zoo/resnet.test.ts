import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, initBackend, resnetSpecs, preactSpecs, type StateDict } from '@shapetex/core';
import { damaged, expectClose } from './others-parity.js';
import { RESNET_FIXTURES, inputTensor, loadResnetFixture } from './resnet-fixtures.js';

const SPECS = [...resnetSpecs, ...preactSpecs];
const spec = (name: string) => SPECS.find((s) => s.name === name)!;
const TAPS = ['stage1', 'stage2', 'stage3', 'stage4', 'final'];

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`ResNet families: every tap equals PyTorch on ${backend}`, () => {
    beforeAll(async () => { await initBackend(backend, { log: null }); });

    for (const [fixture, arch] of RESNET_FIXTURES) {
      it(`${fixture} (${arch}): maps and pooled vectors of stage1..stage4 and final`, async () => {
        const { sd, ref } = await loadResnetFixture(fixture);
        expect(ref.arch).toBe(arch);
        const x = inputTensor(ref);
        const before = tf.memory().numTensors;
        const net = spec(arch).build(sd);
        expect(net.taps).toEqual(TAPS);
        const maps = tf.tidy(() => {
          const out = net.forward(x, TAPS);
          return TAPS.map((t) => ({ shape: out[t]!.shape, data: out[t]!.dataSync() as Float32Array }));
        });
        TAPS.forEach((t, i) => {
          expect(maps[i]!.shape, `${t} shape`).toEqual(ref.maps[t]!.shape);
          expectClose(maps[i]!.data, ref.maps[t]!.data, `${fixture} ${t} map`);
          expect(net.tapChannels![t]).toBe(ref.maps[t]!.shape[3]);
        });
        net.dispose();
        expect(tf.memory().numTensors).toBe(before);

        const model = createModel(arch, sd);
        const feats = await model.features(x, TAPS);
        for (const t of TAPS) expectClose(feats[t]!, ref.pooled[t]!.data, `${fixture} ${t} pooled`);
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
        x.dispose();
      });
    }
  });
}

describe('ResNet builders: layout, options and errors', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('classes come from fc.weight / linear.weight; the default image size is 224 (ImageNet) or 32 (CIFAR)', async () => {
    for (const [fixture, arch, classes, size] of [
      ['resnet50_small', 'resnet50', 10, 224], ['resnet18k_small', 'resnet18k', 100, 32],
    ] as const) {
      const { sd } = await loadResnetFixture(fixture);
      const m = createModel(arch, sd);
      expect([m.numClasses, m.defaultImageSize]).toEqual([classes, size]);
      m.dispose();
      const n = createModel(arch, new Map([...sd].filter(([k]) => !/^(fc|linear)\./.test(k))), { numClasses: 7 });
      expect(n.numClasses).toBe(7);
      n.dispose();
    }
  });

  it('resnet18k: with a final bn, final = relu(bn(layer4)) differs from stage4; without, final is layer4', async () => {
    const withBn = await loadResnetFixture('resnet18k_bn_small');
    const m = createModel('resnet18k', withBn.sd);
    const x = inputTensor(withBn.ref);
    const f = await m.features(x, ['stage4', 'final']);
    expect(Array.from(f.final!).some((v, i) => Math.abs(v - f.stage4![i]!) > 1e-3)).toBe(true);
    expect(Math.min(...f.final!)).toBeGreaterThanOrEqual(0);
    m.dispose();
    x.dispose();
    const plain = await loadResnetFixture('resnet18k_small');
    const p = createModel('resnet18k', plain.sd);
    const y = inputTensor(plain.ref);
    const g = await p.features(y, ['stage4', 'final']);
    expect(Array.from(g.final!)).toEqual(Array.from(g.stage4!));
    p.dispose();
    y.dispose();
  });

  it('a state_dict that does not fit lists missing, unexpected and misshapen keys (expected vs found)', async () => {
    const { sd } = await loadResnetFixture('resnet18_small');
    const bad = damaged(sd, 'layer3.1.bn2.running_var', 'layer2.0.downsample.1.weight');
    expect(spec('resnet18').match(bad)).toBe(0);
    expect(() => spec('resnet18').build(bad)).toThrow(
      /resnet18: missing keys: layer3\.1\.bn2\.running_var; unexpected keys: extra\.weight; shape mismatches: layer2\.0\.downsample\.1\.weight expected \[8\] found \[9\]/);
    // resnet34 needs more blocks than a resnet18 state_dict has
    expect(() => spec('resnet34').build(sd)).toThrow(/does not fit resnet34: missing keys: layer1\.2\.conv1\.weight/);
    // resnet18 on a resnet34 state_dict: the extra blocks are unexpected
    const r34 = await loadResnetFixture('resnet34_small');
    expect(() => spec('resnet18').build(r34.sd)).toThrow(/does not fit resnet18: unexpected keys: layer1\.2\.conv1\.weight/);
    // a bottleneck state_dict is not a BasicBlock network
    const r50 = await loadResnetFixture('resnet50_small');
    expect(() => spec('resnet18').build(r50.sd)).toThrow(/shape mismatches: layer1\.0\.conv1\.weight expected \[4, 4, 3, 3\] found \[4, 4, 1, 1\]/);
  });

  it('a missing projection shortcut where the shape changes is reported, not silently replaced by identity', async () => {
    const { sd } = await loadResnetFixture('resnet18k_small');
    const bad: StateDict = new Map([...sd].filter(([k]) => !k.startsWith('layer2.0.shortcut.')));
    expect(() => spec('resnet18k').build(bad)).toThrow(/resnet18k: missing keys: layer2\.0\.shortcut\.0\.weight$/);
  });

  it('an unknown tap is an error listing the taps', async () => {
    const { sd, ref } = await loadResnetFixture('resnet18_small');
    const m = createModel('resnet18', sd);
    const x = inputTensor(ref);
    await expect(m.features(x, ['layer5'])).rejects.toThrow(/resnet18: unknown tap "layer5"; available taps: stage1, stage2, stage3, stage4, final/);
    m.dispose();
    x.dispose();
  });

  it('memory is flat over 50 create / features / dispose cycles', async () => {
    const { sd, ref } = await loadResnetFixture('resnet18_small');
    const x = tf.tidy(() => tf.slice(inputTensor(ref), [0, 0, 0, 0], [1, 32, 32, 3]));
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    for (let i = 0; i < 50; i++) {
      const m = createModel('resnet18', sd);
      await m.features(x, ['stage2', 'final']);
      m.dispose();
      m.dispose(); // a second dispose is harmless
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytes);
    x.dispose();
  });
});
