/**
 * The CIFAR ResNets (resnet20 … resnet1202, options A and B) against PyTorch: the fixtures of
 * test/fixtures/zoo/make_cifar_resnet.py hold the trainer-style module's taps and logits on a
 * stored input. Detection of the deep variants reads key layouts built here (shapes, no data).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  ARCHITECTURES, cifarResnetSpecs, cifarShortcutOption, createModel, detectArchitecture, initBackend,
  listArchitectures, LOGITS, readStateDict, type StateDict,
} from '@shapetex/core';
import { damaged, expectClose, FIX, layouts, readRefArrays, type RefArray } from './others-parity.js';
import { RESNET_FIXTURES, loadResnetFixture, resnetLayouts } from './resnet-fixtures.js';

const TAPS = ['stage1', 'stage2', 'stage3', 'final'];
const FIXTURES = [
  ['resnet20_a', 'resnet20', 'A'],
  ['resnet20_b', 'resnet20', 'B'],
  ['resnet32_a_small', 'resnet32', 'A'],
] as const;
const spec = (name: string) => cifarResnetSpecs.find((s) => s.name === name)!;

async function loadCifar(name: string): Promise<{ sd: StateDict; meta: Record<string, unknown>; arrays: Record<string, RefArray>; x: tf.Tensor4D }> {
  const sd = await readStateDict(path.join(FIX, `${name}.pth`));
  const { meta, arrays } = readRefArrays(name);
  const input = arrays.input!;
  return { sd, meta, arrays, x: tf.tensor4d(input.data, input.shape as [number, number, number, number]) };
}

/** The key shapes of a trainer-style CIFAR ResNet with n blocks per stage (no data: detection reads shapes). */
function cifarKeys(n: number, option: 'A' | 'B', widths = [16, 32, 64], head = 'linear', projection = 'shortcut'): StateDict {
  const sd: StateDict = new Map();
  const put = (k: string, shape: number[]): void => { sd.set(k, { dtype: 'float32', shape, data: new Float32Array(0) }); };
  const bn = (p: string, c: number): void => {
    for (const k of ['weight', 'bias', 'running_mean', 'running_var']) put(`${p}.${k}`, [c]);
    sd.set(`${p}.num_batches_tracked`, { dtype: 'int64', shape: [], data: new Float32Array(0) });
  };
  put('conv1.weight', [widths[0]!, 3, 3, 3]);
  bn('bn1', widths[0]!);
  let cin = widths[0]!;
  widths.forEach((w, s) => {
    for (let b = 0; b < n; b++) {
      const p = `layer${s + 1}.${b}`;
      put(`${p}.conv1.weight`, [w, cin, 3, 3]);
      bn(`${p}.bn1`, w);
      put(`${p}.conv2.weight`, [w, w, 3, 3]);
      bn(`${p}.bn2`, w);
      if (option === 'B' && cin !== w) {
        put(`${p}.${projection}.0.weight`, [w, cin, 1, 1]);
        bn(`${p}.${projection}.1`, w);
      }
      cin = w;
    }
  });
  put(`${head}.weight`, [10, cin]);
  put(`${head}.bias`, [10]);
  return sd;
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`CIFAR ResNets: every tap and the logits equal PyTorch on ${backend}`, () => {
    beforeAll(async () => { await initBackend(backend, { log: null }); });

    for (const [fixture, arch, option] of FIXTURES) {
      it(`${fixture} (${arch}, option ${option}): maps, pooled vectors and logits`, async () => {
        const { sd, meta, arrays, x } = await loadCifar(fixture);
        expect([meta.arch, meta.option]).toEqual([arch, option]);
        const before = tf.memory().numTensors;
        const net = spec(arch).build(sd);
        expect([net.taps, net.defaultImageSize, net.numClasses, net.hasLogits]).toEqual([TAPS, 32, 10, true]);
        const outs = tf.tidy(() => {
          const out = net.forward(x, [...TAPS, LOGITS]);
          return [...TAPS, LOGITS].map((t) => ({ shape: out[t]!.shape, data: out[t]!.dataSync() as Float32Array }));
        });
        TAPS.forEach((t, i) => {
          expect(outs[i]!.shape, `${t} shape`).toEqual(arrays[t]!.shape);
          expectClose(outs[i]!.data, arrays[t]!.data, `${fixture} ${t} map`);
          expect(net.tapChannels![t]).toBe(arrays[t]!.shape[3]);
        });
        expect(outs[4]!.shape).toEqual([2, 1, 1, 10]);
        expectClose(outs[4]!.data, arrays.logits!.data, `${fixture} logits`);
        net.dispose();
        expect(tf.memory().numTensors).toBe(before);

        const model = createModel('auto', sd);
        expect(model.arch).toBe(arch);
        const feats = await model.features(x, [...TAPS, LOGITS]);
        for (const t of TAPS) expectClose(feats[t]!, arrays[`${t}_pooled`]!.data, `${fixture} ${t} pooled`);
        expectClose(feats[LOGITS]!, arrays.logits!.data, `${fixture} logits through features`);
        model.dispose();
        expect(tf.memory().numTensors).toBe(before);
        x.dispose();
      });
    }
  });
}

