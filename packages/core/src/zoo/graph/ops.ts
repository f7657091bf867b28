/**
 * One description per architecture, two engines: a zoo architecture is written once as a
 * `ZooGraph`, a forward pass against the small set of operations below, reading like its PyTorch
 * `forward()`. Run against graph/tf-ops.ts it is the TF.js network (each call computes tensors);
 * run once against graph/onnx-ops.ts it records the ONNX graph that ONNX Runtime executes.
 *
 * Values are opaque to the architecture. Their kind is part of the contract:
 * - `map`: an image-shaped activation [N, C, H, W] (NHWC tensors in TF.js, NCHW in ONNX);
 * - `tokens`: a transformer's [N, T, D];
 * - `vector`: [N, K] (pooled features, logits).
 * Operations that work "over the channels" mean C of a map and the last axis of tokens/vectors.
 */
import type { AffineWeights, ConstWeights, ConvWeights, LinearWeights, NormWeights } from './weights.js';

export interface PoolOptions {
  k: number;
  stride: number;
  /** Symmetric padding; PyTorch's floor rounding of the output size. */
  pad: number;
}

export interface Ops<V> {
  /**
   * y = act(conv(x) + b); with `add`, the residual is added before the (then only) ReLU, as a
   * ResNet block's last conv does (the conv's own activation must be linear).
   */
  conv(x: V, c: ConvWeights, add?: { residual: V; relu: boolean }): V;
  /** Max pooling of a map; padding is −∞, as PyTorch's. */
  maxPool(x: V, p: PoolOptions): V;
  /** Average pooling of a map (zero padding counted, PyTorch's default `count_include_pad`). */
  avgPool(x: V, p: PoolOptions): V;
  /** Adaptive average pooling of a map to `out`×`out` (PyTorch's bin edges), e.g. VGG's 7×7. */
  adaptiveAvgPool(x: V, out: number): V;
  /** Mean over H and W: map [N, C, H, W] → vector [N, C]. */
  globalAvgPool(x: V): V;
  /** Map → vector in PyTorch's `flatten(1)` order (C, then H, then W). */
  flatten(x: V): V;
  /**
   * Zero channels put before and after a map's own: [N, C, H, W] → [N, before + C + after, H, W],
   * PyTorch's `F.pad(x, (0, 0, 0, 0, before, after))` (the parameter-free "option A" shortcut of
   * the CIFAR ResNets, after a stride-2 subsample; ONNX: Pad on the channel axis).
   */
  padChannels(x: V, before: number, after: number): V;
  /** Channel concatenation of maps (DenseNet). */
  concat(xs: readonly V[]): V;
  add(a: V, b: V): V;
  /** Elementwise product; a vector b [N, C] broadcasts over a map's H and W (squeeze-excitation). */
  mul(a: V, b: V): V;
  /** a · k (both lowerings multiply). */
  scale(a: V, k: number): V;
  relu(x: V): V;
  sigmoid(x: V): V;
  silu(x: V): V;
  /** Exact GELU, x·Φ(x). */
  gelu(x: V): V;
  /** Per-channel x·scale + shift (an unfolded BatchNorm, a layer scale). */
  affine(x: V, a: AffineWeights): V;
  /** nn.Linear over the channels (a map's C, the last axis otherwise). */
  linear(x: V, l: LinearWeights): V;
  /** LayerNorm over the channels. */
  layerNorm(x: V, n: NormWeights): V;
  /** Map [N, D, H, W] → tokens [N, H·W, D], row by row (a ViT's patch tokens). */
  tokensOf(x: V): V;
  /** Tokens with the constant [1, P, D] (class / distillation tokens) put in front: [N, P + T, D]. */
  prepend(x: V, c: ConstWeights): V;
  /** Tokens + a constant [1, T, D] (position embeddings). */
  addConst(x: V, c: ConstWeights): V;
  /** Multi-head self-attention (qkv rows in q, k, v order, each split into `heads` slices). */
  selfAttention(x: V, qkv: LinearWeights, proj: LinearWeights, heads: number): V;
  /** Tokens start..start+count−1: [N, count, D]. */
  sliceTokens(x: V, start: number, count: number): V;
  /** Tokens [N, 1, D] → vector [N, D]. */
  tokenVector(x: V): V;
  /** Tokens [N, gh·gw, D] → their map [N, D, gh, gw] (whose global pool is the token mean). */
  tokenGrid(x: V, gh: number, gw: number): V;
  /**
   * `f()`, its value the only one of the values it made that outlives it: a memory bound, not a
   * computation. TF.js frees the rest at once (`tf.tidy`), so a block's intermediates (a dense
   * block's concatenations, an inverted residual's expanded maps) do not pile up over a forward;
   * a lowering that records a graph just calls `f`.
   */
  scope(f: () => V): V;
}

/** The input grid a transformer's tokens come from, known only once the input size is. */
export interface GraphInput<V> {
  /** The NCHW/NHWC image batch as a map. */
  x: V;
  /** Input side in pixels (square inputs). */
  size: number;
}

/**
 * An architecture's forward pass: the requested taps as maps (a transformer's class token as a
 * [N, D, 1, 1] map or its patch grid), and `logits` as a vector when asked for and available.
 * Only what the deepest requested output needs is computed.
 */
export interface ZooGraph {
  forward<V>(ops: Ops<V>, input: GraphInput<V>, wanted: readonly string[]): Record<string, V>;
}
