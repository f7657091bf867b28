/**
 * Inference building blocks shared by the zoo builders (ResNets, DenseNet, MobileNetV2,
 * EfficientNet, VGG): state_dict checks with one error that lists everything wrong, BatchNorm
 * folding into HWIO filters, and fused conv application with PyTorch's symmetric padding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyConvPlan, planConv, releaseConvPlan, type ConvPlan, type ResidualAdd } from '../kernels/conv.js';
import type { StateDict, TensorEntry } from '../io/types.js';
import type { Network } from './types.js';

/** A state_dict that does not fit an architecture: every missing, unexpected and misshapen key. */
export class ArchitectureMismatchError extends Error {
  constructor(
    readonly arch: string,
    readonly missing: string[],
    readonly unexpected: string[],
    readonly mismatched: { key: string; expected: number[]; found: number[] }[],
  ) {
    const list = (xs: string[]): string => (xs.length > 8 ? `${xs.slice(0, 8).join(', ')}, … (${xs.length})` : xs.join(', '));
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys: ${list(missing)}`);
    if (unexpected.length) parts.push(`unexpected keys: ${list(unexpected)}`);
    if (mismatched.length) {
      parts.push(`shape mismatches: ${list(mismatched.map((m) => `${m.key} expected [${m.expected.join(', ')}] found [${m.found.join(', ')}]`))}`);
    }
    super(`state_dict does not fit ${arch}: ${parts.join('; ')}`);
    this.name = 'ArchitectureMismatchError';
  }
}

/** Expected parameter/buffer shapes of an architecture, built up as its config is walked. */
export type KeyShapes = Map<string, number[]>;

const isCounter = (key: string): boolean => key.endsWith('num_batches_tracked');

/**
 * Compare a state_dict with the expected key shapes; throws one error listing everything that
 * differs. BatchNorm's `num_batches_tracked` counters are optional (absent in old checkpoints).
 * Keys for which `ignore` is true (a classifier whose size is free) are not reported as unexpected.
 */
export function checkKeys(arch: string, sd: StateDict, expected: KeyShapes, ignore: (key: string) => boolean = () => false): void {
  const missing: string[] = [];
  const mismatched: { key: string; expected: number[]; found: number[] }[] = [];
  for (const [key, shape] of expected) {
    const e = sd.get(key);
    if (!e) {
      if (!isCounter(key)) missing.push(key);
    } else if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
      mismatched.push({ key, expected: shape, found: e.shape });
    }
  }
  const unexpected = [...sd.keys()].filter((k) => !expected.has(k) && !ignore(k));
  if (missing.length || unexpected.length || mismatched.length) {
    throw new ArchitectureMismatchError(arch, missing, unexpected, mismatched);
  }
}

/**
 * A `match` score: `score` when the state_dict fits the layout exactly, 0 otherwise. `layout`
 * reads shapes from the weights and throws on a foreign layout, so it runs inside the guard too;
 * any error means "not this architecture" here, and `build` reports the details.
 */
export function fitScore(
  arch: string,
  sd: StateDict,
  layout: () => KeyShapes,
  score: number,
  ignore?: (key: string) => boolean,
): number {
  try {
    checkKeys(arch, sd, layout(), ignore);
    return score;
  } catch {
    return 0;
  }
}

/** Add the five keys of a BatchNorm2d with `c` channels. */
export function expectBn(into: KeyShapes, prefix: string, c: number): void {
  for (const k of ['weight', 'bias', 'running_mean', 'running_var']) into.set(`${prefix}.${k}`, [c]);
  into.set(`${prefix}.num_batches_tracked`, []);
}

/**
 * `features.0` of torchvision's MobileNetV2 / EfficientNet layouts: a 3x3 conv from RGB + BN.
 * Returns its channels.
 */
export function expectStem(arch: string, sd: StateDict, expected: KeyShapes): number {
  const c0 = shapeOf(arch, sd, 'features.0.0.weight', 4)[0]!;
  expected.set('features.0.0.weight', [c0, 3, 3, 3]);
  expectBn(expected, 'features.0.1', c0);
  return c0;
}

/**
 * The head of the same layouts: `features.<index>` 1x1 conv from `inp` channels + BN, then the
 * `classifier.1` Linear, whose class count is read from the weights (sized 1000 when absent).
 */
export function expectHead(arch: string, sd: StateDict, expected: KeyShapes, index: number, inp: number): { numClasses?: number } {
  const last = shapeOf(arch, sd, `features.${index}.0.weight`, 4)[0]!;
  expected.set(`features.${index}.0.weight`, [last, inp, 1, 1]);
  expectBn(expected, `features.${index}.1`, last);
  const numClasses = classesOf(sd, 'classifier.1.weight');
  expected.set('classifier.1.weight', [numClasses ?? 1000, last]);
  expected.set('classifier.1.bias', [numClasses ?? 1000]);
  return numClasses !== undefined ? { numClasses } : {};
}

/** Shape of a key, or an error naming it; used while a config is read from the weights. */
export function shapeOf(arch: string, sd: StateDict, key: string, rank: number): number[] {
  const e = sd.get(key);
  if (!e) throw new ArchitectureMismatchError(arch, [key], [], []);
  if (e.shape.length !== rank) {
    throw new Error(`state_dict does not fit ${arch}: ${key} has shape [${e.shape.join(', ')}], expected a ${rank}-D tensor`);
  }
  return e.shape;
}

function floats(e: TensorEntry | undefined, key: string): Float32Array {
  if (!e) throw new Error(`missing state_dict key ${key}`);
  if (!(e.data instanceof Float32Array)) throw new Error(`${key}: expected floating-point weights, found dtype ${e.dtype}`);
  return e.data;
}

/**
 * Eval-mode BatchNorm as a per-channel affine map y = scale·x + shift with
 * scale = γ / √(running_var + ε), shift = β − running_mean·scale.
 */
export function bnAffine(sd: StateDict, prefix: string, eps: number): { scale: Float32Array; shift: Float32Array } {
  const g = floats(sd.get(`${prefix}.weight`), `${prefix}.weight`);
  const b = floats(sd.get(`${prefix}.bias`), `${prefix}.bias`);
  const m = floats(sd.get(`${prefix}.running_mean`), `${prefix}.running_mean`);
  const v = floats(sd.get(`${prefix}.running_var`), `${prefix}.running_var`);
  const scale = new Float32Array(g.length);
  const shift = new Float32Array(g.length);
  for (let c = 0; c < g.length; c++) {
    // float64 here so the folded weights carry one rounding, like PyTorch's float32 BN
    const s = g[c]! / Math.sqrt(v[c]! + eps);
    scale[c] = s;
    shift[c] = b[c]! - m[c]! * s;
  }
  return { scale, shift };
}

export type { Activation, ResidualAdd } from '../kernels/conv.js';
export { silu } from '../kernels/conv.js';

/** A convolution ready to run, BatchNorm folded in (kernels/conv.ts picks its path). */
export type FoldedConv = ConvPlan;

export interface ConvOptions {
  stride?: number;
  /** Symmetric zero padding (PyTorch `padding`); default (k − 1) / 2. */
  pad?: number;
  /** Prefix of the BatchNorm that follows the conv, folded into it. */
  bn?: string;
  bnEps?: number;
  /** Key of the conv's own bias, if it has one. */
  bias?: string;
  activation?: ConvPlan['activation'];
  /** groups = channels (weight [C, 1, kh, kw]). */
  depthwise?: boolean;
}

/**
 * PyTorch conv weight [O, I/g, kh, kw] → TF filter, BatchNorm folded:
 * W'[o] = W[o]·scale[o], b' = (b − μ)·scale + β. Depthwise ([C, 1, kh, kw], groups = C) becomes
 * [kh, kw, C, 1]; ordinary convs become HWIO [kh, kw, I, O].
 */
export function foldConv(sd: StateDict, weightKey: string, opts: ConvOptions = {}): FoldedConv {
  const e = sd.get(weightKey);
  const w = floats(e, weightKey);
  const [O, I, kh, kw] = e!.shape as [number, number, number, number];
  const depthwise = opts.depthwise ?? false;
  if (depthwise && I !== 1) throw new Error(`${weightKey}: depthwise conv weight must be [C, 1, kh, kw], found [${e!.shape.join(', ')}]`);
  const aff = opts.bn ? bnAffine(sd, opts.bn, opts.bnEps ?? 1e-5) : null;
  const convBias = opts.bias ? floats(sd.get(opts.bias), opts.bias) : null;
  const out = new Float32Array(w.length);
  for (let o = 0; o < O; o++) {
    const s = aff ? aff.scale[o]! : 1;
    for (let i = 0; i < I; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const src = ((o * I + i) * kh + y) * kw + x;
          // depthwise: [kh, kw, C=O, 1]; dense: [kh, kw, I, O]
          const dst = depthwise ? (y * kw + x) * O + o : ((y * kw + x) * I + i) * O + o;
          out[dst] = w[src]! * s;
        }
      }
    }
  }
  let bias: Float32Array | null = null;
  if (aff || convBias) {
    bias = new Float32Array(O);
    for (let o = 0; o < O; o++) {
      const b0 = convBias ? convBias[o]! : 0;
      bias[o] = aff ? b0 * aff.scale[o]! + aff.shift[o]! : b0;
    }
  }
  return planConv({
    filter: out, kh, kw, C: depthwise ? O : I, K: O, depthwise, bias,
    ...(opts.stride !== undefined ? { stride: opts.stride } : {}),
    ...(opts.pad !== undefined ? { pad: opts.pad } : {}),
    ...(opts.activation !== undefined ? { activation: opts.activation } : {}),
  });
}

/**
 * Apply a folded conv (kernels/conv.ts): with `add`, the residual is added and the ReLU applied
 * after the sum, inside the Winograd kernel's output transform on wasm.
 */
export function applyConv(x: tf.Tensor4D, c: FoldedConv, add?: ResidualAdd): tf.Tensor4D {
  return applyConvPlan(x, c, add ? { add } : {});
}

export function disposeConv(c: FoldedConv): void {
  releaseConvPlan(c);
}

/** Per-channel affine y = x·scale + shift (an unfoldable, pre-activation BatchNorm). */
export interface Affine { scale: tf.Tensor1D; shift: tf.Tensor1D }

export function affineOf(sd: StateDict, prefix: string, eps = 1e-5): Affine {
  const { scale, shift } = bnAffine(sd, prefix, eps);
  return { scale: tf.tensor1d(scale), shift: tf.tensor1d(shift) };
}

export function applyAffineRelu(x: tf.Tensor4D, a: Affine): tf.Tensor4D {
  return tf.relu(tf.add(tf.mul(x, a.scale), a.shift)) as tf.Tensor4D;
}

export function disposeAffine(a: Affine): void {
  a.scale.dispose();
  a.shift.dispose();
}

/**
 * A network whose only tap is `final`. `run` maps the NHWC input to the final map; the caller
 * holds it inside `tf.tidy` (Network contract).
 */
export function finalOnlyNetwork(
  arch: string,
  meta: { numClasses?: number | undefined; defaultImageSize: number },
  run: (x: tf.Tensor4D) => tf.Tensor4D,
  release: () => void,
): Network {
  let disposed = false;
  return {
    arch,
    taps: ['final'],
    ...(meta.numClasses !== undefined ? { numClasses: meta.numClasses } : {}),
    defaultImageSize: meta.defaultImageSize,
    forward(x, taps) {
      if (disposed) throw new Error(`${arch}: network used after dispose()`);
      for (const t of taps) if (t !== 'final') throw new Error(`${arch}: unknown tap ${JSON.stringify(t)}; taps: final`);
      if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`${arch}: input must be NHWC with 3 channels, found [${x.shape.join(', ')}]`);
      const out: Record<string, tf.Tensor4D> = {};
      if (taps.length) out.final = run(x);
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      release();
    },
  };
}

/** Number of classes from a classifier weight [K, D], if present. */
export function classesOf(sd: StateDict, key: string): number | undefined {
  const e = sd.get(key);
  return e && e.shape.length === 2 ? e.shape[0] : undefined;
}
