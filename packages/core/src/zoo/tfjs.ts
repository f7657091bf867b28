/**
 * TF.js checkpoints (a `model.json` with weight shards) as zoo networks. These run through
 * tfjs-layers / tfjs-converter as saved: the weights are already in TF.js layout and a
 * LayersModel's BatchNorm is the user's graph, so nothing is folded here.
 *
 * Taps are the model's resolution stages `stage1..stageN` (the last 4-D layer at each spatial
 * size, shallow to deep; see tfjs-stages.ts) and `final` = the last 4-D layer before global
 * pooling. Any layer name (LayersModel) or node name (GraphModel) is accepted too, as a
 * `layerTaps` entry; a 2-D one (a dense layer) comes back as [N,1,1,D], so global average
 * pooling leaves it unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type * as tfc from '@tensorflow/tfjs-converter';
import type { CreateModelOptions, Network } from './types.js';
import { artifactsHandler, readTfjsArtifacts, TfjsModelError } from './tfjs-io.js';
import { fixedInputSize, stageTaps } from './tfjs-stages.js';
import { LOGITS } from './types.js';
import { CORE_DEFAULTS } from '../defaults.js';

export { TfjsModelError, readTfjsArtifacts, tfjsModelKind, tfjsWeightValues } from './tfjs-io.js';
export type { TfjsWeightValues } from './tfjs-io.js';
export type { TfjsModelKind } from './tfjs-io.js';

const DEFAULT_IMAGE_SIZE = CORE_DEFAULTS.imageSize;

/** tfjs-layers' sub-model builder, passed down once the package is loaded (see loadTfjsModel). */
type SubModel = typeof tfl.model;
const GLOBAL_POOL_LAYERS = new Set(['GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Flatten']);

/** Feature map of a tap as NHWC: 4-D kept, 2-D [N,D] as [N,1,1,D]. */
function asMap(t: tf.Tensor, tap: string, file: string): tf.Tensor4D {
  if (t.rank === 4) return t as tf.Tensor4D;
  if (t.rank === 2) return tf.reshape(t, [t.shape[0]!, 1, 1, t.shape[1]!]);
  throw new TfjsModelError(file, `tap ${tap} has shape [${t.shape.join(', ')}]; only 4-D (NHWC) and 2-D taps can be pooled`);
}

function unknownTap(file: string, tap: string, taps: readonly string[], layers: readonly string[]): TfjsModelError {
  const shown = layers.length > 12 ? [...layers.slice(0, 6), '…', ...layers.slice(-5)] : layers;
  return new TfjsModelError(file, `unknown tap ${JSON.stringify(tap)}; taps: ${taps.join(', ')} (or a layer name: ${shown.join(', ')})`);
}

/** Spatial size of each 4-D output, from the shapes a LayersModel knows statically, else from one forward of a blank image. */
function layerSizes(subModel: SubModel, model: tfl.LayersModel, layers: tfl.layers.Layer[], size: number): [number, number][] {
  const shapes = layers.map((l) => l.outputShape as (number | null)[]);
  if (shapes.every((sh) => typeof sh[1] === 'number' && typeof sh[2] === 'number')) return shapes.map((sh) => [sh[1]!, sh[2]!]);
  return tf.tidy(() => {
    const sub = subModel({ inputs: model.inputs, outputs: layers.map((l) => l.output as tfl.SymbolicTensor) });
    const channels = (model.inputs[0]?.shape[3] as number | null) ?? 3;
    const out = sub.predict(tf.zeros([1, size, size, channels]));
    return (Array.isArray(out) ? out : [out]).map((t) => [t.shape[1]!, t.shape[2]!] as [number, number]);
  });
}

