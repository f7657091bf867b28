/**
 * A zoo network as a FeatureModel run by ONNX Runtime (backend `onnx`): `features` emits the
 * network's graph for the tap set and the batch's image size (zoo/onnx-emit.ts: the nodes, with
 * the network's weight arrays beside them as in-memory external data), opens a session on it once
 * and keeps it, and runs each batch through it. Same contract as toFeatureModel:
 * per tap a row-major N×D Float32Array (the global average of its map), `logits` N×K.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Network } from './types.js';
import { resolveTaps, toFeatureModel, type FeatureModel } from './feature-model.js';
import { emitOnnxForSession } from './onnx-emit.js';
import { createOnnxSession, nhwcToNchw, type OnnxSession, type OnnxSessionOptions } from '../onnx/runtime.js';

/** Session start-up and scoring time of a model, for the measurements of the engine. */
export interface OnnxTimings {
  /** Milliseconds spent emitting graphs and opening sessions. */
  setupMs: number;
  /** Milliseconds spent in `run` (layout change included). */
  runMs: number;
  sessions: number;
  /** Of those sessions, the ones whose node list was the cached graph's (a later checkpoint of an architecture). */
  cachedGraphs: number;
}

export interface OnnxFeatureModel extends FeatureModel {
  engine: 'onnxruntime';
  timings: OnnxTimings;
}

function checkBatch(arch: string, batch: tf.Tensor4D): [number, number, number, number] {
  const [n, h, w, c] = batch.shape;
  if (batch.rank !== 4 || c !== 3) throw new Error(`${arch}: input must be NHWC with 3 channels, found [${batch.shape.join(', ')}]`);
  if (h !== w) throw new Error(`${arch}: the ONNX engine takes square inputs (the zoo's graphs are emitted for H = W), found ${h}×${w}`);
  return [n, h, w, c];
}

/** Wrap `network` (which has a graph) as a FeatureModel on ONNX Runtime with `engine`'s threads and device. */
export function onnxFeatureModel(network: Network, engine: OnnxSessionOptions): OnnxFeatureModel {
  const base = toFeatureModel(network);
  const sessions = new Map<string, Promise<OnnxSession>>();
  const timings: OnnxTimings = { setupMs: 0, runMs: 0, sessions: 0, cachedGraphs: 0 };
  let disposed = false;

  const sessionFor = (taps: readonly string[], size: number): Promise<OnnxSession> => {
    const key = `${size}|${taps.join(',')}`;
    let s = sessions.get(key);
    if (!s) {
      const t0 = performance.now();
      s = (async () => {
        const model = emitOnnxForSession(network, { taps, imageSize: size });
        const session = await createOnnxSession(model.bytes, engine, `${network.arch} (ONNX graph for ${taps.join(', ')} at ${size}×${size})`, model.externalData);
        timings.setupMs += performance.now() - t0;
        timings.sessions++;
        if (model.cachedGraph) timings.cachedGraphs++;
        return session;
      })();
      sessions.set(key, s);
      s.catch(() => sessions.delete(key));
    }
    return s;
  };

  return {
    ...base,
    engine: 'onnxruntime',
    timings,
    async features(batch, taps) {
      if (disposed) throw new Error(`${network.arch}: model used after dispose()`);
      const wanted = resolveTaps(network, taps);
      const [n, h, w, c] = checkBatch(network.arch, batch);
      const session = await sessionFor(wanted, h);
      const data = (await batch.data()) as Float32Array;
      const t0 = performance.now();
      const out = await session.run({ image: { data: nhwcToNchw(data, n, h, w, c), dims: [n, c, h, w] } }, wanted);
      timings.runMs += performance.now() - t0;
      return Object.fromEntries(wanted.map((t) => [t, out[t]!.data]));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of sessions.values()) void s.then((x) => x.release(), () => undefined);
      sessions.clear();
      base.dispose();
    },
  };
}
