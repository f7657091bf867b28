/**
 * The AdaIN networks' layouts (docs/formats.md, "AdaIN weights"), as the official pytorch-AdaIN `net.py` numbers its
 * `nn.Sequential` layers, and the conversion of their state_dict entries to tfjs filters.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StateDict, TensorEntry } from '@shapetex/core';

/** One step of a network: a 3x3 (or the encoder's first 1x1) convolution, a pool or an upsample. */
export type Step =
  | { kind: 'conv'; index: number; reflect: boolean; relu: boolean }
  | { kind: 'pool'; index: number }
  | { kind: 'up'; index: number };

const conv = (index: number, relu = true): Step => ({ kind: 'conv', index, reflect: true, relu });

/**
 * Encoder up to relu4_1: a 1x1 conv at 0 (folds the input normalisation, no ReLU after it in
 * net.py), then reflection-padded 3x3 convs with ReLU, 2x2 ceil-mode max-pools at 7, 14, 27.
 */
export const ENCODER_STEPS: readonly Step[] = [
  { kind: 'conv', index: 0, reflect: false, relu: false },
  conv(2), conv(5), { kind: 'pool', index: 7 },
  conv(9), conv(12), { kind: 'pool', index: 14 },
  conv(16), conv(19), conv(22), conv(25), { kind: 'pool', index: 27 },
  conv(29),
];

/** Decoder: reflection-padded 3x3 convs, ReLU after all but the last, nearest 2x upsampling at 3, 16, 23. */
export const DECODER_STEPS: readonly Step[] = [
  conv(1), { kind: 'up', index: 3 },
  conv(5), conv(8), conv(11), conv(14), { kind: 'up', index: 16 },
  conv(18), conv(21), { kind: 'up', index: 23 },
  conv(25), conv(28, false),
];

/** A convolution ready for tfjs: filter [kh, kw, in, out] and bias [out]. */
export interface ConvWeights {
  index: number;
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

export class AdainWeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdainWeightsError';
  }
}

function floatData(e: TensorEntry, source: string, key: string): Float32Array {
  if (e.data instanceof Float32Array) return e.data;
  if (e.data instanceof Float64Array) return Float32Array.from(e.data);
  throw new AdainWeightsError(`${source}: ${key} holds ${e.dtype} values; expected floating-point weights`);
}

/**
 * Checks that `sd` holds every convolution `steps` needs, with kernel sizes and channels that
 * chain (the first conv takes `inChannels`), and converts the PyTorch [out, in, kh, kw] weights
 * to tfjs [kh, kw, in, out] tensors. Keys past the last step are ignored (the official encoder
 * file carries the layers up to relu5_4). Channel widths are read from the weights, so narrowed
 * networks work too. Errors name the source, the missing keys or the mismatching shape.
 */
export function convWeights(sd: StateDict, steps: readonly Step[], source: string, inChannels: number, what: string): ConvWeights[] {
  checkConvWeights(sd, steps, source, inChannels, what);
  const out: ConvWeights[] = [];
  for (const s of steps) {
    if (s.kind !== 'conv') continue;
    const w = sd.get(`${s.index}.weight`)!;
    const b = sd.get(`${s.index}.bias`)!;
    const [co, ci, kh, kw] = w.shape;
    const filter = tf.tidy(() =>
      tf.transpose(tf.tensor4d(floatData(w, source, `${s.index}.weight`), [co!, ci!, kh!, kw!]), [2, 3, 1, 0]) as tf.Tensor4D);
    out.push({ index: s.index, filter, bias: tf.tensor1d(floatData(b, source, `${s.index}.bias`)) });
  }
  return out;
}

/**
 * The checks of {@link convWeights} without creating a tensor (so `svoc build` can run them
 * before anything else, with no backend): every key present, shapes that chain from
 * `inChannels`, floating-point values. Returns the last convolution's output channels.
 */
export function checkConvWeights(sd: StateDict, steps: readonly Step[], source: string, inChannels: number, what: string): number {
  const convs = steps.filter((s): s is Extract<Step, { kind: 'conv' }> => s.kind === 'conv');
  const missing = convs.flatMap((s) => [`${s.index}.weight`, `${s.index}.bias`]).filter((k) => !sd.has(k));
  if (missing.length > 0) {
    const found = [...sd.keys()];
    const shown = found.slice(0, 8).join(', ') + (found.length > 8 ? `, … (${found.length} keys)` : '');
    throw new AdainWeightsError(
      `${source}: not an AdaIN ${what} state_dict: missing keys ${missing.join(', ')} (found ${shown || 'no keys'})`,
    );
  }
  let cin = inChannels;
  for (const s of convs) {
    const w = sd.get(`${s.index}.weight`)!;
    const b = sd.get(`${s.index}.bias`)!;
    const k = s.reflect ? 3 : 1;
    const [co, ci, kh, kw] = w.shape;
    if (w.shape.length !== 4 || ci !== cin || kh !== k || kw !== k) {
      throw new AdainWeightsError(
        `${source}: ${s.index}.weight has shape [${w.shape.join(', ')}]; expected [out, ${cin}, ${k}, ${k}] for the AdaIN ${what}`,
      );
    }
    if (b.shape.length !== 1 || b.shape[0] !== co) {
      throw new AdainWeightsError(`${source}: ${s.index}.bias has shape [${b.shape.join(', ')}]; expected [${co}]`);
    }
    floatData(w, source, `${s.index}.weight`);
    floatData(b, source, `${s.index}.bias`);
    cin = co!;
  }
  return cin;
}

/**
 * Runs `steps` on an NHWC batch. Reflection padding of 1 then a valid 3x3 conv equals PyTorch's
 * ReflectionPad2d + Conv2d. A 2x2 stride-2 max-pool with 'same' padding pads only bottom/right,
 * and only for odd sizes, with values that never win: that is PyTorch's ceil_mode=True output
 * (size ceil(n/2), last window one row/column). Nearest 2x upsampling copies each value to a
 * 2x2 block, as nn.Upsample(scale_factor=2, mode='nearest').
 */
export function runSteps(x: tf.Tensor4D, steps: readonly Step[], weights: readonly ConvWeights[]): tf.Tensor4D {
  return tf.tidy(() => {
    let h = x;
    let w = 0;
    for (const s of steps) {
      if (s.kind === 'conv') {
        const c = weights[w++]!;
        const input = s.reflect ? tf.mirrorPad(h, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect') : h;
        h = tf.fused.conv2d({ x: input, filter: c.filter, bias: c.bias, strides: 1, pad: 'valid', activation: s.relu ? 'relu' : 'linear' });
      } else if (s.kind === 'pool') {
        h = tf.maxPool(h, 2, 2, 'same');
      } else {
        const [, hh, ww] = h.shape;
        h = tf.image.resizeNearestNeighbor(h, [hh * 2, ww * 2], false, false);
      }
    }
    return h;
  });
}
