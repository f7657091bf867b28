/**
 * A zoo network as an ONNX model (ModelProto bytes): its one description (graph/ops.ts) run
 * against the ONNX lowering (graph/onnx-ops.ts). The model takes `image`, float32 NCHW
 * [N, 3, H, W] with N dynamic and H = W = the image size, and gives one output per requested
 * tap, already reduced on the engine to [N, D] (GlobalAveragePool + Flatten of its map, the
 * features' global average), and `logits` [N, K] when asked for.
 *
 * Many checkpoints of one architecture share their graph: the node list is kept per
 * (architecture, taps, image size, weight shapes), and a later checkpoint only brings its
 * initializers (the lowering runs without recording nodes, names being deterministic).
 */
import type { Network } from './types.js';
import { LOGITS } from './types.js';
import { resolveTaps } from './feature-model.js';
import { collectWeights, type WeightRecord } from './graph/collect.js';
import { OnnxGraphBuilder, type NodeProto } from './graph/onnx-builder.js';
import { encodeModel, externalizeFloatData, valueInfo as protoValueInfo, type ExternalDataFile, type GraphParts } from '../onnx/proto.js';
import { createOnnxOps, type OnnxValue } from './graph/onnx-ops.js';
import { VERSION } from '../version.js';

/** A network that has no graph description (a TF.js model, a family not yet described as a graph). */
export class NoOnnxGraphError extends Error {
  constructor(readonly arch: string) {
    super(`${arch}: this network has no graph description, so it cannot be emitted as ONNX (TF.js models and families not yet described as a graph run on TF.js)`);
    this.name = 'NoOnnxGraphError';
  }
}

export interface EmitOnnxOptions {
  /** Taps to output (and `logits`); default `['final']`. */
  taps?: readonly string[];
  /** Input side H = W in pixels; default the network's input size, else its default image size. */
  imageSize?: number;
}

/** One input or output of the emitted model; `N` is the dynamic batch. */
export interface OnnxTensorInfo {
  name: string;
  shape: (number | 'N')[];
}

export interface EmittedOnnx {
  bytes: Uint8Array;
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  /** Whether the node list came from the cache (only the initializers were made anew). */
  cachedGraph: boolean;
}

interface GraphShape {
  nodes: NodeProto[];
  outputs: OnnxTensorInfo[];
  /** The names the lowering handed out, in order: equal lists mean the same nodes. */
  trace: string;
}

const CACHE_LIMIT = 16;
const cache = new Map<string, GraphShape>();

function signature(r: WeightRecord): string {
  switch (r.kind) {
    case 'conv': { const c = r.w; return `c${c.O},${c.I},${c.kh},${c.kw},${c.stride},${c.pad},${c.groups},${c.activation},${c.bias ? 1 : 0}`; }
    case 'linear': return `l${r.w.in},${r.w.out},${r.w.bias ? 1 : 0}`;
    case 'affine': return `a${r.w.scale.length},${r.w.shift ? 1 : 0}`;
    case 'norm': return `n${r.w.weight.length}`;
    case 'const': return `k${r.w.shape.join('x')}`;
  }
}

const valueInfo = (t: OnnxTensorInfo) => protoValueInfo(t.name, t.shape);

/** Runs the lowering: every requested output reduced to [N, D] and named after its tap. */
function lower(network: Network, taps: string[], size: number, b: OnnxGraphBuilder): OnnxTensorInfo[] {
  b.unique('image');
  for (const t of taps) b.unique(t);
  const x: OnnxValue = { name: 'image', kind: 'map', dims: [3, size, size] };
  const outs = network.graph!.forward(createOnnxOps(b), { x, size }, taps);
  return taps.map((t) => {
    const v = outs[t];
    if (!v) throw new Error(`${network.arch}: the graph returned no output for ${t}`);
    if (v.kind === 'tokens') throw new Error(`${network.arch}: the graph returned tokens for ${t}; a tap must be a map or a vector`);
    if (v.kind === 'vector') b.output('Identity', [v.name], t);
    else b.output('Flatten', [b.node('GlobalAveragePool', [v.name], {}, t)], t);
    return { name: t, shape: ['N', v.dims[0]!] };
  });
}

