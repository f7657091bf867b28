/**
 * The AdaIN networks' layouts (docs/formats.md, "AdaIN weights"), as the official pytorch-AdaIN `net.py` numbers its
 * `nn.Sequential` layers, and the conversion of their state_dict entries to convolutions planned
 * by core's convolution entry point (which picks its wasm kernels or tfjs's convolution).
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyConvPlan, CheckpointError, planConv, releaseConvPlan, type ConvPlan, type StateDict, type TensorEntry } from '@shapetex/core';

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

/** One layer's convolution, planned: reflection padding of 1 (3x3) or none (the 1x1), bias, ReLU. */
export interface ConvWeights {
  index: number;
  /** Output channels. */
  K: number;
  plan: ConvPlan;
}

/** Frees the layers' tensors and kernel filters. */
export function releaseConvWeights(convs: readonly ConvWeights[]): void {
  for (const c of convs) releaseConvPlan(c.plan);
}

/** PyTorch [out, in, kh, kw] → HWIO [kh, kw, in, out]. */
function toHwio(w: Float32Array, co: number, ci: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let o = 0; o < co; o++) {
    for (let i = 0; i < ci; i++) {
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * ci + i) * co + o] = w[((o * ci + i) * kh + y) * kw + x]!;
    }
  }
  return out;
}

/**
 * AdaIN weights (the VGG encoder or the decoder) that do not fit the network: a missing layer,
 * a wrong shape or dtype. A core `CheckpointError` (the weights file cannot be built into the
 * network); the message names the file or state_dict. `svoc build` reports it as a usage error.
 */
export class AdainWeightsError extends CheckpointError {
  constructor(message: string) {
    super(null, message);
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
 * to planned HWIO convolutions. Keys past the last step are ignored (the official encoder
 * file carries the layers up to relu5_4). Channel widths are read from the weights, so narrowed
 * networks work too. Errors name the source, the missing keys or the mismatching shape.
 */
export function convWeights(sd: StateDict, steps: readonly Step[], source: string, inChannels: number, what: string): ConvWeights[] {
  checkConvWeights(sd, steps, source, inChannels, what);
  const out: ConvWeights[] = [];
  try {
    for (const s of steps) {
      if (s.kind !== 'conv') continue;
      const w = sd.get(`${s.index}.weight`)!;
      const b = sd.get(`${s.index}.bias`)!;
      const k = s.reflect ? 3 : 1;
      const [co, ci, kh, kw] = w.shape;
      const filter = toHwio(floatData(w, source, `${s.index}.weight`), co!, ci!, kh!, kw!);
      const plan = planConv({
        filter, kh: k, kw: k, C: ci!, K: co!, pad: s.reflect ? 1 : 0, paddingMode: s.reflect ? 'reflect' : 'zeros',
        bias: floatData(b, source, `${s.index}.bias`), activation: s.relu ? 'relu' : 'linear',
      });
      out.push({ index: s.index, K: co!, plan });
    }
  } catch (err) {
    releaseConvWeights(out);
    throw err;
  }
  return out;
}

/**
 * The checks of {@link convWeights} without planning a convolution (so `svoc build` can run them
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

const upsampled = (h: tf.Tensor4D, factor: 1 | 2): tf.Tensor4D =>
  factor === 1 ? h : tf.image.resizeNearestNeighbor(h, [h.shape[1] * 2, h.shape[2] * 2], false, false);

/**
 * Runs `steps` on an NHWC batch. Each conv is PyTorch's ReflectionPad2d(1) + Conv2d (the padding
 * done inside core's Winograd kernel on wasm, a mirror pad then a valid conv elsewhere). A 2x2
 * stride-2 max-pool with 'same' padding pads only bottom/right, and only for odd sizes, with values that never win: that is PyTorch's ceil_mode=True output
 * (size ceil(n/2), last window one row/column). Nearest 2x upsampling copies each value to a
 * 2x2 block, as nn.Upsample(scale_factor=2, mode='nearest'); the conv after it does the
 * upsampling itself (inside the Winograd kernel's padding copy on wasm).
 */
export function runSteps(x: tf.Tensor4D, steps: readonly Step[], weights: readonly ConvWeights[]): tf.Tensor4D {
  return tf.tidy(() => {
    let h = x;
    let w = 0;
    // an upsampling followed by a conv (the decoder's, every time) is done by the conv
    let upsample: 1 | 2 = 1;
    for (const s of steps) {
      if (s.kind === 'conv') {
        h = applyConvPlan(h, weights[w++]!.plan, { upsample });
        upsample = 1;
      } else if (s.kind === 'pool') {
        h = upsampled(h, upsample);
        upsample = 1;
        h = tf.maxPool(h, 2, 2, 'same');
      } else {
        h = upsampled(h, upsample);
        upsample = 2;
      }
    }
    h = upsampled(h, upsample);
    return h;
  });
}
