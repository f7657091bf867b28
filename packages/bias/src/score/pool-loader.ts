import { createFeaturePool, type FeaturePool } from '@shapetex/core';
import type { ModelLoader } from './types.js';

export interface PooledLoader {
  /** Loads each checkpoint into the same worker threads (`pool.load`), started on first use. */
  load: ModelLoader;
  /** Ends the worker threads. */
  dispose(): Promise<void>;
}

/**
 * A model loader that forwards every batch through `workers` threads, each with its own backend
 * instance and copy of the network (core's `createFeaturePool`). The wasm backend is
 * single-threaded in Node, so this is how a CPU run uses more than one core: on 2 cores it
 * halves the time per checkpoint (bench/README.md). The threads outlive a checkpoint; only the
 * weights are swapped, so thread and backend start-up is paid once per run.
 */
export function pooledModelLoader(workers: number, backend: string, threads?: number): PooledLoader {
  let pool: FeaturePool | undefined;
  const load: ModelLoader = async (file, opts) => {
    const source = { modelPath: file, ...opts };
    // ONNX Runtime threads per worker: those asked for (--threads), else the pool's one each
    if (!pool) pool = await createFeaturePool({ workers, backend, ...(threads !== undefined ? { engine: { threads } } : {}), ...source });
    else await pool.load(source);
    const p = pool;
    // Captured now: the pool's arch and taps follow the next checkpoint it loads.
    const arch = p.arch;
    const taps = [...p.taps];
    const layerTaps = [...p.layerTaps];
    return { arch, taps, layerTaps, hasLogits: p.hasLogits, features: (x, t) => p.features(x, t), dispose() {} };
  };
  return {
    load,
    async dispose() {
      await pool?.dispose();
      pool = undefined;
    },
  };
}
