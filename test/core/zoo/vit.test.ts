/**
 * torchvision ViTs (vit_b_16, vit_b_32, vit_l_16) and timm-named ViTs / DeiTs against PyTorch:
 * fixtures of test/fixtures/zoo/make_vit.py, every tap, both token choices, at the trained size
 * and at a second size (position embeddings resampled bicubically as timm does).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ARCHITECTURES, createModel, detectArchitecture, initBackend, timmVitSpecs, vitSpecs, type StateDict } from '@shapetex/core';
import { FIX, damaged, expectClose } from './others-parity.js';
import { expectVitTaps, inputOf, loadVitFixture } from './vit-fixtures.js';

const spec = (name: string) => ARCHITECTURES.find((s) => s.name === name)!;

const CASES = [
  { fixture: 'vit_b_16_small', arch: 'vit_b_16', depth: 12, D: 64, size: 64 },
  { fixture: 'vit_b_32_small', arch: 'vit_b_32', depth: 12, D: 64, size: 64 },
  { fixture: 'vit_l_16_small', arch: 'vit_l_16', depth: 24, D: 32, size: 48 },
  { fixture: 'vit_tiny_timm_small', arch: 'vit_tiny_patch16_224', depth: 12, D: 64, size: 64 },
  { fixture: 'deit_tiny_distilled_small', arch: 'deit_tiny_distilled_patch16_224', depth: 12, D: 64, size: 64 },
] as const;

function layouts(): Record<string, StateDict> {
  const raw = JSON.parse(gunzipSync(readFileSync(path.join(FIX, 'vit_shapes.json.gz'))).toString('utf8')) as Record<string, [string, number[]][]>;
  return Object.fromEntries(Object.entries(raw).map(([arch, keys]) => [arch, new Map(keys.map(([k, shape]) => [k, { dtype: 'float32', shape, data: new Float32Array(0) }]))]));
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`ViT / DeiT parity with PyTorch on ${backend}`, () => {
    beforeAll(async () => { await initBackend(backend, { log: null }); });

    for (const c of CASES) {
      for (const token of ['cls', 'mean'] as const) {
        it(`${c.arch} (D = ${c.D}, ${c.depth} blocks, ${c.size} px): every block tap and final equal PyTorch with token ${token}`, async () => {
          const f = await loadVitFixture(c.fixture);
          expect(f.meta.arch).toBe(c.arch);
          const net = spec(c.arch).build(f.sd, { token, ...(f.meta.heads ? { heads: f.meta.heads } : {}) });
          expect(net.taps).toEqual([...Array.from({ length: c.depth }, (_, i) => `block${i + 1}`), 'final']);
          expect(net.tapChannels!.final).toBe(c.D);
          expect(net.numClasses).toBe(10);
          expect(net.defaultImageSize).toBe(c.size);
          expectVitTaps(net, f, token);
          if (f.meta.extraSize) expectVitTaps(net, f, token, `${f.meta.extraSize}:`);
          // the reserved output `logits`: the head on the normed class token (distilled DeiT:
          // mean with head_dist on the distillation token), whatever the token choice
          expect(net.hasLogits).toBe(true);
          for (const tag of ['', ...(f.meta.extraSize ? [`${f.meta.extraSize}:`] : [])]) {
            const x = inputOf(f, tag);
            const got = tf.tidy(() => {
              const out = net.forward(x, ['block2', 'logits']);
              expect(Object.keys(out).sort()).toEqual(['block2', 'logits']);
              expect(out.logits!.shape).toEqual([2, 1, 1, 10]);
              return out.logits!.dataSync();
            });
            expectClose(got, f.arrays[`${tag}logits`]!.data, `${c.arch} ${tag}logits`);
            x.dispose();
          }
          net.dispose();
        });
      }
    }
  });
}

describe('ViT / DeiT detection, options and errors', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('full-size layouts: each detected as its own name (DeiT non-distilled = the ViT of its width)', () => {
    const all = layouts();
    expect(Object.keys(all)).toHaveLength(11);
    for (const [name, sd] of Object.entries(all)) {
      const claims = ARCHITECTURES.filter((s) => s.match(sd) > 0).map((s) => s.name);
      if (name.startsWith('vit_') && name.endsWith('_patch16_224')) {
        // the DeiT of the same width is the same network: claimed, with a lower score
        expect(claims).toEqual([name, name.replace('vit_', 'deit_')]);
      } else {
        expect(claims, name).toEqual([name]);
      }
      expect(detectArchitecture(sd)).toBe(name);
    }
  });

  it('the ViT and ConvNeXt specs claim none of the CNN layouts', () => {
    const raw = JSON.parse(gunzipSync(readFileSync(path.join(FIX, 'shapes.json.gz'))).toString('utf8')) as Record<string, [string, number[]][]>;
    for (const [name, keys] of Object.entries(raw)) {
      const sd: StateDict = new Map(keys.map(([k, shape]) => [k, { dtype: 'float32', shape, data: new Float32Array(0) }]));
      for (const s of [...vitSpecs, ...timmVitSpecs]) expect(s.match(sd), `${s.name} on ${name}`).toBe(0);
    }
  });

  it('narrowed fixtures are detected by depth, patch size and width; heads default to D / 64', async () => {
    for (const c of CASES) {
      const f = await loadVitFixture(c.fixture);
      expect(detectArchitecture(f.sd), c.fixture).toBe(c.arch);
    }
    const f = await loadVitFixture('vit_b_16_small');
    const model = createModel(undefined, f.sd, { token: 'cls' });
    expect(model.arch).toBe('vit_b_16');
    const x = inputOf(f);
    const feats = await model.features(x, ['final', 'block3']);
    expect(feats.final!.length).toBe(2 * 64);
    x.dispose();
    model.dispose();
  });

  it('a width that is not a multiple of 64 needs heads, and heads must divide the width', async () => {
    const f = await loadVitFixture('vit_l_16_small');
    expect(() => spec('vit_l_16').build(f.sd)).toThrow(/vit_l_16: width D = 32 is not a multiple of 64.*pass heads \(--heads\)/);
    expect(() => spec('vit_l_16').build(f.sd, { heads: 3 })).toThrow(/heads = 3 must be a positive integer dividing the width D = 32/);
  });

  it('a wrong head count gives other numbers (heads are not read from the weights)', async () => {
    const f = await loadVitFixture('vit_tiny_timm_small');
    const right = spec('vit_tiny_patch16_224').build(f.sd, { heads: 4 });
    const wrong = spec('vit_tiny_patch16_224').build(f.sd);
    const x = inputOf(f);
    const a = tf.tidy(() => right.forward(x, ['final']).final!.dataSync());
    const b = tf.tidy(() => wrong.forward(x, ['final']).final!.dataSync());
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeGreaterThan(1e-3);
    right.dispose();
    wrong.dispose();
    x.dispose();
  });

  it('without classifier weights there is no logits output, and the reason says so', async () => {
    const f = await loadVitFixture('deit_tiny_distilled_small');
    const sd = new Map([...f.sd].filter(([k]) => !k.startsWith('head_dist.')));
    const net = spec('deit_tiny_distilled_patch16_224').build(sd, { heads: 2 });
    expect(net.hasLogits).toBe(false);
    expect(net.noLogitsReason).toMatch(/no classifier weights \(head\.weight, head_dist\.weight\)/);
    expect(() => tf.tidy(() => net.forward(tf.zeros([1, 64, 64, 3]) as tf.Tensor4D, ['logits']))).toThrow(/unknown tap "logits"/);
    net.dispose();
  });

  it('an unknown token choice is refused by name', async () => {
    const f = await loadVitFixture('vit_b_32_small');
    expect(() => spec('vit_b_32').build(f.sd, { token: 'avg' as 'cls' })).toThrow(/token must be one of cls, mean, found "avg"/);
  });

  it('old torchvision MLP names (mlp.linear_1 / mlp.linear_2) load to the same network', async () => {
    const f = await loadVitFixture('vit_b_16_small');
    const old: StateDict = new Map([...f.sd].map(([k, v]) => [k.replace(/\.mlp\.0\./, '.mlp.linear_1.').replace(/\.mlp\.3\./, '.mlp.linear_2.'), v]));
    expect(old.has('encoder.layers.encoder_layer_0.mlp.linear_1.weight')).toBe(true);
    expect(detectArchitecture(old)).toBe('vit_b_16');
    const net = spec('vit_b_16').build(old);
    expectVitTaps(net, f, 'cls');
    net.dispose();
  });

  it('depth or patch size of another variant: the error names them', async () => {
    const f = await loadVitFixture('vit_b_16_small');
    expect(spec('vit_b_32').match(f.sd)).toBe(0);
    expect(() => spec('vit_b_32').build(f.sd)).toThrow(/does not fit vit_b_32: patch size 16, expected 32/);
    expect(() => spec('vit_l_16').build(f.sd)).toThrow(/does not fit vit_l_16: 12 encoder blocks, expected 24/);
  });

  it('a damaged state_dict lists missing, unexpected and misshapen keys', async () => {
    const f = await loadVitFixture('vit_tiny_timm_small');
    const bad = damaged(f.sd, 'blocks.3.attn.proj.bias', 'blocks.5.mlp.fc1.bias');
    expect(spec('vit_tiny_patch16_224').match(bad)).toBe(0);
    expect(() => spec('vit_tiny_patch16_224').build(bad, { heads: 4 })).toThrow(
      /vit_tiny_patch16_224: missing keys: blocks\.3\.attn\.proj\.bias; unexpected keys: extra\.weight; shape mismatches: blocks\.5\.mlp\.fc1\.bias expected \[96\] found \[97\]/,
    );
  });

  it('the distilled DeiT without its dist_token is not a distilled DeiT', async () => {
    const f = await loadVitFixture('deit_tiny_distilled_small');
    const sd = new Map(f.sd);
    sd.delete('dist_token');
    expect(spec('deit_tiny_distilled_patch16_224').match(sd)).toBe(0);
    expect(() => spec('deit_tiny_distilled_patch16_224').build(sd, { heads: 2 })).toThrow(/missing keys: dist_token/);
  });

  it('an image smaller than a patch is refused; memory stays flat over build / forward / dispose', async () => {
    const f = await loadVitFixture('vit_b_32_small');
    const net = spec('vit_b_32').build(f.sd);
    expect(() => tf.tidy(() => net.forward(tf.zeros([1, 16, 16, 3]) as tf.Tensor4D, ['final']))).toThrow(/16×16 image is smaller than one 32×32 patch/);
    expect(() => tf.tidy(() => net.forward(tf.zeros([1, 64, 64, 3]) as tf.Tensor4D, ['block13']))).toThrow(/unknown tap "block13"/);
    net.dispose();
    const x = inputOf(f);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const n = spec('vit_b_32').build(f.sd, { token: i % 2 ? 'mean' : 'cls' });
      tf.tidy(() => n.forward(x, ['block2', 'final']).final!.dataSync());
      // a second grid size adds a resampled position embedding, released with the network
      tf.tidy(() => n.forward(tf.zeros([1, 96, 96, 3]) as tf.Tensor4D, ['final']).final!.dataSync());
      n.dispose();
      n.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
