/**
 * The AdaIN stylizer on the TF.js backend in force: the layer lists (layers.ts) run through
 * core's convolution kernels, reflection padding and upsampling inside them on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { adaptiveInstanceNorm } from './adain.js';
import { convWeights, DECODER_STEPS, ENCODER_STEPS, releaseConvWeights, runSteps, type ConvWeights } from './layers.js';
import { checkImage, type AdainWeights, type Stylizer, type StylizeOptions } from './stylizer-contract.js';

export function createTfStylizer(w: AdainWeights): Stylizer {
  const enc = convWeights(w.vgg.sd, ENCODER_STEPS, w.vgg.source, 3, 'encoder (vgg_normalised)');
  let dec: ConvWeights[];
  try {
    dec = convWeights(w.decoder.sd, DECODER_STEPS, w.decoder.source, w.featureChannels, 'decoder');
  } catch (err) {
    releaseConvWeights(enc);
    throw err;
  }
  let disposed = false;
  const alive = (what: string): void => { if (disposed) throw new Error(`${what}: this stylizer was disposed`); };
  const encode = (image: tf.Tensor3D, name = 'image'): tf.Tensor4D => {
    alive('encode');
    checkImage(image, name);
    return tf.tidy(() => runSteps(tf.expandDims(image, 0) as tf.Tensor4D, ENCODER_STEPS, enc));
  };
  const decode = (fc: tf.Tensor4D, fs: tf.Tensor4D, so: StylizeOptions = {}): tf.Tensor3D => {
    alive('decode');
    return tf.tidy(() => tf.squeeze(runSteps(adaptiveInstanceNorm(fc, fs, so.alpha ?? 1), DECODER_STEPS, dec), [0]) as tf.Tensor3D);
  };
  return {
    engine: 'tfjs',
    featureChannels: w.featureChannels,
    encode: async (image) => encode(image),
    decode: async (fc, fs, so) => decode(fc, fs, so),
    decodeMany: async (fc, fss, so) => fss.map((fs) => decode(fc, fs, so)),
    async stylize(content, style, so = {}) {
      alive('stylize');
      checkImage(content, 'content');
      checkImage(style, 'style');
      return tf.tidy(() => decode(encode(content, 'content'), encode(style, 'style'), so));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      releaseConvWeights([...enc, ...dec]);
    },
  };
}
