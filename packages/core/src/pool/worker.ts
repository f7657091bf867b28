/**
 * One worker of the feature pool: its own tfjs engine and backend instance (a worker thread has
 * its own module graph, so its own wasm memory), its own copy of the network. Answers one
 * message at a time, in order.
 */
import { parentPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/index.js';
import type { FromWorker, ModelSource, ToWorker } from './protocol.js';

/** What the worker needs of a model: the zoo's Network or a FeatureModel. */
interface Runnable {
  arch?: string;
  taps: string[];
  layerTaps?: string[];
  hasLogits?: boolean;
  forward?(x: tf.Tensor4D, taps: readonly string[]): Record<string, tf.Tensor4D>;
  features?(x: tf.Tensor4D, taps?: string[]): Promise<Record<string, Float32Array>>;
  dispose(): void;
}

type ZooExports = Record<string, unknown>;

/** The zoo's build options of a source: class count, transformer token and heads. */
function buildOptions(source: ModelSource): { numClasses?: number; token?: 'cls' | 'mean'; heads?: number } {
  return {
    ...(source.numClasses !== undefined ? { numClasses: source.numClasses } : {}),
    ...(source.token !== undefined ? { token: source.token } : {}),
    ...(source.heads !== undefined ? { heads: source.heads } : {}),
  };
}

async function buildModel(source: ModelSource): Promise<Runnable> {
  if (source.factory) {
    const spec = source.factory.module;
    const url = spec.startsWith('file:') ? spec : pathToFileURL(spec).href;
    const mod = (await import(url)) as Record<string, unknown>;
    const name = source.factory.exportName ?? 'default';
    const fn = mod[name];
    if (typeof fn !== 'function') throw new Error(`feature pool: ${spec} has no function export '${name}'`);
    return (await fn(source.factory.options, { tf })) as Runnable;
  }
  // The zoo is reached through the package index at run time so the pool has no build-time
  // dependency on which builders exist.
  const core = (await import('../index.js')) as ZooExports;
  if (source.stateDict) {
    const createModel = core.createModel as ((arch: string, sd: unknown, o?: unknown) => Runnable | Promise<Runnable>) | undefined;
    if (typeof createModel !== 'function') throw new Error('feature pool: this build of @shapetex/core has no createModel');
    if (!source.arch) {
      const detect = core.detectArchitecture as ((sd: unknown) => string | { name: string }) | undefined;
      if (typeof detect !== 'function') throw new Error('feature pool: no arch given and this build has no detectArchitecture');
      const d = detect(source.stateDict);
      return createModel(typeof d === 'string' ? d : d.name, source.stateDict, buildOptions(source));
    }
    return createModel(source.arch, source.stateDict, buildOptions(source));
  }
  if (source.modelPath) {
    const loadModel = core.loadModel as ((p: string, o?: unknown) => Promise<Runnable>) | undefined;
    if (typeof loadModel !== 'function') throw new Error('feature pool: this build of @shapetex/core has no loadModel');
    return loadModel(source.modelPath, { arch: source.arch, ...buildOptions(source) });
  }
  throw new Error('feature pool: give one of stateDict, modelPath or factory');
}

/** Global average pooling of each tap: the N×D rows a FeatureModel returns. */
async function pooledFeatures(model: Runnable, x: tf.Tensor4D, taps: string[]): Promise<Record<string, Float32Array>> {
  if (typeof model.features === 'function') return model.features(x, taps);
  const pooled = tf.tidy(() => {
    const maps = model.forward!(x, taps);
    return taps.map((t) => {
      const m = maps[t];
      if (!m) throw new Error(`feature pool: the network returned no tap '${t}' (it has ${model.taps.join(', ')})`);
      return tf.mean(m, [1, 2]);
    });
  });
  try {
    const rows = await Promise.all(pooled.map((p) => p.data() as Promise<Float32Array>));
    return Object.fromEntries(taps.map((t, i) => [t, rows[i]!]));
  } finally {
    pooled.forEach((p) => p.dispose());
  }
}

const port = parentPort;
if (!port) throw new Error('feature pool worker started outside a worker thread');
let model: Runnable | undefined;
const send = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

// Messages are handled strictly in arrival order: each waits for the previous one.
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  queue = queue.then(() => handle(msg)).catch((err: unknown) => {
    send({ type: 'error', id: 'id' in msg ? msg.id : null, message: err instanceof Error ? err.message : String(err) });
  });
});

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init': {
      const info = await initBackend(msg.backend, { ...msg.settings, log: null });
      model = await buildModel(msg.source);
      send({ type: 'ready', arch: model.arch ?? msg.source.arch ?? 'custom', taps: [...model.taps], layerTaps: [...(model.layerTaps ?? [])], hasLogits: model.hasLogits === true, backend: info.name, device: info.device, settings: { ...info.settings } });
      return;
    }
    case 'load': {
      // the old network goes first so two copies of the weights never coexist
      model?.dispose();
      model = undefined;
      model = await buildModel(msg.source);
      send({ type: 'loaded', id: msg.id, arch: model.arch ?? msg.source.arch ?? 'custom', taps: [...model.taps], layerTaps: [...(model.layerTaps ?? [])], hasLogits: model.hasLogits === true });
      return;
    }
    case 'features': {
      if (!model) throw new Error('feature pool worker: no network loaded (init or the last load failed)');
      const x = tf.tensor4d(msg.data, msg.shape);
      try {
        const features = await pooledFeatures(model, x, msg.taps);
        // copies when the rows are views into a larger buffer, so only they are transferred
        const out: Record<string, Float32Array> = {};
        for (const [t, f] of Object.entries(features)) out[t] = f.byteOffset === 0 && f.byteLength === f.buffer.byteLength ? f : f.slice();
        send({ type: 'features', id: msg.id, rows: msg.shape[0], features: out }, Object.values(out).map((f) => f.buffer as ArrayBuffer));
      } finally {
        x.dispose();
      }
      return;
    }
    case 'memory': {
      const m = tf.memory();
      send({ type: 'memory', id: msg.id, numTensors: m.numTensors, numBytes: m.numBytes });
      return;
    }
    case 'dispose': {
      model?.dispose();
      model = undefined;
      send({ type: 'disposed', id: msg.id });
      return;
    }
  }
}
