/**
 * Data-parallel feature extraction over worker threads.
 *
 * tfjs's wasm backend runs single-threaded in Node (its threaded build starts its helpers from
 * `blob:` URLs, which Node's worker_threads refuse), so the cores of a machine are used by
 * splitting each batch: every worker holds its own backend instance and its own copy of the
 * network, takes a contiguous share of the rows, and the pooled rows come back in order.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { currentBackend } from '../backend/index.js';
import { nextSettings, type BackendSettings } from '../kernels/settings.js';
import type { FromWorker, InitMessage, ModelSource, ToWorker } from './protocol.js';
import type { OnnxDevice } from '../onnx/runtime.js';
import { splitRows } from './split.js';
import { LOGITS } from '../zoo/types.js';
import type { FeatureModel } from '../zoo/feature-model.js';
import { CORE_DEFAULTS } from '../defaults.js';

export type { ModelSource } from './protocol.js';

export interface FeaturePoolOptions extends ModelSource {
  /** Worker threads; default the machine's available parallelism. */
  workers?: number;
  /** Backend each worker initialises; default the main thread's current backend, else `auto`. */
  backend?: string;
  /** Backend and kernel settings given here replace the main thread's in the workers (initBackend's options). */
  settings?: Partial<BackendSettings>;
  /** With backend `onnx`: ONNX Runtime's threads per worker session (default 1) and device (default the main thread's). */
  engine?: { threads?: number; device?: OnnxDevice };
}

/**
 * A FeatureModel's `arch`, taps, `hasLogits` and `features` (rows in batch order), served by
 * worker threads.
 */
export interface FeaturePool extends Pick<FeatureModel, 'arch' | 'taps' | 'hasLogits' | 'features'> {
  /** Further tap names the network accepts (a TF.js model's layer names); empty when none. */
  layerTaps: string[];
  workers: number;
  /** Backend and device the workers run on, e.g. `wasm`, `wasm (simd)`, and their settings. */
  backend: string;
  device: string;
  settings: BackendSettings;
  /** ONNX Runtime's threads per worker session (backend onnx); absent on TF.js backends. */
  threads?: number;
  /** `features` from host data: `data` holds `shape` = [n, h, w, c] NHWC floats. */
  featuresFromArray(data: Float32Array, shape: [number, number, number, number], taps?: readonly string[]): Promise<Record<string, Float32Array>>;
  /**
   * Swap every worker's network for another (e.g. the next checkpoint of a run) without
   * restarting the threads or their backends; `arch` and `taps` follow the new network.
   * Calls must not overlap with `features`.
   */
  load(source: ModelSource): Promise<void>;
  /** Live tensors and bytes inside each worker (for leak checks). */
  memory(): Promise<{ numTensors: number; numBytes: number }[]>;
  /** Releases every worker's network and ends the threads. */
  dispose(): Promise<void>;
}

interface Pending { resolve(m: FromWorker): void; reject(e: Error): void }

/** One worker thread with request/response matching by id. */
class Lane {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ready?: Pending;
  private failure?: Error;

