/**
 * From weights to a FeatureModel: `createModel` for a state_dict in memory, `loadModel` for a
 * checkpoint file of any supported format (the package README).
 */
import type { StateDict } from '../io/types.js';
import { readStateDict } from '../io/read.js';
import { toFeatureModel, type FeatureModel } from './feature-model.js';
import type { CreateModelOptions, TokenChoice } from './types.js';
import { buildNetwork } from './registry.js';
import { loadTfjsModel } from './tfjs.js';
import type { Network } from './types.js';
import { onnxFeatureModel } from './onnx-model.js';
import { currentBackend } from '../backend/index.js';

const noticed = new Set<string>();

/**
 * The FeatureModel of a network on the backend in force: with `onnx`, ONNX Runtime runs the
 * network's graph; a network without one (a TF.js model)
 * runs on TF.js, said once per architecture on stderr.
 */
export function featureModelOf(network: Network): FeatureModel {
  const b = currentBackend();
  if (b?.name !== 'onnx') return toFeatureModel(network);
  if (network.graph) return onnxFeatureModel(network, { threads: b.threads ?? 1, device: b.device as 'cpu' });
  if (!noticed.has(network.arch)) {
    noticed.add(network.arch);
    process.stderr.write(`shapetex: ${network.arch} has no graph for ONNX Runtime (a TF.js model); it runs on TF.js (${b.tfjsBackend ?? 'wasm'})\n`);
  }
  return toFeatureModel(network);
}
import type { OnnxDevice } from '../onnx/runtime.js';
import { isOnnxModelPath, loadBoundOnnx, loadOnnxFile } from './onnx-load.js';

export interface LoadModelOptions extends CreateModelOptions {
  /** Registry name; detected from the state_dict when omitted or `auto`. */
  arch?: string;
  /**
   * An ONNX graph (`arch.onnx`) whose initializers take the checkpoint's tensors by name
   * (docs/architectures.md); the zoo is not used then.
   */
  graph?: string;
  /** ONNX Runtime's intra-op threads for `.onnx` models and `graph`; default 1. */
  threads?: number;
  /** ONNX Runtime's execution provider for `.onnx` models and `graph`; default `cpu`. */
  device?: OnnxDevice;
}

/**
 * Build `arch` (or the detected architecture when `arch` is undefined or `auto`) from a
 * state_dict: BatchNorm folded into the convolutions, weights uploaded once to the backend.
 * The state_dict is only read; it can be dropped afterwards. With the `onnx` backend in force the
 * model runs on ONNX Runtime (featureModelOf).
 */
export function createModel(arch: string | undefined, stateDict: StateDict, opts: CreateModelOptions = {}): FeatureModel {
  return featureModelOf(buildNetwork(arch, stripModulePrefix(stateDict), opts));
}

/**
 * DataParallel saves every key under `module.`; docs/formats.md says it is removed. Only done when every
 * key has it, so a model with a real submodule called `module` is left alone.
 */
export function stripModulePrefix(sd: StateDict): StateDict {
  if (sd.size === 0 || ![...sd.keys()].every((k) => k.startsWith('module.'))) return sd;
  return new Map([...sd].map(([k, v]) => [k.slice('module.'.length), v]));
}

/** The build options within load options (numClasses, token, heads), undefined ones left out. */
export function createOptions(opts: LoadModelOptions): CreateModelOptions {
  return {
    ...(opts.numClasses !== undefined ? { numClasses: opts.numClasses } : {}),
    ...(opts.token !== undefined ? { token: opts.token } : {}),
    ...(opts.heads !== undefined ? { heads: opts.heads } : {}),
  };
}

/** The ONNX Runtime and tap options within load options, undefined ones left out. */
export function onnxOptions(opts: LoadModelOptions): { threads?: number; device?: OnnxDevice; token?: TokenChoice } {
  // under the onnx backend its threads and device, unless the options say otherwise
  const b = currentBackend();
  const engine = b?.name === 'onnx' ? b : undefined;
  const threads = opts.threads ?? engine?.threads;
  const device = opts.device ?? (engine?.device as OnnxDevice | undefined);
  return {
    ...(threads !== undefined ? { threads } : {}),
    ...(device !== undefined ? { device } : {}),
    ...(opts.token !== undefined ? { token: opts.token } : {}),
  };
}

/** True for a TF.js model (`…/model.json`), which is loaded by TF.js rather than from a state_dict. */
export function isTfjsModelPath(path: string): boolean {
  return /(^|[\\/])model\.json$/.test(path);
}

/** The state_dict of a checkpoint file (docs/formats.md wrappers and `module.` prefix removed). */
export async function readCheckpointStateDict(path: string): Promise<StateDict> {
  return stripModulePrefix(await readStateDict(path));
}

/**
 * Load any supported checkpoint as a FeatureModel: PyTorch (zip or legacy) and safetensors
 * state_dicts through the zoo (or bound to `opts.graph`), `…/model.json` through TF.js, `….onnx`
 * through ONNX Runtime. Errors name the file.
 */
export async function loadModel(path: string, opts: LoadModelOptions = {}): Promise<FeatureModel> {
  const createOpts = createOptions(opts);
  if (isTfjsModelPath(path)) return featureModelOf(await loadTfjsModel(path, createOpts));
  if (isOnnxModelPath(path) && opts.graph === undefined) return loadOnnxFile(path, onnxOptions(opts));
  const sd = await readCheckpointStateDict(path);
  if (opts.graph !== undefined) return loadBoundOnnx(path, sd, opts.graph, onnxOptions(opts));
  try {
    return featureModelOf(buildNetwork(opts.arch, sd, createOpts, path));
  } catch (e) {
    if (e instanceof Error && !e.message.startsWith(path)) e.message = `${path}: ${e.message}`;
    throw e;
  }
}
