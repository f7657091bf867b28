/**
 * One worker of the feature pool: its own tfjs engine and backend instance (a worker thread has
 * its own module graph, so its own wasm memory), its own copy of the network. Answers one
 * message at a time, in order.
 */
import { parentPort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/index.js';
import { createModel, createOptions, loadModel } from '../zoo/load.js';
import { detectArchitecture } from '../zoo/registry.js';
import { toFeatureModel, type FeatureModel } from '../zoo/feature-model.js';
import type { Network } from '../zoo/types.js';
import type { FromWorker, ModelSource, ToWorker } from './protocol.js';

/**
 * A factory's model: a FeatureModel as it is, a Network (`forward`) wrapped the way the zoo's
 * loaders wrap theirs, so its rows are pooled by the same code.
 */
async function factoryModel(factory: NonNullable<ModelSource['factory']>): Promise<FeatureModel> {
  const spec = factory.module;
  const url = spec.startsWith('file:') ? spec : pathToFileURL(spec).href;
  const mod = (await import(url)) as Record<string, unknown>;
  const name = factory.exportName ?? 'default';
  const fn = mod[name];
  if (typeof fn !== 'function') throw new Error(`feature pool: ${spec} has no function export '${name}'`);
  const made = (await fn(factory.options, { tf })) as FeatureModel | Network;
  return 'features' in made && typeof made.features === 'function' ? made : toFeatureModel(made as Network);
}

async function buildModel(source: ModelSource): Promise<FeatureModel> {
  if (source.factory) return factoryModel(source.factory);
  if (source.stateDict) return createModel(source.arch || detectArchitecture(source.stateDict), source.stateDict, createOptions(source));
  if (source.modelPath) return loadModel(source.modelPath, source);
  throw new Error('feature pool: give one of stateDict, modelPath or factory');
}

const port = parentPort;
if (!port) throw new Error('feature pool worker started outside a worker thread');
let model: FeatureModel | undefined;
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
      const info = await initBackend(msg.backend, { ...msg.settings, ...msg.engine, log: null });
      model = await buildModel(msg.source);
      send({ type: 'ready', arch: model.arch ?? msg.source.arch ?? 'custom', taps: [...model.taps], layerTaps: [...(model.layerTaps ?? [])], hasLogits: model.hasLogits === true, backend: info.name, device: info.device, settings: { ...info.settings }, ...(info.threads !== undefined ? { threads: info.threads } : {}) });
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
        const features = await model.features(x, msg.taps);
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