  constructor(readonly index: number) {
    this.worker = new Worker(new URL('./worker.js', import.meta.url));
    this.worker.on('message', (m: FromWorker) => this.receive(m));
    this.worker.on('error', (err) => this.fail(new Error(`feature pool worker ${index}: ${err.message}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`feature pool worker ${index} exited (code ${code})`)));
  }

  init(backend: string, settings: BackendSettings, source: ModelSource, engine?: InitMessage['engine']): Promise<Extract<FromWorker, { type: 'ready' }>> {
    return new Promise((resolve, reject) => {
      this.ready = { resolve: resolve as Pending['resolve'], reject };
      this.post({ type: 'init', backend, settings, ...(engine ? { engine } : {}), source });
    });
  }

  request<T extends FromWorker>(make: (id: number) => ToWorker, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as Pending['resolve'], reject });
      this.post(make(id), transfer);
    });
  }

  terminate(): Promise<number> {
    this.failure ??= new Error(`feature pool worker ${this.index} was disposed`);
    return this.worker.terminate();
  }

  private post(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private receive(m: FromWorker): void {
    if (m.type === 'ready') {
      this.ready?.resolve(m);
      this.ready = undefined;
      return;
    }
    const id = m.id;
    if (id === null) {
      // an error outside any request (a message it could not attribute): the worker is unusable
      this.fail(new Error(`feature pool worker ${this.index}: ${m.type === 'error' ? m.message : 'unexpected message'}`));
      return;
    }
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (m.type === 'error') p.reject(new Error(`feature pool worker ${this.index}: ${m.message}`));
    else p.resolve(m);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.ready?.reject(this.failure);
    this.ready = undefined;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}

/** `n` worker threads, each ready with the network of `source`; if one fails to start, all are ended. */
async function startLanes(
  n: number, backend: string, settings: BackendSettings, source: ModelSource, engine?: InitMessage['engine'],
): Promise<{ lanes: Lane[]; ready: Extract<FromWorker, { type: 'ready' }>[] }> {
  const lanes = Array.from({ length: n }, (_, i) => new Lane(i));
  try {
    return { lanes, ready: await Promise.all(lanes.map((l) => l.init(backend, settings, source, engine))) };
  } catch (err) {
    await Promise.all(lanes.map((l) => l.terminate()));
    throw err;
  }
}

/**
 * ONNX Runtime's threads and device for the workers (backend onnx or auto only): the threads
 * given, else one per worker, since the workers are how the pool uses the cores; the device
 * given, else the main thread's.
 */
function workerEngine(backend: string, given: FeaturePoolOptions['engine']): InitMessage['engine'] {
  if (backend !== 'onnx' && backend !== 'auto') return undefined;
  const here = currentBackend();
  return { threads: given?.threads ?? 1, device: given?.device ?? (here?.name === 'onnx' ? (here.device as OnnxDevice) : undefined) };
}

/**
 * Start `workers` threads, each building the network from `stateDict` (zoo `createModel`),
 * `modelPath` (zoo `loadModel`) or `factory`, on `backend`. Resolves when all are ready; if any
 * fails to start, all are ended and the first error is thrown.
 */
export async function createFeaturePool(opts: FeaturePoolOptions): Promise<FeaturePool> {
  const n = opts.workers ?? availableParallelism();
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`createFeaturePool: workers must be a positive integer, got ${opts.workers}`);
  const sources = [opts.stateDict, opts.modelPath, opts.factory].filter((s) => s !== undefined).length;
  if (sources !== 1) throw new Error(`createFeaturePool: give exactly one of stateDict, modelPath or factory (got ${sources})`);
  const backend = opts.backend ?? currentBackend()?.name ?? CORE_DEFAULTS.backend;
  // the workers run with the settings in force here, not what their environment says
  const settings = { ...nextSettings(opts.settings) };
  const source: ModelSource = { arch: opts.arch, numClasses: opts.numClasses, token: opts.token, heads: opts.heads, ...(opts.graph !== undefined ? { graph: opts.graph } : {}), stateDict: opts.stateDict, modelPath: opts.modelPath, factory: opts.factory };
  const { lanes, ready } = await startLanes(n, backend, settings, source, workerEngine(backend, opts.engine));
  let first: { arch: string; taps: string[]; layerTaps: string[]; hasLogits: boolean } = ready[0]!;
  let disposed = false;

  async function featuresFromArray(data: Float32Array, shape: [number, number, number, number], taps: readonly string[] = ['final']): Promise<Record<string, Float32Array>> {
    if (disposed) throw new Error('feature pool: used after dispose()');
    const [rows, h, w, c] = shape;
    const per = h * w * c;
    if (data.length !== rows * per) throw new Error(`feature pool: data holds ${data.length} floats, shape [${shape.join(', ')}] needs ${rows * per}`);
    const unknown = taps.filter((t) => !first.taps.includes(t) && !first.layerTaps.includes(t) && !(t === LOGITS && first.hasLogits));
    if (unknown.length) throw new Error(`feature pool: unknown tap(s) ${unknown.join(', ')} for ${first.arch} (taps: ${first.taps.join(', ')})`);
    const shares = splitRows(rows, lanes.length);
    const parts = await Promise.all(shares.map(({ start, end }, i) => {
      const slice = data.slice(start * per, end * per);
      return lanes[i]!.request<Extract<FromWorker, { type: 'features' }>>(
        (id) => ({ type: 'features', id, data: slice, shape: [end - start, h, w, c], taps: [...taps] }),
        [slice.buffer],
      );
    }));
    const out: Record<string, Float32Array> = {};
    for (const t of taps) {
      const d = parts.length ? parts[0]!.features[t]!.length / parts[0]!.rows : 0;
      const all = new Float32Array(rows * d);
      parts.forEach((p, i) => all.set(p.features[t]!, shares[i]!.start * d));
      out[t] = all;
    }
    return out;
  }

  const pool: FeaturePool = {
    arch: first.arch,
    taps: first.taps,
    layerTaps: first.layerTaps,
    hasLogits: first.hasLogits,
    workers: n,
    backend: ready[0]!.backend,
    device: ready[0]!.device,
    settings: ready[0]!.settings,
    ...(ready[0]!.threads !== undefined ? { threads: ready[0]!.threads } : {}),
    async features(batch, taps) {
      if (batch.rank !== 4) throw new Error(`feature pool: batch must be NHWC rank 4, got shape [${batch.shape.join(', ')}]`);
      const data = (await batch.data()) as Float32Array;
      return featuresFromArray(data, batch.shape as [number, number, number, number], taps);
    },
    featuresFromArray,
    async load(next) {
      if (disposed) throw new Error('feature pool: used after dispose()');
      const count = [next.stateDict, next.modelPath, next.factory].filter((x) => x !== undefined).length;
      if (count !== 1) throw new Error(`feature pool: load needs exactly one of stateDict, modelPath or factory (got ${count})`);
      const done = await Promise.all(lanes.map((l) => l.request<Extract<FromWorker, { type: 'loaded' }>>((id) => ({ type: 'load', id, source: next }))));
      first = { arch: done[0]!.arch, taps: done[0]!.taps, layerTaps: done[0]!.layerTaps, hasLogits: done[0]!.hasLogits };
      pool.arch = first.arch;
      pool.taps = first.taps;
      pool.layerTaps = first.layerTaps;
      pool.hasLogits = first.hasLogits;
    },
    async memory() {
      const ms = await Promise.all(lanes.map((l) => l.request<Extract<FromWorker, { type: 'memory' }>>((id) => ({ type: 'memory', id }))));
      return ms.map((m) => ({ numTensors: m.numTensors, numBytes: m.numBytes }));
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await Promise.allSettled(lanes.map((l) => l.request((id) => ({ type: 'dispose', id }))));
      await Promise.all(lanes.map((l) => l.terminate()));
    },
  };
  return pool;
}