describe('CIFAR ResNets: detection', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('are registered under the paper\'s names', () => {
    for (const d of [20, 32, 44, 56, 110, 1202]) expect(listArchitectures()).toContain(`resnet${d}`);
  });

  it('each fixture is detected as its own depth, with its shortcut option, and claimed by that spec only', async () => {
    for (const [fixture, arch, option] of FIXTURES) {
      const { sd, x } = await loadCifar(fixture);
      x.dispose();
      expect(detectArchitecture(sd), fixture).toBe(arch);
      expect(cifarShortcutOption(sd), fixture).toBe(option);
      expect(ARCHITECTURES.filter((s) => s.match(sd) > 0).map((s) => s.name), fixture).toEqual([arch]);
    }
  });

  it('every depth and both options are detected from their key layouts, torchvision-style names (`downsample`, `fc`) too', () => {
    const namings = [['A', 'linear', 'shortcut'], ['A', 'fc', 'shortcut'], ['B', 'linear', 'shortcut'], ['B', 'fc', 'shortcut'], ['B', 'fc', 'downsample']] as const;
    for (const depth of [20, 32, 44, 56, 110, 1202]) {
      const n = (depth - 2) / 6;
      for (const [option, head, projection] of namings) {
        const sd = cifarKeys(n, option, [16, 32, 64], head, projection);
        const what = `resnet${depth} option ${option} ${head} ${projection}`;
        expect(ARCHITECTURES.filter((s) => s.match(sd) > 0).map((s) => s.name), what).toEqual([`resnet${depth}`]);
        expect(cifarShortcutOption(sd), what).toBe(option);
      }
    }
    // a block count of no registered depth (n = 4: 26 layers) is no CIFAR ResNet
    expect(cifarResnetSpecs.filter((s) => s.match(cifarKeys(4, 'A')) > 0)).toEqual([]);
  });

  it('the PreAct ResNet-18 (resnet18k) and torchvision ResNets are not claimed', async () => {
    for (const [name, sd] of Object.entries({ ...layouts(), ...resnetLayouts() })) {
      expect(cifarResnetSpecs.filter((s) => s.match(sd) > 0).map((s) => s.name), name).toEqual([]);
    }
    for (const [fixture] of RESNET_FIXTURES) {
      const { sd } = await loadResnetFixture(fixture);
      expect(cifarResnetSpecs.filter((s) => s.match(sd) > 0).map((s) => s.name), fixture).toEqual([]);
    }
  });
});

