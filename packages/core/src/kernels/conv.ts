/**
 * The one convolution entry point: `planConv` takes a convolution's HWIO filter and geometry
 * once, when a network is built, and picks how it runs (the Winograd kernels for 3×3 stride-1
 * padding-1 convolutions, im2col + GEMM for most other dense ones, tfjs's own convolution for
 * the rest and on every backend but wasm); `applyConvPlan` runs it. The zoo's networks and svoc's
 * AdaIN networks both go through here, so no caller chooses kernels itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import { releaseResident } from './arena.js';
import { im2colKernels, winogradKernels } from './module.js';
import { im2colConv2d, im2colEligible, planIm2col, type Im2colPlan } from './im2col/index.js';
import { planWinograd, winogradConv2d, winogradEligible, type WinogradPlan } from './winograd/index.js';

export type Activation = 'linear' | 'relu' | 'relu6' | 'silu' | 'sigmoid';

/**
 * What the padding holds, in PyTorch's words (`Conv2d(padding_mode=…)`): `zeros`, or `reflect`
 * (ReflectionPad2d: the row or column next to the edge mirrored, the edge itself not repeated).
 */
export type PaddingMode = 'zeros' | 'reflect';

export interface ConvSpec {
  /** HWIO [kh, kw, C, K]; depthwise: [kh, kw, C, 1] with K = C. */
  filter: Float32Array;
  kh: number;
  kw: number;
  /** Input and output channels. */
  C: number;
  K: number;
  /** Default 1. */
  stride?: number;
  /** Padding on every side (PyTorch `padding`); default (kh − 1) / 2. */
  pad?: number;
  /** Default `zeros`. */
  paddingMode?: PaddingMode;
  /** groups = channels. */
  depthwise?: boolean;
  /** Per output channel, or none. */
  bias?: Float32Array | null;
  /** Default `linear`. */
  activation?: Activation;
}

/** A convolution ready to run: tfjs tensors for the fallback, and the kernels' plans. */
export interface ConvPlan {
  /** Output channels. */
  K: number;
  filter: tf.Tensor4D;
  bias: tf.Tensor1D | null;
  stride: number;
  pad: number;
  paddingMode: PaddingMode;
  depthwise: boolean;
  activation: Activation;
  /** The Winograd path's filters, when this conv qualifies and the kernels are loaded (wasm). */
  winograd?: WinogradPlan;
  /** The im2col path's, for the other convs that qualify (wasm). */
  im2col?: Im2colPlan;
}

/** A residual added to a conv's output before the activation: y = act(conv(x) + bias + residual). */
export interface ResidualAdd {
  residual: tf.Tensor4D;
  /** ReLU after the sum (a ResNet block's); the conv's own activation must be linear. */
  relu: boolean;
}

/**
 * Picks the path of a convolution and prepares its filters. The kernels are chosen only on the
 * wasm backend with the kernels loaded (and not switched off by the settings `winograd` /
 * `im2col`, settings.ts); reflection padding runs inside the Winograd kernel's padding copy, and
 * before the im2col and tfjs paths as a mirror pad followed by a valid convolution.
 */
export function planConv(spec: ConvSpec): ConvPlan {
  const { filter, kh, kw, C, K } = spec;
  const depthwise = spec.depthwise ?? false;
  const stride = spec.stride ?? 1;
  const pad = spec.pad ?? (kh - 1) / 2;
  const paddingMode = spec.paddingMode ?? 'zeros';
  const activation = spec.activation ?? 'linear';
  const want = kh * kw * C * (depthwise ? 1 : K);
  if (filter.length !== want) throw new Error(`planConv: a [${kh}, ${kw}, ${C}, ${depthwise ? 1 : K}] filter has ${want} values, got ${filter.length}`);
  if (depthwise && C !== K) throw new Error(`planConv: a depthwise convolution has as many outputs as inputs, got C = ${C}, K = ${K}`);
  if (spec.bias && spec.bias.length !== K) throw new Error(`planConv: the bias has ${spec.bias.length} values, expected K = ${K}`);
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`planConv: padding must be a whole number ≥ 0, got ${pad}`);
  if (paddingMode === 'reflect' && depthwise) throw new Error('planConv: reflection padding is not supported for depthwise convolutions');
  const bias = spec.bias ?? null;
  const relu = activation === 'relu';
  const geometry = { kh, kw, C, K, stride, pad, depthwise, activation };
  const wasm = tf.getBackend() === 'wasm';
  // Winograd takes a K that is not a multiple of 8 (an RGB output layer) as the next multiple
  // of 8 with zero filters, cut back after: cheaper than tfjs's direct convolution at 512 px
  const Kw = Math.ceil(K / 8) * 8;
  const winograd = wasm && winogradKernels() !== null && winogradEligible({ ...geometry, K: Kw });
  // reflection-padded convolutions reach im2col already padded: its own padding would be zeros
  const im2col = !winograd && wasm && im2colKernels() !== null && im2colEligible(geometry);
  const im2colGeometry = paddingMode === 'reflect' ? { ...geometry, pad: 0 } : geometry;
  return {
    K,
    filter: depthwise ? tf.tensor4d(filter, [kh, kw, C, 1]) : tf.tensor4d(filter, [kh, kw, C, K]),
    bias: bias ? tf.tensor1d(bias) : null,
    stride,
    pad,
    paddingMode,
    depthwise,
    activation,
    ...(winograd ? { winograd: planWinograd(widen(filter, K, Kw), C, Kw, bias && widen(bias, K, Kw), relu) } : {}),
    ...(im2col ? { im2col: planIm2col(filter, im2colGeometry, bias, relu) } : {}),
  };
}