function layersNetwork(subModel: SubModel, model: tfl.LayersModel, file: string, opts: CreateModelOptions): Network {
  // A layer applied more than once (shared) has no single output to tap.
  const tappable = model.layers.filter((l) => l.getClassName() !== 'InputLayer' && l.inboundNodes.length === 1
    && !Array.isArray((l.outputShape as unknown[])[0]));
  const rankOf = (l: tfl.layers.Layer): number => (l.outputShape as (number | null)[]).length;

  const poolAt = model.layers.findIndex((l) => GLOBAL_POOL_LAYERS.has(l.getClassName()));
  let final: tfl.layers.Layer | undefined;
  if (poolAt >= 0) {
    final = model.layers[poolAt]!.inboundNodes[0]?.inboundLayers[0];
    if (final && rankOf(final) !== 4) final = undefined;
  }
  if (!final) final = [...tappable].reverse().find((l) => rankOf(l) === 4);
  if (!final) throw new TfjsModelError(file, 'no layer with a 4-D output: not a convolutional feature extractor');

  const inputSize = fixedInputSize(model.inputs[0]?.shape);
  const byName = new Map(tappable.filter((l) => rankOf(l) === 4 || rankOf(l) === 2).map((l) => [l.name, l]));
  const layerTaps = [...byName.keys()];
  const upToFinal = tappable.slice(0, tappable.indexOf(final) + 1).filter((l) => rankOf(l) === 4);
  const sizes = layerSizes(subModel, model, upToFinal, inputSize ?? DEFAULT_IMAGE_SIZE);
  const stages = stageTaps(upToFinal.map((l, i) => ({ ref: l, h: sizes[i]![0], w: sizes[i]![1] })));
  for (const st of stages) byName.set(st.name, st.ref);
  byName.set('final', final);
  const taps = [...stages.map((st) => st.name), 'final'];

  // Sub-models share the weights of `model`; cached per requested tap list.
  const subModels = new Map<string, tfl.LayersModel>();
  const last = model.layers[model.layers.length - 1];
  const outShape = last?.outputShape as (number | null)[] | undefined;
  const numClasses = opts.numClasses ?? (outShape?.length === 2 && typeof outShape[1] === 'number' ? outShape[1] : undefined);
  // `logits` = the model's output as saved, when it is one vector per image (it may already
  // hold a softmax: a Keras head often ends in one)
  const logitsLayer = outShape?.length === 2 && model.outputs.length === 1 ? last : undefined;

  return {
    arch: 'tfjs-layers',
    taps,
    layerTaps,
    ...(numClasses !== undefined ? { numClasses } : {}),
    defaultImageSize: inputSize ?? DEFAULT_IMAGE_SIZE,
    ...(inputSize !== undefined ? { inputSize } : {}),
    hasLogits: logitsLayer !== undefined,
    ...(logitsLayer ? {} : { noLogitsReason: 'the model has no single 2-D output' }),
    forward(x, wanted) {
      const pick = (t: string): tfl.layers.Layer | undefined => byName.get(t) ?? (t === LOGITS ? logitsLayer : undefined);
      const wantedLayers = wanted.map((t) => pick(t) ?? (() => { throw unknownTap(file, t, taps, layerTaps); })());
      // `final` names an existing layer; a model may list each output only once
      const layers = [...new Set(wantedLayers)];
      const key = layers.map((l) => l.name).join('\u0000');
      let sub = subModels.get(key);
      if (!sub) {
        sub = subModel({ inputs: model.inputs, outputs: layers.map((l) => l.output as tfl.SymbolicTensor) });
        subModels.set(key, sub);
      }
      const out = sub.predictOnBatch(x);
      const list = Array.isArray(out) ? out : [out];
      const res: Record<string, tf.Tensor4D> = {};
      wanted.forEach((t, i) => { res[t] = asMap(list[layers.indexOf(wantedLayers[i]!)]!, t, file); });
      return res;
    },
    dispose() {
      subModels.clear();
      model.dispose();
    },
  };
}

interface GraphNode { name: string; op: string; input?: string[] }

/** Node name of a GraphDef input reference (`name:1`, `^control`). */
const inputNode = (ref: string): string => ref.replace(/^\^/, '').replace(/:\d+$/, '');

/**
 * The input of the first global pooling of the graph: a `Mean` (or `Max`) whose reduction axes
 * are the spatial ones [1, 2] — what Keras's global pooling and `reduce_mean(x, [1, 2])` convert to.
 */
function graphFinal(nodes: GraphNode[], weights: Record<string, tf.Tensor[]>): string | undefined {
  for (const n of nodes) {
    if ((n.op !== 'Mean' && n.op !== 'Max') || !n.input || n.input.length < 2) continue;
    const axes = weights[inputNode(n.input[1]!)]?.[0];
    if (!axes) continue;
    const vals = [...axes.dataSync()].map((v) => (v < 0 ? v + 4 : v)).sort();
    if (vals.length === 2 && vals[0] === 1 && vals[1] === 2) return inputNode(n.input[0]!);
  }
  return undefined;
}

