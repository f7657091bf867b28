/**
 * What a checkpoint holds, for `bias-score inspect`: its format, the architecture it loads as,
 * classes, taps with their D, parameter count and dtypes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../io/errors.js';
import type { StateDict } from '../io/types.js';
import type { Network, TransformerInfo } from './types.js';
import { buildNetwork } from './registry.js';
import { readCheckpoint, type StateDictFormat } from '../io/read.js';
import { createOptions, isTfjsModelPath, stripModulePrefix, type LoadModelOptions } from './load.js';
import { loadTfjsModel } from './tfjs.js';
import { readTfjsArtifacts } from './tfjs-io.js';
import { candidateD, onnxCounts, onnxGraphInfo, type OnnxGraphInfo } from './onnx-inspect.js';
import { isOnnxModelPath, onnxGraph } from './onnx-load.js';
import { readOnnxModel } from '../onnx/model-file.js';
import { bindStateDict } from '../onnx/bind.js';
import { onnxTapNames } from './onnx-file-model.js';

export type CheckpointFormat = StateDictFormat | 'tfjs-layers' | 'tfjs-graph' | 'onnx';

export interface CheckpointInfo {
  file: string;
  format: CheckpointFormat;
  arch: string;
  numClasses?: number;
  taps: { name: string; D: number }[];
  /** Input size the network was made for (a ViT's: its trained patch grid × patch size). */
  imageSize: number;
  /** Patch size, trained grid, heads, prefix tokens and token choice of a ViT / DeiT. */
  transformer?: TransformerInfo;
  /** The one square input size the model accepts (a TF.js model with a fixed input shape), else null. */
  inputSize: number | null;
  /** Whether the reserved output `logits` is available (the classifier's weights fit), and why not. */
  logits: boolean;
  noLogitsReason?: string;
  /**
   * Learnable parameters: elements of every floating tensor except BatchNorm's running
   * statistics (what `sum(p.numel() for p in model.parameters())` counts).
   */
  parameters: number;
  /** Tensors per stored dtype. */
  dtypes: Record<string, number>;
  /** Globals the file names that were not decoded (kept inert, never run), e.g. `posix.system`; [] for TF.js and safetensors. */
  refusedGlobals: string[];
  /** An ONNX model (an `.onnx` file, or a checkpoint bound to `graph`): its input and every tap candidate with its shape. */
  onnx?: OnnxGraphInfo;
}

const isRunningStat = (k: string): boolean => /(?:^|\.)(running_mean|running_var|num_batches_tracked)$/.test(k);
const isFloat = (dtype: string): boolean => dtype.startsWith('float') || dtype === 'bfloat16';

function countStateDict(sd: StateDict): { parameters: number; dtypes: Record<string, number> } {
  let parameters = 0;
  const dtypes: Record<string, number> = {};
  for (const [k, e] of sd) {
    dtypes[e.dtype] = (dtypes[e.dtype] ?? 0) + 1;
    if (isFloat(e.dtype) && !isRunningStat(k)) parameters += e.shape.reduce((a, b) => a * b, 1);
  }
  return { parameters, dtypes };
}

/** D of every tap: from the weights when the builder knows it, else from one forward of a blank image. */
function tapDims(net: Network): { name: string; D: number }[] {
  if (net.tapChannels && net.taps.every((t) => net.tapChannels![t] !== undefined)) {
    return net.taps.map((name) => ({ name, D: net.tapChannels![name]! }));
  }
  const shapes = tf.tidy(() => {
    const s = net.defaultImageSize;
    const maps = net.forward(tf.zeros([1, s, s, 3]) as tf.Tensor4D, net.taps);
    return net.taps.map((t) => maps[t]!.shape[3]);
  });
  return net.taps.map((name, i) => ({ name, D: shapes[i]! }));
}

/**
 * An ONNX model described: an `.onnx` file, or (with `graph`) a checkpoint whose tensors are
 * bound to that graph first (a binding error is thrown as when loading).
 */
