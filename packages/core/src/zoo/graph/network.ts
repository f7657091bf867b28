/**
 * A zoo Network from an architecture's one description (graph/ops.ts): the TF.js forward runs
 * the graph against the network's own TF lowering, and `graph` is kept for the ONNX emitter, so
 * both engines run the same description.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '../types.js';
import { LOGITS } from '../types.js';
import type { ZooGraph } from './ops.js';
import { createTfOps } from './tf-ops.js';
import { collectWeights } from './collect.js';
import { currentBackend } from '../../backend/index.js';

/** What a network says about itself besides its forward (Network minus the methods). */
export type GraphNetworkMeta = Omit<Network, 'forward' | 'dispose' | 'graph'>;

/**
 * The Network of `graph`: `forward` checks the taps and the NHWC input, runs the graph and
 * returns maps (logits as an [N, 1, 1, K] map, the Network convention).
 */
export function graphNetwork(meta: GraphNetworkMeta, graph: ZooGraph): Network {
  const ops = createTfOps();
  let disposed = false;
  const known = new Set([...meta.taps, ...(meta.hasLogits ? [LOGITS] : [])]);
  // Under the onnx backend ONNX Runtime runs the graph: the TF.js copies of the weights are then
  // made only if `forward` is used (the lowering makes each at its first use), not for every checkpoint.
  if (currentBackend()?.name !== 'onnx') for (const r of collectWeights(graph, [...known], meta.defaultImageSize)) ops.prepare(r);
  return {
    ...meta,
    graph,
    forward(x, wanted) {
      if (disposed) throw new Error(`${meta.arch}: network used after dispose()`);
      for (const t of wanted) {
        if (!known.has(t)) throw new Error(`${meta.arch}: unknown tap ${JSON.stringify(t)}; taps: ${meta.taps.join(', ')}`);
      }
      if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`${meta.arch}: input must be NHWC with 3 channels, found [${x.shape.join(', ')}]`);
      if (!wanted.length) return {};
      const outs = graph.forward(ops, { x, size: x.shape[1] }, wanted);
      const maps: Record<string, tf.Tensor4D> = {};
      for (const t of wanted) {
        const v = outs[t];
        if (!v) throw new Error(`${meta.arch}: the graph returned no output for ${t}`);
        maps[t] = (v.rank === 2 ? tf.reshape(v, [v.shape[0]!, 1, 1, v.shape[1]!]) : v) as tf.Tensor4D;
      }
      return maps;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      ops.release();
    },
  };
}