describe('CIFAR ResNets: errors, options and memory', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('a state_dict that does not fit names the missing, unexpected and misshapen keys', async () => {
    const { sd, x } = await loadCifar('resnet20_b');
    x.dispose();
    const bad = damaged(sd, 'layer2.1.bn2.running_var', 'layer3.0.conv2.weight');
    expect(spec('resnet20').match(bad)).toBe(0);
    expect(() => spec('resnet20').build(bad)).toThrow(
      /resnet20: missing keys: layer2\.1\.bn2\.running_var; unexpected keys: extra\.weight; shape mismatches: layer3\.0\.conv2\.weight expected \[64, 64, 3, 3\] found \[65, 64, 3, 3\]/);
    // option B without one of its projections: reported, not replaced by option A's padding
    const noProj: StateDict = new Map([...sd].filter(([k]) => !k.startsWith('layer2.0.shortcut.')));
    expect(() => spec('resnet20').build(noProj)).toThrow(/resnet20: missing keys: layer2\.0\.shortcut\.0\.weight, layer2\.0\.shortcut\.1\.weight/);
    expect(() => spec('resnet32').build(sd)).toThrow(/does not fit resnet32: missing keys: layer1\.3\.conv1\.weight/);
    const r32 = await loadCifar('resnet32_a_small');
    r32.x.dispose();
    expect(() => spec('resnet20').build(r32.sd)).toThrow(/does not fit resnet20: unexpected keys: layer1\.3\.conv1\.weight/);
  });

  it('an option-A block that does not double its channels names the block and what was expected', () => {
    const sd = cifarKeys(3, 'A', [16, 24, 64]);
    expect(spec('resnet20').match(sd)).toBe(0);
    expect(() => spec('resnet20').build(sd)).toThrow(
      /layer2\.0\.conv1\.weight: an option-A shortcut \(x\[:, :, ::2, ::2\] padded by 6 channels on each side\) cannot take 16 channels at stride 2 to 24/);
  });

  it('classes come from linear.weight or the option; without a classifier the reason names the key', async () => {
    const { sd, x } = await loadCifar('resnet20_a');
    const plain: StateDict = new Map([...sd].filter(([k]) => !k.startsWith('linear.')));
    const m = createModel('resnet20', plain, { numClasses: 7 });
    expect([m.numClasses, m.hasLogits]).toEqual([7, false]);
    expect(m.noLogitsReason).toMatch(/linear\.weight/);
    m.dispose();
    x.dispose();
  });

  it('the same option-B weights under torchvision\'s names (`downsample.{0,1}`, `fc`) give the same taps and logits', async () => {
    const { sd, x } = await loadCifar('resnet20_b');
    const renamed: StateDict = new Map([...sd].map(([k, v]) => [k.replace(/\.shortcut\./, '.downsample.').replace(/^linear\./, 'fc.'), v]));
    // two projections: a conv weight and five BatchNorm entries each
    expect([...renamed.keys()].filter((k) => k.includes('.downsample.')).length).toBe(12);
    const a = createModel('resnet20', sd);
    const b = createModel('auto', renamed);
    expect(b.arch).toBe('resnet20');
    const [fa, fb] = [await a.features(x, [...TAPS, LOGITS]), await b.features(x, [...TAPS, LOGITS])];
    for (const t of [...TAPS, LOGITS]) expect(Array.from(fb[t]!), t).toEqual(Array.from(fa[t]!));
    a.dispose();
    b.dispose();
    x.dispose();
  });

  it('an unknown tap (stage4: three stages only) is an error listing the taps', async () => {
    const { sd, x } = await loadCifar('resnet20_a');
    const m = createModel('resnet20', sd);
    await expect(m.features(x, ['stage4'])).rejects.toThrow(/resnet20: unknown tap "stage4"; available taps: stage1, stage2, stage3, final/);
    m.dispose();
    x.dispose();
  });

  it('memory is flat over 30 build / forward / dispose cycles', async () => {
    const { sd, x } = await loadCifar('resnet20_a');
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    for (let i = 0; i < 30; i++) {
      const net = spec('resnet20').build(sd);
      tf.tidy(() => net.forward(x, ['stage2', 'final', LOGITS]).final!.dataSync());
      net.dispose();
      net.dispose(); // a second dispose is harmless
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytes);
    x.dispose();
  });
});
