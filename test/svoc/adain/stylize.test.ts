import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOnnxSession, initBackend } from '@shapetex/core';
import { adainStylizeGraph } from '../../../packages/svoc/dist/adain/onnx-graph.js';
import { AdainWeightsError, createStylizer, type Stylizer } from '@shapetex/svoc';
import path from 'node:path';
import { ADAIN_FIXTURES, f32, maxAbsDiff, meta, rawStateDict } from './fixtures.js';

/** `stylize` of the fixture content and style at `alpha` against PyTorch's output `file`. */
async function expectStylizeMatches(make: () => Promise<Stylizer>, file: string, alpha: number): Promise<void> {
  const m = meta();
  const s = await make();
  expect(s.featureChannels).toBe(m.widths[3]);
  const content = tf.tensor3d(f32('content.f32'), m.content as [number, number, number]);
  const style = tf.tensor3d(f32('style.f32'), m.style as [number, number, number]);
  const before = tf.memory().numTensors;
  const out = await s.stylize(content, style, { alpha });
  // Only the result stays allocated.
  expect(tf.memory().numTensors).toBe(before + 1);
  expect(out.shape).toEqual(m.out);
  const got = await out.data();
  expect(maxAbsDiff(got, f32(file))).toBeLessThanOrEqual(1e-3);
  // Unclipped: the fixture decoder overshoots 1 somewhere.
  expect(Math.max(...got)).toBeGreaterThan(1);
  tf.dispose([out, content, style]);
  s.dispose();
}

// Oracle: test/fixtures/adain/make_adain_fixtures.py runs the official net.py layout and
// test.py's style_transfer in PyTorch with the same weights.
describe.each(['wasm', 'cpu'] as const)('AdaIN stylizer vs PyTorch (%s)', (backend) => {
  beforeAll(async () => { await initBackend(backend, { log: null }); });

  it.each([['out_alpha1.f32', 1], ['out_alpha05.f32', 0.5]] as const)('matches %s (alpha %s) to 1e-3', async (file, alpha) => {
    await expectStylizeMatches(() => createStylizer({ vgg: rawStateDict('vgg_small'), decoder: rawStateDict('decoder_small') }), file, alpha);
  });

  it('encode + decode equal stylize and leave only their results allocated', async () => {
    const m = meta();
    const s = await createStylizer({ vgg: rawStateDict('vgg_small'), decoder: rawStateDict('decoder_small') });
    const content = tf.tensor3d(f32('content.f32'), m.content as [number, number, number]);
    const style = tf.tensor3d(f32('style.f32'), m.style as [number, number, number]);
    const before = tf.memory().numTensors;
    const fc = await s.encode(content);
    const fs = await s.encode(style);
    // PyTorch's NCHW relu4_1 shape, as NHWC: 30x36 → 15x18 → 8x9 → 4x5 with ceil-mode pools.
    const [, c, h, w] = m.relu4_1_shape;
    expect(fc.shape).toEqual([1, h, w, c]);
    const out = await s.decode(fc, fs, { alpha: 0.5 });
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(maxAbsDiff(await out.data(), f32('out_alpha05.f32'))).toBeLessThanOrEqual(1e-3);
    tf.dispose([fc, fs, out, content, style]);
    s.dispose();
  });
});