export interface ConvRunOptions {
  /** A residual added before the activation (the conv's own activation must be linear). */
  add?: ResidualAdd;
  /**
   * 2: nearest-neighbour 2× upsampling of `x` first (nn.Upsample(scale_factor=2,
   * mode='nearest')); inside the Winograd kernel's padding copy on wasm, so the upsampled map is
   * never made, tfjs's resize elsewhere.
   */
  upsample?: 1 | 2;
}

/**
 * Runs a planned convolution: y = act(conv(x) + bias), SiLU as x·σ(x) after it. With `add`,
 * the residual is added and the ReLU applied after the sum: inside the Winograd kernel's output
 * transform on wasm (no separate add and ReLU passes), as two ops elsewhere.
 */
export function applyConvPlan(x: tf.Tensor4D, c: ConvPlan, opts: ConvRunOptions = {}): tf.Tensor4D {
  const { add } = opts;
  const upsample = opts.upsample ?? 1;
  if (upsample !== 1 && upsample !== 2) throw new RangeError(`applyConvPlan: upsample must be 1 or 2, got ${String(upsample)}`);
  if (add && c.activation !== 'linear') throw new Error(`applyConvPlan: a residual add needs a linear conv, this one has ${c.activation}`);
  const [, h, w] = x.shape;
  if (c.paddingMode === 'reflect' && (h * upsample <= c.pad || w * upsample <= c.pad)) {
    // PyTorch's rule too: a reflection needs a row and column beyond the edge to mirror
    throw new RangeError(`applyConvPlan: reflection padding of ${c.pad} needs a map larger than ${c.pad}×${c.pad}, got ${h * upsample}×${w * upsample}`);
  }
  const kernels = c.winograd ? winogradKernels() : null;
  if (c.winograd && kernels) {
    const run = { padding: c.paddingMode, upsample };
    // a widened plan (K not a multiple of 8) keeps its first K channels, and adds the residual after
    if (c.winograd.K === c.K) return winogradConv2d(kernels, x, c.winograd, { ...(add ?? {}), ...run });
    return tf.tidy(() => {
      const y = winogradConv2d(kernels, x, c.winograd!, { ...run, outChannels: c.K });
      return add ? withResidual(y, add) : y;
    });
  }
  return tf.tidy(() => {
    const up = upsample === 2 ? tf.image.resizeNearestNeighbor(x, [h * 2, w * 2]) : x;
    const y = convOnly(c.paddingMode === 'reflect' && c.pad > 0 ? mirror(up, c.pad) : up, c);
    return add ? withResidual(y, add) : y;
  });
}

function withResidual(y: tf.Tensor4D, add: ResidualAdd): tf.Tensor4D {
  const sum = tf.add(y, add.residual) as tf.Tensor4D;
  return add.relu ? tf.relu(sum) : sum;
}

/** An HWIO filter (or a bias) with K output channels as one with Kw ≥ K, the new ones zero. */
function widen(a: Float32Array, K: number, Kw: number): Float32Array {
  if (Kw === K) return a;
  const out = new Float32Array((a.length / K) * Kw);
  for (let i = 0, j = 0; i < a.length; i += K, j += Kw) out.set(a.subarray(i, i + K), j);
  return out;
}

const mirror = (x: tf.Tensor4D, p: number): tf.Tensor4D => tf.mirrorPad(x, [[0, 0], [p, p], [p, p], [0, 0]], 'reflect');

/** The im2col or tfjs path; `x` is already reflection-padded when the plan asks for it. */
function convOnly(x: tf.Tensor4D, c: ConvPlan): tf.Tensor4D {
  if (c.im2col) {
    const kernels = im2colKernels();
    if (kernels) return im2colConv2d(kernels, x, c.im2col);
  }
  const fusedAct = c.activation === 'silu' ? 'linear' : c.activation;
  const args = {
    x,
    filter: c.filter,
    strides: c.stride,
    pad: c.paddingMode === 'reflect' ? 0 : c.pad,
    activation: fusedAct,
    ...(c.bias ? { bias: c.bias } : {}),
  } as const;
  const y = c.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
  return c.activation === 'silu' ? silu(y) : y;
}

/** SiLU (swish): x·σ(x). */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

/** Frees a plan's tensors and the kernels' copies of its filters in tfjs-wasm's heap. */
export function releaseConvPlan(c: ConvPlan): void {
  c.filter.dispose();
  c.bias?.dispose();
  if (c.winograd) releaseResident(c.winograd);
  if (c.im2col) releaseResident(c.im2col);
}