interface EmittedParts {
  parts: GraphParts;
  inputs: OnnxTensorInfo[];
  shape: GraphShape;
  cachedGraph: boolean;
}

/** The model's parts: the node list from the cache when this graph was emitted before. */
function emitParts(network: Network, opts: EmitOnnxOptions): EmittedParts {
  if (!network.graph) throw new NoOnnxGraphError(network.arch);
  const taps = resolveTaps(network, opts.taps);
  const size = opts.imageSize ?? network.inputSize ?? network.defaultImageSize;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`emitOnnx: imageSize must be a positive whole number of pixels, got ${size}`);
  const shapes = collectWeights(network.graph, taps, size).map(signature).join(';');
  const key = `${network.arch}|${JSON.stringify(network.transformer ?? null)}|${size}|${taps.join(',')}|${shapes}`;
  const known = cache.get(key);
  let b = new OnnxGraphBuilder(!known);
  let outputs = lower(network, taps, size, b);
  let shape: GraphShape | undefined = known;
  if (known && b.trace() !== known.trace) shape = undefined;
  if (!shape) {
    // first time, or the cached nodes turned out not to fit: emit in full
    if (known) { b = new OnnxGraphBuilder(true); outputs = lower(network, taps, size, b); }
    shape = { nodes: b.nodes, outputs, trace: b.trace() };
    cache.delete(key);
    cache.set(key, shape);
    if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  }
  const inputs: OnnxTensorInfo[] = [{ name: 'image', shape: ['N', 3, size, size] }];
  const parts: GraphParts = {
    name: network.arch, nodes: shape.nodes, initializers: b.initializers,
    inputs: inputs.map(valueInfo), outputs: shape.outputs.map(valueInfo), producerVersion: VERSION,
    doc: `${network.arch}: taps ${taps.filter((t) => t !== LOGITS).join(', ') || '(none)'}${taps.includes(LOGITS) ? ' and logits' : ''}, reduced to [N, D] by global average pooling`,
  };
  return { parts, inputs, shape, cachedGraph: shape === known };
}

/**
 * The ONNX model of `network` for `taps` at `imageSize`; throws NoOnnxGraphError without a
 * graph, UnknownTapError / NoLogitsError for taps the network does not have.
 */
export function emitOnnx(network: Network, opts: EmitOnnxOptions = {}): EmittedOnnx {
  const e = emitParts(network, opts);
  return { bytes: encodeModel(e.parts), inputs: e.inputs, outputs: e.shape.outputs, cachedGraph: e.cachedGraph };
}

/** What a session is opened on: the graph's bytes, and its weights beside them in memory. */
export interface SessionModel {
  /** The model's protobuf without the float weights: nodes, shapes and where each weight lies. */
  bytes: Uint8Array;
  /** One in-memory file per float initializer: the network's own weight arrays, not copied. */
  externalData: ExternalDataFile[];
  /** Whether the node list came from the cache (a later checkpoint of a graph). */
  cachedGraph: boolean;
}

/**
 * The model for opening a session at once. The weights stay out of the protobuf and go to ONNX
 * Runtime as in-memory external data: encoding them into a 45 MB protobuf, which ONNX Runtime
 * would then parse and copy out again, is the part of a ResNet-18's set-up that this avoids
 * (`emitOnnx` writes the self-contained model, for files).
 */
export function emitOnnxForSession(network: Network, opts: EmitOnnxOptions = {}): SessionModel {
  const e = emitParts(network, opts);
  const { initializers, files } = externalizeFloatData(e.parts.initializers);
  return { bytes: encodeModel({ ...e.parts, initializers }), externalData: files, cachedGraph: e.cachedGraph };
}