// The same oracle on ONNX Runtime: the graphs are emitted from the same layer lists.
describe('AdaIN stylizer vs PyTorch on ONNX Runtime', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });
  const make = () => createStylizer({ vgg: rawStateDict('vgg_small'), decoder: rawStateDict('decoder_small'), engine: 'onnx' });

  it.each([['out_alpha1.f32', 1], ['out_alpha05.f32', 0.5]] as const)('matches %s (alpha %s) to 1e-3', async (file, alpha) => {
    await expectStylizeMatches(async () => { const s = await make(); expect(s.engine).toBe('onnx'); return s; }, file, alpha);
  });

  it('encode gives PyTorch\'s relu4_1 shape; decodeMany of one content with a batch of styles equals one decode per style', async () => {
    const m = meta();
    const s = await make();
    const content = tf.tensor3d(f32('content.f32'), m.content as [number, number, number]);
    const style = tf.tensor3d(f32('style.f32'), m.style as [number, number, number]);
    const fc = await s.encode(content);
    const fs = await s.encode(style);
    const [, c, h, w] = m.relu4_1_shape;
    expect(fc.shape).toEqual([1, h, w, c]);
    // a second style: the content's own features, so the batch holds two different styles
    const fc2 = await s.encode(content);
    const many = await s.decodeMany(fc, [fs, fc2], { alpha: 0.5 });
    expect(many).toHaveLength(2);
    expect(maxAbsDiff(await many[0]!.data(), f32('out_alpha05.f32'))).toBeLessThanOrEqual(1e-3);
    const alone = await s.decode(fc, fc2, { alpha: 0.5 });
    expect(maxAbsDiff(await many[1]!.data(), await alone.data())).toBeLessThanOrEqual(1e-5);
    // features made elsewhere (not by this stylizer) are transposed on the way in
    const foreign = tf.tensor4d(await fs.data(), fs.shape);
    const viaForeign = await s.decode(fc, foreign, { alpha: 0.5 });
    expect(maxAbsDiff(await viaForeign.data(), f32('out_alpha05.f32'))).toBeLessThanOrEqual(1e-3);
    tf.dispose([fc, fs, fc2, ...many, alone, foreign, viaForeign, content, style]);
    s.dispose();
  });

  it('a content and a style of one size: stylize (one run of the fused graph) and the fused graph itself match PyTorch', async () => {
    const m = meta();
    const [h, w] = m.content as [number, number, number];
    // the style's top-left h×w, as make_adain_fixtures.py crops it for out_same_alpha05
    const style = tf.tidy(() => tf.slice(tf.tensor3d(f32('style.f32'), m.style as [number, number, number]), [0, 0, 0], [h, w, 3]));
    const content = tf.tensor3d(f32('content.f32'), m.content as [number, number, number]);
    const want = f32('out_same_alpha05.f32');
    const s = await make();
    const before = tf.memory().numTensors;
    const out = await s.stylize(content, style, { alpha: 0.5 });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(out.shape).toEqual(m.out);
    expect(maxAbsDiff(await out.data(), want)).toBeLessThanOrEqual(1e-3);
    await expect(s.stylize(content, style, { alpha: 2 })).rejects.toThrow(/alpha must be in \[0, 1\], got 2/);
    s.dispose();
    // the graph alone, on a session of its own: the pair in, the image out
    const graph = adainStylizeGraph(rawStateDict('vgg_small'), rawStateDict('decoder_small'));
    const session = await createOnnxSession(graph, { threads: 1 });
    const pair = new Float32Array(2 * h * w * 3);
    pair.set(await content.data(), 0);
    pair.set(await style.data(), h * w * 3);
    const { image } = await session.run({ pair: { data: pair, dims: [2, h, w, 3] }, alpha: { data: Float32Array.of(0.5), dims: [1] } }, ['image']);
    expect(image!.dims).toEqual([1, ...m.out]);
    expect(maxAbsDiff(image!.data, want)).toBeLessThanOrEqual(1e-3);
    await session.release();
    tf.dispose([out, content, style]);
  });
});