function graphNetwork(model: tfc.GraphModel, nodes: GraphNode[], file: string, opts: CreateModelOptions): Network {
  const inputShape = model.inputs[0]?.shape;
  const inputSize = fixedInputSize(inputShape);
  const defaultImageSize = inputSize ?? DEFAULT_IMAGE_SIZE;
  const computeNodes = nodes.filter((n) => n.op !== 'Const' && n.op !== 'Placeholder' && n.op !== 'NoOp').map((n) => n.name);
  // A GraphDef has no static shapes: the output size of every node, from a one-image probe.
  const channels = inputShape?.[3] && inputShape[3] > 0 ? inputShape[3] : 3;
  const shapes = tf.tidy(() => {
    const outs = model.execute(tf.zeros([1, defaultImageSize, defaultImageSize, channels]), computeNodes);
    return (Array.isArray(outs) ? outs : [outs]).map((t) => t.shape);
  });
  let final = graphFinal(nodes, model.weights);
  if (final === undefined) {
    // No recognisable global pooling: the last node, in graph order, whose output is 4-D.
    for (let i = shapes.length - 1; i >= 0 && final === undefined; i--) if (shapes[i]!.length === 4) final = computeNodes[i];
    if (final === undefined) throw new TfjsModelError(file, 'no node with a 4-D output: not a convolutional feature extractor');
  }
  const finalAt = computeNodes.indexOf(final);
  const spatial = computeNodes.map((name, i) => ({ ref: name, shape: shapes[i]! }))
    .filter((n, i) => n.shape.length === 4 && (finalAt < 0 || i <= finalAt));
  const stages = stageTaps(spatial.map((n) => ({ ref: n.ref, h: n.shape[1]!, w: n.shape[2]! })));
  const stageNode = new Map(stages.map((st) => [st.name, st.ref]));
  const taps = [...stages.map((st) => st.name), 'final'];
  const layerTaps = [...computeNodes];
  const known = new Set([...taps, ...layerTaps]);
  const outShape = model.outputs[0]?.shape;
  const numClasses = opts.numClasses ?? (outShape?.length === 2 && outShape[1]! > 0 ? outShape[1] : undefined);
  // `logits` = the graph's output node as saved, when it is one vector per image
  const logitsNode = outShape?.length === 2 && model.outputNodes.length === 1 ? inputNode(model.outputNodes[0]!) : undefined;
  return {
    arch: 'tfjs-graph',
    taps,
    layerTaps,
    ...(numClasses !== undefined ? { numClasses } : {}),
    defaultImageSize,
    ...(inputSize !== undefined ? { inputSize } : {}),
    hasLogits: logitsNode !== undefined,
    ...(logitsNode ? {} : { noLogitsReason: 'the graph has no single 2-D output' }),
    forward(x, wanted) {
      for (const t of wanted) if (!known.has(t) && !(t === LOGITS && logitsNode)) throw unknownTap(file, t, taps, layerTaps);
      const wantedNodes = wanted.map((t) => (t === 'final' ? final! : known.has(t) ? stageNode.get(t) ?? t : logitsNode!));
      const names = [...new Set(wantedNodes)];
      const out = model.execute(x, names);
      const list = Array.isArray(out) ? out : [out];
      const res: Record<string, tf.Tensor4D> = {};
      wanted.forEach((t, i) => { res[t] = asMap(list[names.indexOf(wantedNodes[i]!)]!, t, file); });
      return res;
    },
    dispose() {
      model.dispose();
    },
  };
}

/**
 * Load a TF.js LayersModel or GraphModel from `model.json` on disk (weight shards beside it) as
 * a zoo `Network`; the features module wraps it into a `FeatureModel` (core's `loadModel`).
 * Inputs are NHWC images as the model was trained on; `inputSize` and `defaultImageSize` are the
 * model's fixed input size when it has one (else `defaultImageSize` is 224).
 */
export async function loadTfjsModel(modelJsonPath: string, opts: CreateModelOptions = {}): Promise<Network> {
  const { kind, artifacts } = await readTfjsArtifacts(modelJsonPath);
  const handler = artifactsHandler(artifacts);
  // tfjs-layers and tfjs-converter take about 0.2 s to load: only a TF.js checkpoint pays it
  if (kind === 'layers') {
    const tflModule = await import('@tensorflow/tfjs-layers');
    let model: tfl.LayersModel;
    try {
      model = await tflModule.loadLayersModel(handler, { strict: true });
    } catch (e) {
      throw new TfjsModelError(modelJsonPath, `cannot build the layers model (${(e as Error).message})`);
    }
    return layersNetwork(tflModule.model, model, modelJsonPath, opts);
  }
  let model: tfc.GraphModel;
  try {
    model = await (await import('@tensorflow/tfjs-converter')).loadGraphModel(handler);
  } catch (e) {
    throw new TfjsModelError(modelJsonPath, `cannot build the graph model (${(e as Error).message})`);
  }
  const nodes = (artifacts.modelTopology as { node: GraphNode[] }).node;
  try {
    return graphNetwork(model, nodes, modelJsonPath, opts);
  } catch (e) {
    model.dispose();
    throw e;
  }
}
