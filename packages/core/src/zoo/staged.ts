/**
 * The shape shared by the ResNet families: a stem, four stages whose outputs are the taps
 * `stage1..stage4`, and a `final` map derived from the last stage. The forward pass stops at the
 * deepest requested tap.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../io/types.js';
import type { Network } from './types.js';

export const STAGE_TAPS = ['stage1', 'stage2', 'stage3', 'stage4'] as const;

export interface StagedNetworkParts {
  arch: string;
  numClasses?: number;
  defaultImageSize: number;
  tapChannels: Record<string, number>;
  stem(x: tf.Tensor4D): tf.Tensor4D;
  stages: ((x: tf.Tensor4D) => tf.Tensor4D)[];
  /** The `final` map from the last stage's output (identity for torchvision ResNets). */
  final(stage4: tf.Tensor4D): tf.Tensor4D;
  release(): void;
}

export function stagedNetwork(p: StagedNetworkParts): Network {
  const taps = [...STAGE_TAPS, 'final'];
  let disposed = false;
  return {
    arch: p.arch,
    taps,
    ...(p.numClasses !== undefined ? { numClasses: p.numClasses } : {}),
    defaultImageSize: p.defaultImageSize,
    tapChannels: p.tapChannels,
    forward(x, wanted) {
      if (disposed) throw new Error(`${p.arch}: network used after dispose()`);
      for (const t of wanted) {
        if (!taps.includes(t)) throw new Error(`${p.arch}: unknown tap ${JSON.stringify(t)}; taps: ${taps.join(', ')}`);
      }
      if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`${p.arch}: input must be NHWC with 3 channels, found [${x.shape.join(', ')}]`);
      const out: Record<string, tf.Tensor4D> = {};
      if (!wanted.length) return out;
      const depth = Math.max(...wanted.map((t) => (t === 'final' ? 4 : STAGE_TAPS.indexOf(t as (typeof STAGE_TAPS)[number]) + 1)));
      let h = p.stem(x);
      for (let s = 0; s < depth; s++) {
        h = p.stages[s]!(h);
        const name = STAGE_TAPS[s]!;
        if (wanted.includes(name)) out[name] = h;
      }
      if (wanted.includes('final')) out.final = p.final(h);
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      p.release();
    },
  };
}

/**
 * Size of axis `axis` of a weight, or `fallback` when the key is absent or of another rank (the
 * key check that follows reports it); lets a layout be read from a damaged state_dict.
 */
export function dimOf(sd: StateDict, key: string, rank: number, axis: number, fallback: number): number {
  const e = sd.get(key);
  return e && e.shape.length === rank ? e.shape[axis]! : fallback;
}
