/**
 * torchvision ConvNeXt against PyTorch: the narrowed convnext_tiny fixture of
 * test/fixtures/zoo/make_vit.py (real 3-3-9-3 stages, widths 8-16-32-64), every tap.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ARCHITECTURES, convnextSpecs, detectArchitecture, initBackend, type StateDict } from '@shapetex/core';
import { FIX, damaged, expectClose, gap } from './others-parity.js';
import { inputOf, loadVitFixture } from './vit-fixtures.js';

const TAPS = ['stage1', 'stage2', 'stage3', 'stage4', 'final'];
const spec = (name: string) => convnextSpecs.find((s) => s.name === name)!;

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`ConvNeXt parity with torchvision on ${backend}`, () => {
    beforeAll(async () => { await initBackend(backend, { log: null }); });

    it('convnext_tiny (widths / 12, 64 px): stage1..stage4 maps and final (classifier LayerNorm of the pooled stage 4) equal PyTorch', async () => {
      const f = await loadVitFixture('convnext_tiny_small');
      expect(f.meta.arch).toBe('convnext_tiny');
      const net = spec('convnext_tiny').build(f.sd);
      expect(net.taps).toEqual(TAPS);
      expect(net.tapChannels).toEqual({ stage1: 8, stage2: 16, stage3: 32, stage4: 64, final: 64 });
      expect(net.numClasses).toBe(10);
      const x = inputOf(f);
      const before = tf.memory().numTensors;
      const got = tf.tidy(() => {
        const maps = net.forward(x, TAPS);
        return TAPS.map((t) => ({ shape: maps[t]!.shape, data: maps[t]!.dataSync() as Float32Array }));
      });
      expect(tf.memory().numTensors).toBe(before);
      TAPS.forEach((t, i) => {
        const want = f.arrays[t]!;
        expect(got[i]!.shape, t).toEqual(want.shape);
        expectClose(got[i]!.data, want.data, `convnext_tiny ${t} map`);
        expectClose(gap(got[i]!.data, got[i]!.shape), f.arrays[`${t}_pooled`]!.data, `convnext_tiny ${t} pooled`);
      });
      // the reserved output `logits`: classifier.2 on final, as torchvision's forward
      expect(net.hasLogits).toBe(true);
      const logits = tf.tidy(() => {
        const out = net.forward(x, ['stage2', 'logits']);
        expect(Object.keys(out).sort()).toEqual(['logits', 'stage2']);
        return out.logits!.dataSync();
      });
      expectClose(logits, f.arrays.logits!.data, 'convnext_tiny logits');
      expect(tf.memory().numTensors).toBe(before);
      // final is not the plain pooled stage 4: the classifier's LayerNorm is in it
      expect(Math.abs(f.arrays.final_pooled!.data[0]! - f.arrays.stage4_pooled!.data[0]!)).toBeGreaterThan(1e-3);
      x.dispose();
      net.dispose();
    });
  });
}

describe('ConvNeXt detection and errors', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('full-size convnext_tiny and convnext_small layouts are detected by their stage depths, nothing else claims them', () => {
    const raw = JSON.parse(gunzipSync(readFileSync(path.join(FIX, 'vit_shapes.json.gz'))).toString('utf8')) as Record<string, [string, number[]][]>;
    for (const name of ['convnext_tiny', 'convnext_small']) {
      const sd: StateDict = new Map(raw[name]!.map(([k, shape]) => [k, { dtype: 'float32', shape, data: new Float32Array(0) }]));
      expect(ARCHITECTURES.filter((s) => s.match(sd) > 0).map((s) => s.name)).toEqual([name]);
    }
    const cnn = JSON.parse(gunzipSync(readFileSync(path.join(FIX, 'shapes.json.gz'))).toString('utf8')) as Record<string, [string, number[]][]>;
    for (const [name, keys] of Object.entries(cnn)) {
      const sd: StateDict = new Map(keys.map(([k, shape]) => [k, { dtype: 'float32', shape, data: new Float32Array(0) }]));
      for (const s of convnextSpecs) expect(s.match(sd), `${s.name} on ${name}`).toBe(0);
    }
  });

  it('the narrowed fixture is detected as convnext_tiny; as convnext_small it fails on the depths', async () => {
    const f = await loadVitFixture('convnext_tiny_small');
    expect(detectArchitecture(f.sd)).toBe('convnext_tiny');
    expect(spec('convnext_small').match(f.sd)).toBe(0);
    expect(() => spec('convnext_small').build(f.sd)).toThrow(/does not fit convnext_small: stages hold 3, 3, 9, 3 blocks, expected 3, 3, 27, 3/);
  });

  it('a damaged state_dict lists missing, unexpected and misshapen keys', async () => {
    const f = await loadVitFixture('convnext_tiny_small');
    const bad = damaged(f.sd, 'features.5.4.layer_scale', 'features.4.1.bias');
    expect(spec('convnext_tiny').match(bad)).toBe(0);
    expect(() => spec('convnext_tiny').build(bad)).toThrow(
      /convnext_tiny: missing keys: features\.5\.4\.layer_scale; unexpected keys: extra\.weight; shape mismatches: features\.4\.1\.bias expected \[32\] found \[33\]/,
    );
  });

  it('memory is flat over build / forward / dispose cycles', async () => {
    const f = await loadVitFixture('convnext_tiny_small');
    const x = inputOf(f);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const net = spec('convnext_tiny').build(f.sd);
      tf.tidy(() => net.forward(x, ['stage2', 'final']).final!.dataSync());
      net.dispose();
      net.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
