/**
 * The weights of a zoo graph as plain data, in PyTorch's own layouts, BatchNorm already folded:
 * what every lowering of a graph (graph/tf-ops.ts for TF.js, graph/onnx-ops.ts for ONNX) starts
 * from. Each record keeps the state_dict key it came from, so an ONNX initializer is named after
 * it and an error can name it.
 */
import type { StateDict } from '../../io/types.js';
import { CheckpointError } from '../../io/errors.js';
import { bnAffine } from '../batchnorm.js';
import { floats, shapeOf } from '../keys.js';

export type Activation = 'linear' | 'relu' | 'relu6' | 'silu' | 'sigmoid';

/** A Conv2d with its BatchNorm folded: y = act(W ∗ x + b). */
export interface ConvWeights {
  /** The state_dict key of the conv weight (names the ONNX initializers `<name>`, `<name>.bias`). */
  name: string;
  /** OIHW [O, I/groups, kh, kw], BatchNorm scale folded in. */
  weight: Float32Array;
  O: number;
  /** Input channels of the layer (not per group). */
  I: number;
  kh: number;
  kw: number;
  bias: Float32Array | null;
  stride: number;
  /** Symmetric zero padding (PyTorch `padding`). */
  pad: number;
  /** 1 (dense) or I = O (depthwise). */
  groups: number;
  activation: Activation;
}

/** An nn.Linear: y = x·Wᵀ + b over the last (token) or channel axis. */
export interface LinearWeights {
  name: string;
  /** [out, in], PyTorch's layout. */
  weight: Float32Array;
  bias: Float32Array | null;
  in: number;
  out: number;
}

/** A per-channel affine y = x·scale + shift (an unfolded BatchNorm, a layer scale). */
export interface AffineWeights {
  name: string;
  scale: Float32Array;
  shift: Float32Array | null;
}

/** A LayerNorm over the channels (maps) or the last axis (tokens, vectors). */
export interface NormWeights {
  name: string;
  weight: Float32Array;
  bias: Float32Array;
  eps: number;
}

/** A constant tensor of the graph (class tokens, position embeddings), row-major. */
export interface ConstWeights {
  name: string;
  data: Float32Array;
  shape: number[];
}

export interface ConvOptions {
  stride?: number;
  /** Symmetric zero padding (PyTorch `padding`); default (k − 1) / 2. */
  pad?: number;
  /** Prefix of the BatchNorm that follows the conv, folded into it. */
  bn?: string;
  bnEps?: number;
  /** Key of the conv's own bias, if it has one. */
  bias?: string;
  activation?: Activation;
  /** groups = channels (weight [C, 1, kh, kw]). */
  depthwise?: boolean;
}

/**
 * PyTorch conv weight [O, I/g, kh, kw] with its BatchNorm folded:
 * W'[o] = W[o]·scale[o], b' = (b − μ)·scale + β (batchnorm.ts), layout kept.
 */
export function convWeights(sd: StateDict, weightKey: string, opts: ConvOptions = {}): ConvWeights {
  const e = sd.get(weightKey);
  const w = floats(e, weightKey);
  const [O, Ig, kh, kw] = e!.shape as [number, number, number, number];
  const depthwise = opts.depthwise ?? false;
  if (depthwise && Ig !== 1) throw new CheckpointError(null, `${weightKey}: depthwise conv weight must be [C, 1, kh, kw], found [${e!.shape.join(', ')}]`);
  const aff = opts.bn ? bnAffine(sd, opts.bn, opts.bnEps ?? 1e-5) : null;
  const convBias = opts.bias ? floats(sd.get(opts.bias), opts.bias) : null;
  const per = Ig * kh * kw;
  const weight = new Float32Array(w.length);
  for (let o = 0; o < O; o++) {
    const s = aff ? aff.scale[o]! : 1;
    for (let j = o * per; j < (o + 1) * per; j++) weight[j] = w[j]! * s;
  }
  let bias: Float32Array | null = null;
  if (aff || convBias) {
    bias = new Float32Array(O);
    for (let o = 0; o < O; o++) {
      const b0 = convBias ? convBias[o]! : 0;
      bias[o] = aff ? b0 * aff.scale[o]! + aff.shift[o]! : b0;
    }
  }
  return {
    name: weightKey,
    weight, O, I: depthwise ? O : Ig, kh, kw, bias,
    stride: opts.stride ?? 1,
    pad: opts.pad ?? (kh - 1) / 2,
    groups: depthwise ? O : 1,
    activation: opts.activation ?? 'linear',
  };
}

/** nn.Linear from `weightKey` [O, I] and optionally `biasKey` [O]. */
export function linearWeights(arch: string, sd: StateDict, weightKey: string, biasKey: string | null): LinearWeights {
  const [O, I] = shapeOf(arch, sd, weightKey, 2) as [number, number];
  return {
    name: weightKey.replace(/\.weight$/, ''),
    weight: floats(sd.get(weightKey), weightKey),
    bias: biasKey ? floats(sd.get(biasKey), biasKey) : null,
    in: I,
    out: O,
  };
}

/** The usual `prefix.weight` / `prefix.bias` pair. */
export function linearAt(arch: string, sd: StateDict, prefix: string): LinearWeights {
  return linearWeights(arch, sd, `${prefix}.weight`, `${prefix}.bias`);
}

/** A LayerNorm's `prefix.weight` / `prefix.bias`. */
export function normWeights(sd: StateDict, prefix: string, eps: number): NormWeights {
  return {
    name: prefix,
    weight: floats(sd.get(`${prefix}.weight`), `${prefix}.weight`),
    bias: floats(sd.get(`${prefix}.bias`), `${prefix}.bias`),
    eps,
  };
}

/** An inference-mode BatchNorm as the affine it is (for the pre-activation blocks that cannot fold it). */
export function bnWeights(sd: StateDict, prefix: string, eps = 1e-5): AffineWeights {
  const { scale, shift } = bnAffine(sd, prefix, eps);
  return { name: prefix, scale, shift };
}