async function inspectOnnx(path: string, graph: string | undefined): Promise<CheckpointInfo> {
  let format: CheckpointFormat = 'onnx';
  let refusedGlobals: string[] = [];
  const src = graph === undefined ? await readOnnxModel(path) : await onnxGraph(graph);
  if (graph !== undefined) {
    const ckpt = await readCheckpoint(path);
    format = ckpt.format;
    refusedGlobals = ckpt.refusedGlobals;
    bindStateDict(graph, src.graph, stripModulePrefix(ckpt.stateDict), path);
  }
  const info = await onnxGraphInfo(src);
  const names = onnxTapNames(src);
  const byName = new Map(info.candidates.map((c) => [c.name, c]));
  const logits = byName.get('logits');
  const numClasses = logits?.shape.length === 2 && typeof logits.shape[1] === 'number' ? logits.shape[1] : undefined;
  return {
    file: path, format, arch: `onnx:${src.file.split(/[\\/]/).pop()}`,
    ...(numClasses !== undefined ? { numClasses } : {}),
    taps: [...names.taps, ...(names.layerTaps.includes('final') ? ['final'] : [])].map((name) => ({ name, D: candidateD(byName.get(names.tensorOf.get(name)!)!) })),
    imageSize: src.input.size, inputSize: src.input.size,
    logits: names.logits, ...(names.logits ? {} : { noLogitsReason: 'the graph has no output named logits' }),
    ...onnxCounts(src.graph), refusedGlobals, onnx: info,
  };
}

/** Read a checkpoint, build its network once (which validates it) and describe it. */
export async function inspectCheckpoint(path: string, opts: LoadModelOptions = {}): Promise<CheckpointInfo> {
  if (opts.graph !== undefined || isOnnxModelPath(path)) return inspectOnnx(path, opts.graph);
  const createOpts = createOptions(opts);
  let net: Network;
  let format: CheckpointFormat;
  let counts: { parameters: number; dtypes: Record<string, number> };
  let refusedGlobals: string[] = [];
  if (isTfjsModelPath(path)) {
    const { kind, artifacts } = await readTfjsArtifacts(path);
    format = kind === 'layers' ? 'tfjs-layers' : 'tfjs-graph';
    const dtypes: Record<string, number> = {};
    let parameters = 0;
    for (const w of artifacts.weightSpecs ?? []) {
      dtypes[w.dtype] = (dtypes[w.dtype] ?? 0) + 1;
      if (w.dtype === 'float32' && !/moving_(mean|variance)$/.test(w.name)) parameters += w.shape.reduce((a, b) => a * b, 1);
    }
    counts = { parameters, dtypes };
    net = await loadTfjsModel(path, createOpts);
  } else {
    const ckpt = await readCheckpoint(path);
    format = ckpt.format;
    refusedGlobals = ckpt.refusedGlobals;
    if (ckpt.stateDict.size === 0) throw new Error(`${path}: no state_dict found in this ${format} checkpoint`);
    const sd = stripModulePrefix(ckpt.stateDict);
    counts = countStateDict(sd);
    try {
      net = buildNetwork(opts.arch, sd, createOpts, path);
    } catch (e) {
      if (e instanceof Error && !e.message.startsWith(path)) e.message = `${path}: ${e.message}`;
      throw e;
    }
  }
  try {
    return {
      file: path,
      format,
      arch: net.arch,
      ...(net.numClasses !== undefined ? { numClasses: net.numClasses } : {}),
      taps: tapDims(net),
      imageSize: net.defaultImageSize,
      ...(net.transformer ? { transformer: { ...net.transformer } } : {}),
      inputSize: net.inputSize ?? null,
      logits: net.hasLogits === true,
      ...(net.noLogitsReason !== undefined ? { noLogitsReason: net.noLogitsReason } : {}),
      ...counts,
      refusedGlobals,
    };
  } finally {
    net.dispose();
  }
}
