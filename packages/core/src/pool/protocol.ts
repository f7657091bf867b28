/**
 * Messages between the feature pool and its workers. Everything crossing the thread boundary is
 * plain data (typed arrays, Maps, strings), so it survives structured cloning; image rows and
 * feature rows are transferred, not copied.
 */
import type { OnnxDevice } from '../onnx/runtime.js';
import type { StateDict } from '../io/types.js';
import type { BackendSettings } from '../kernels/settings.js';

/** How a worker gets its network. Exactly one of the three sources is used. */
export interface ModelSource {
  /** Registry name for `createModel` / `loadModel`. */
  arch?: string;
  numClasses?: number;
  /** Transformer token choice and head count (zoo CreateModelOptions). */
  token?: 'cls' | 'mean';
  heads?: number;
  /** An ONNX graph whose initializers take the checkpoint's tensors by name (zoo LoadModelOptions.graph). */
  graph?: string;
  /** Weights, cloned into each worker and built there with the zoo's `createModel`. */
  stateDict?: StateDict;
  /** A checkpoint file loaded in each worker with the zoo's `loadModel`. */
  modelPath?: string;
  /**
   * A module (absolute path or file: URL) whose export `exportName` (default `default`) is called
   * as `fn(options, { tf })` in each worker and returns a Network (`forward`) or a FeatureModel
   * (`features`). For models outside the zoo.
   */
  factory?: { module: string; exportName?: string; options?: unknown };
}

export interface InitMessage {
  type: 'init';
  backend: string;
  /** The main thread's settings in force: a worker runs with them, never re-reading the environment. */
  settings: BackendSettings;
  /** With backend `onnx`: the main thread's ONNX Runtime threads per session and device. */
  engine?: { threads?: number; device?: OnnxDevice };
  source: ModelSource;
}

export interface FeaturesMessage {
  type: 'features';
  id: number;
  /** NHWC rows of this worker's share of the batch, shape [n, h, w, c]. */
  data: Float32Array;
  shape: [number, number, number, number];
  taps: string[];
}

/** Replace the worker's network (the old one is disposed first); answered with `ready`. */
export interface LoadMessage { type: 'load'; id: number; source: ModelSource }

export interface MemoryMessage { type: 'memory'; id: number }
export interface DisposeMessage { type: 'dispose'; id: number }

export type ToWorker = InitMessage | LoadMessage | FeaturesMessage | MemoryMessage | DisposeMessage;

export type FromWorker =
  | { type: 'ready'; arch: string; taps: string[]; layerTaps: string[]; hasLogits: boolean; backend: string; device: string; settings: BackendSettings; threads?: number }
  | { type: 'loaded'; id: number; arch: string; taps: string[]; layerTaps: string[]; hasLogits: boolean }
  | { type: 'features'; id: number; rows: number; features: Record<string, Float32Array> }
  | { type: 'memory'; id: number; numTensors: number; numBytes: number }
  | { type: 'disposed'; id: number }
  | { type: 'error'; id: number | null; message: string };
