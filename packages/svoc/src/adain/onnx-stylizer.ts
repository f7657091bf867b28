/**
 * The AdaIN stylizer on ONNX Runtime: the encoder and the transfer + decoder as two sessions
 * (onnx-graph.ts). Features cross the API as NHWC tf tensors, like the TF.js stylizer's; their
 * NCHW copy, which the sessions take, is kept beside each tensor this stylizer made, so a
 * texture's features encoded once are not transposed again for every content. Every transpose
 * runs inside the graphs. `stylize` of a content and a style of one size is one run of a third,
 * fused graph (opened on first use) whose features never leave the engine: moving 2 M features
 * out of one session and into the next cost about 1% of a stylization at 512.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createOnnxSession, nhwcToNchw, type OnnxOutput, type OnnxSession, type OnnxSessionOptions } from '@shapetex/core';
import { adainDecoderGraph, adainEncoderGraph, adainStylizeGraph } from './onnx-graph.js';
import { checkImage, type AdainWeights, type Stylizer, type StylizeOptions } from './stylizer-contract.js';

/** One decoder run: the content (NCHW) against a batch of styles of one size; HWC images out. */
async function runDecoder(decoder: OnnxSession, c: OnnxOutput, styles: readonly OnnxOutput[], contentShape: readonly number[], alpha: number): Promise<tf.Tensor3D[]> {
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${alpha}`);
  for (const s of styles) {
    if (s.dims[1] !== c.dims[1]) throw new RangeError(`AdaIN: content features [${contentShape.join(', ')}] and style features have ${c.dims[1]} vs ${s.dims[1]} channels`);
  }
  const per = styles[0]!.data.length;
  const batch = new Float32Array(per * styles.length);
  styles.forEach((s, i) => batch.set(s.data, i * per));
  const { image } = await decoder.run({
    content: c,
    style: { data: batch, dims: [styles.length, ...styles[0]!.dims.slice(1)] },
    alpha: { data: Float32Array.from([alpha]), dims: [1] },
  }, ['image']);
  const [k, H, W] = image!.dims as [number, number, number, number];
  const hwc = image!.data;
  return Array.from({ length: k }, (_, i) => tf.tensor3d(hwc.subarray(i * H * W * 3, (i + 1) * H * W * 3), [H, W, 3]));
}

/** One stylization of a content and a style of one size: one run of the fused graph. */
async function runFused(session: Promise<OnnxSession>, content: tf.Tensor3D, style: tf.Tensor3D, alpha: number): Promise<tf.Tensor3D> {
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${alpha}`);
  const fused = await session;
  const [h, w] = content.shape;
  const per = h * w * 3;
  const pair = new Float32Array(2 * per);
  pair.set(content.dataSync() as Float32Array, 0);
  pair.set(style.dataSync() as Float32Array, per);
  const { image } = await fused.run({ pair: { data: pair, dims: [2, h, w, 3] }, alpha: { data: Float32Array.of(alpha), dims: [1] } }, ['image']);
  const [, H, W] = image!.dims as [number, number, number, number];
  return tf.tensor3d(image!.data, [H, W, 3]);
}

export async function createOnnxStylizer(w: AdainWeights, opts: OnnxSessionOptions): Promise<Stylizer> {
  const encoder = await createOnnxSession(adainEncoderGraph(w.vgg.sd), opts, `${w.vgg.source} (AdaIN encoder)`);
  let decoder: OnnxSession;
  try {
    decoder = await createOnnxSession(adainDecoderGraph(w.decoder.sd), opts, `${w.decoder.source} (AdaIN decoder)`);
  } catch (err) {
    await encoder.release();
    throw err;
  }
  // the fused graph for `stylize` (the builder encodes and decodes apart): opened on first use
  let fused: Promise<OnnxSession> | null = null;
  const stylizeSession = (): Promise<OnnxSession> => {
    fused ??= createOnnxSession(adainStylizeGraph(w.vgg.sd, w.decoder.sd), opts, `${w.vgg.source} + ${w.decoder.source} (AdaIN stylization)`);
    fused.catch(() => { fused = null; });
    return fused;
  };
  const nchw = new WeakMap<tf.Tensor, OnnxOutput>();
  let disposed = false;
  const alive = (what: string): void => { if (disposed) throw new Error(`${what}: this stylizer was disposed`); };
  /** The NCHW data of features [1, h, w, C]: the kept copy, or a transpose of a foreign tensor. */
  const featuresOf = (f: tf.Tensor4D): OnnxOutput => {
    const kept = nchw.get(f);
    if (kept) return kept;
    const [n, h, wd, c] = f.shape;
    return { data: nhwcToNchw(f.dataSync() as Float32Array, n, h, wd, c), dims: [n, c, h, wd] };
  };
  /** The encoder's NCHW features of an HWC image, and with `nhwc` their NHWC copy too. */
  const encodeRaw = async (image: tf.Tensor3D, name: string, nhwc: boolean): Promise<Record<string, OnnxOutput>> => {
    alive('encode');
    checkImage(image, name);
    const [h, wd] = image.shape;
    const x = { data: image.dataSync() as Float32Array, dims: [1, h, wd, 3] };
    return encoder.run({ image: x }, nhwc ? ['features', 'features_nhwc'] : ['features']);
  };
  const encode = async (image: tf.Tensor3D, name = 'image'): Promise<tf.Tensor4D> => {
    const { features, features_nhwc: nhwc } = await encodeRaw(image, name, true);
    const t = tf.tensor4d(nhwc!.data, nhwc!.dims as [number, number, number, number]);
    nchw.set(t, features!);
    return t;
  };
  const decodeBatch = (fc: tf.Tensor4D, fss: readonly tf.Tensor4D[], alpha: number): Promise<tf.Tensor3D[]> =>
    runDecoder(decoder, featuresOf(fc), fss.map(featuresOf), fc.shape, alpha);
  const decodeMany = async (fc: tf.Tensor4D, fss: readonly tf.Tensor4D[], so: StylizeOptions = {}): Promise<tf.Tensor3D[]> => {
    alive('decode');
    if (!fss.length) return [];
    // styles of one spatial size go in one batch; others (rare: textures of other sizes) alone
    const same = fss.every((f) => f.shape[1] === fss[0]!.shape[1] && f.shape[2] === fss[0]!.shape[2]);
    if (same) return decodeBatch(fc, fss, so.alpha ?? 1);
    const out: tf.Tensor3D[] = [];
    for (const fs of fss) out.push(...(await decodeBatch(fc, [fs], so.alpha ?? 1)));
    return out;
  };
  return {
    engine: 'onnx',
    featureChannels: w.featureChannels,
    encode: (image) => encode(image),
    decode: async (fc, fs, so) => (await decodeMany(fc, [fs], so))[0]!,
    decodeMany,
    async stylize(content, style, so = {}) {
      alive('stylize');
      checkImage(content, 'content');
      checkImage(style, 'style');
      const alpha = so.alpha ?? 1;
      if (style.shape[0] === content.shape[0] && style.shape[1] === content.shape[1]) return runFused(stylizeSession(), content, style, alpha);
      const { features: fc } = await encodeRaw(content, 'content', false);
      const { features: fs } = await encodeRaw(style, 'style', false);
      const [n, c, fh, fw] = fc!.dims;
      return (await runDecoder(decoder, fc!, [fs!], [n!, fh!, fw!, c!], alpha))[0]!;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void encoder.release();
      void decoder.release();
      void fused?.then((f) => f.release(), () => undefined);
    },
  };
}
