/**
 * A user-supplied ONNX graph as a FeatureModel: the same NHWC batch in as every other model,
 * transposed to the graph's NCHW, run by ONNX Runtime with the requested taps as graph outputs,
 * and each tapped tensor reduced to one row per image on the host (onnx/taps.ts).
 *
 * Tap names: the graph's outputs (one named `logits` is also the classifier output that
 * cue-conflict decisions are taken from); `final` is the last output that is not `logits` unless
 * the graph names an output `final`; every other tensor a node makes is accepted by name
 * (`layerTaps`).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { createOnnxSession, nhwcToNchw, type OnnxDevice, type OnnxOutput, type OnnxSession } from '../onnx/runtime.js';
import type { OnnxModelFile } from '../onnx/model-file.js';
import { encodeModel, withOutputs } from '../onnx/graph-edit.js';
import { reduceTap, tapCandidates } from '../onnx/taps.js';
import { toInt, type ModelProto } from '../onnx/proto.js';
import { CheckpointError } from '../io/errors.js';
import { resolveTaps, type FeatureModel } from './feature-model.js';
import { LOGITS, type TokenChoice } from './types.js';

export interface OnnxModelOptions {
  /** Intra-op threads of ONNX Runtime; default 1. */
  threads?: number;
  /** Execution provider; default `cpu`. */
  device?: OnnxDevice;
  /** 3-D token taps: class token (default) or mean of tokens 1..T−1. */
  token?: TokenChoice;
  /** The file named in errors and `arch`: the graph, or the checkpoint bound to it. */
  label: string;
}

/** Tap names of a graph: `taps`, the extra names accepted, and which graph tensor each name runs. */
export function onnxTapNames(src: OnnxModelFile): { taps: string[]; layerTaps: string[]; tensorOf: Map<string, string>; logits: boolean } {
  const { outputs, intermediates } = tapCandidates(src.graph);
  const logits = outputs.includes(LOGITS);
  const taps = [...outputs];
  const tensorOf = new Map<string, string>([...outputs, ...intermediates].map((n) => [n, n]));
  const layerTaps = [...intermediates];
  if (!taps.includes('final')) {
    const last = outputs.filter((o) => o !== LOGITS).at(-1) ?? (logits ? LOGITS : undefined);
    if (last !== undefined) {
      tensorOf.set('final', last);
      layerTaps.unshift('final');
    }
  }
  return { taps, layerTaps, tensorOf, logits };
}

/** Classes of a `logits` output declared [N, K] with a fixed K. */
function declaredClasses(src: OnnxModelFile): number | undefined {
  const v = (src.graph.output ?? []).find((o) => o.name === LOGITS);
  const d = v?.type?.tensorType?.shape?.dim ?? [];
  const k = d.length === 2 ? toInt(d[1]!.dimValue ?? NaN) : NaN;
  return k > 0 ? k : undefined;
}

/** Zero-padded NCHW chunks of the batch: the graph's fixed batch size, or the whole batch when it is dynamic. */
function* chunks(nchw: Float32Array, n: number, per: number, fixed: number | null): Generator<{ data: Float32Array; rows: number; size: number }> {
  const step = fixed ?? n;
  for (let start = 0; start < n; start += step) {
    const rows = Math.min(step, n - start);
    const size = fixed ?? rows;
    const data = new Float32Array(size * per);
    data.set(nchw.subarray(start * per, (start + rows) * per));
    yield { data, rows, size };
  }
}

/** A run whose failure inside ONNX Runtime (a graph that opens but cannot run) is a CheckpointError naming the file. */
async function runChecked(s: OnnxSession, feeds: Record<string, OnnxOutput>, outputs: string[], label: string): Promise<Record<string, OnnxOutput>> {
  try {
    return await s.run(feeds, outputs);
  } catch (err) {
    throw new CheckpointError(label, `ONNX Runtime cannot run the graph: ${(err as Error).message}`, { cause: err });
  }
}

/** Joins per-chunk rows (padded rows already dropped). */
function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** The FeatureModel of `src` run with the weights in `model` (src.model itself, or with bound initializers). */
export function onnxFileFeatureModel(src: OnnxModelFile, model: ModelProto, opts: OnnxModelOptions): FeatureModel {
  const names = onnxTapNames(src);
  const { input } = src;
  const sessions = new Map<string, Promise<OnnxSession>>();
  const session = (tensors: string[]): Promise<OnnxSession> => {
    const key = JSON.stringify(tensors);
    if (!sessions.has(key)) sessions.set(key, createOnnxSession(encodeModel(withOutputs(model, tensors)), { threads: opts.threads ?? 1, device: opts.device ?? 'cpu' }, opts.label));
    return sessions.get(key)!;
  };
  const classes = declaredClasses(src);
  const desc = {
    // named after the graph, the same for every checkpoint bound to it
    arch: `onnx:${src.file.split(/[\\/]/).pop()}`,
    taps: names.taps, layerTaps: names.layerTaps, hasLogits: names.logits,
    ...(names.logits ? {} : { noLogitsReason: 'the graph has no output named logits' }),
  };
  return {
    ...desc,
    ...(classes !== undefined ? { numClasses: classes } : {}),
    defaultImageSize: input.size,
    inputSize: input.size,
    async features(batch: tf.Tensor4D, taps?: readonly string[]) {
      const wanted = resolveTaps(desc, taps);
      const [n, h, w, c] = batch.shape;
      if (h !== input.size || w !== input.size || c !== 3) {
        throw new Error(`${opts.label}: the graph takes ${input.size}×${input.size} RGB images, got a batch of shape [${batch.shape.join(', ')}]`);
      }
      const tensors = [...new Set(wanted.map((t) => names.tensorOf.get(t)!))];
      const parts = new Map<string, Float32Array[]>(tensors.map((t) => [t, []]));
      if (n > 0) {
        const s = await session(tensors);
        const nchw = nhwcToNchw((await batch.data()) as Float32Array, n, h, w, c);
        for (const ch of chunks(nchw, n, 3 * h * w, input.batch)) {
          const got = await runChecked(s, { [input.name]: { data: ch.data, dims: [ch.size, 3, h, w] } }, tensors, opts.label);
          for (const t of tensors) {
            const rows = reduceTap(opts.label, t, got[t] as OnnxOutput, opts.token ?? 'cls');
            parts.get(t)!.push(rows.subarray(0, (rows.length / ch.size) * ch.rows));
          }
        }
      }
      const out: Record<string, Float32Array> = {};
      for (const t of wanted) out[t] = concat(parts.get(names.tensorOf.get(t)!)!);
      return out;
    },
    dispose() {
      for (const s of sessions.values()) void s.then((x) => x.release(), () => {});
      sessions.clear();
    },
  };
}