describe('AdaIN stylizer from the legacy-format .pth files (as the official weights ship)', () => {
  beforeAll(async () => { await initBackend('wasm', { log: null }); });
  const vgg = path.join(ADAIN_FIXTURES, 'vgg_small.pth');
  const decoder = path.join(ADAIN_FIXTURES, 'decoder_small.pth');

  it('reads them through core and matches PyTorch', async () => {
    const m = meta();
    const s = await createStylizer({ vgg, decoder });
    const content = tf.tensor3d(f32('content.f32'), m.content as [number, number, number]);
    const style = tf.tensor3d(f32('style.f32'), m.style as [number, number, number]);
    const out = await s.stylize(content, style, { alpha: 0.5 });
    expect(maxAbsDiff(await out.data(), f32('out_alpha05.f32'))).toBeLessThanOrEqual(1e-3);
    tf.dispose([out, content, style]);
    s.dispose();
  });

  it('names the file and the missing keys when decoder.pth is given as the encoder', async () => {
    await expect(createStylizer({ vgg: decoder, decoder })).rejects.toThrow(
      new RegExp(`${decoder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not an AdaIN encoder \\(vgg_normalised\\) state_dict: missing keys 0\\.weight, 0\\.bias, 2\\.weight`),
    );
  });
});

describe('AdaIN stylizer errors', () => {
  beforeAll(async () => { await initBackend('cpu', { log: null }); });

  it('names the missing keys when the decoder is given as the encoder', async () => {
    const dec = rawStateDict('decoder_small');
    const p = createStylizer({ vgg: dec, decoder: dec });
    await expect(p).rejects.toBeInstanceOf(AdainWeightsError);
    await expect(p).rejects.toThrow(/vgg state_dict: not an AdaIN encoder \(vgg_normalised\) state_dict: missing keys 0\.weight, 0\.bias, 2\.weight, 2\.bias, 9\.weight/);
  });

  it('names the missing keys when the encoder is given as the decoder', async () => {
    const vgg = rawStateDict('vgg_small');
    await expect(createStylizer({ vgg, decoder: vgg })).rejects.toThrow(/not an AdaIN decoder state_dict: missing keys 1\.weight, 1\.bias, 8\.weight/);
  });

  it('names a key whose shape does not chain', async () => {
    const vgg = rawStateDict('vgg_small');
    const w = vgg.get('5.weight')!;
    vgg.set('5.weight', { ...w, shape: [w.shape[0]!, w.shape[1]!, 1, 9] });
    await expect(createStylizer({ vgg, decoder: rawStateDict('decoder_small') })).rejects.toThrow(/5\.weight has shape \[4, 4, 1, 9\]; expected \[out, 4, 3, 3\]/);
  });

  it('rejects a decoder whose input width is not the encoder output width, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const vgg = rawStateDict('vgg_small');
    for (const k of ['29.weight', '29.bias']) vgg.delete(k);
    await expect(createStylizer({ vgg, decoder: rawStateDict('decoder_small') })).rejects.toThrow(/missing keys 29\.weight, 29\.bias/);
    const dec = rawStateDict('decoder_small');
    const w = dec.get('1.weight')!;
    dec.set('1.weight', { ...w, shape: [w.shape[0]!, 6, 3, 3], data: w.data.slice(0, w.shape[0]! * 6 * 9) });
    await expect(createStylizer({ vgg: rawStateDict('vgg_small'), decoder: dec })).rejects.toThrow(/decoder state_dict: 1\.weight has shape \[8, 6, 3, 3\]; expected \[out, 12, 3, 3\]/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad images and alpha', async () => {
    const s = await createStylizer({ vgg: rawStateDict('vgg_small'), decoder: rawStateDict('decoder_small') });
    const img = tf.zeros([16, 16, 3]) as tf.Tensor3D;
    const gray = tf.zeros([16, 16, 1]) as tf.Tensor3D;
    await expect(s.stylize(gray, img)).rejects.toThrow(/content must be an HWC RGB tensor \[H, W, 3\], got \[16, 16, 1\]/);
    await expect(s.stylize(img, img, { alpha: 1.5 })).rejects.toThrow(/alpha must be in \[0, 1\], got 1.5/);
    s.dispose();
    await expect(s.stylize(img, img)).rejects.toThrow(/disposed/);
    tf.dispose([img, gray]);
  });
});
