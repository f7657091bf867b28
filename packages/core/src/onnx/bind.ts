/**
 * A checkpoint's weights bound to a graph (`--graph`): each float initializer of the graph is
 * replaced by the state_dict tensor of the same name and shape. Initializers of other types
 * (int64 shapes, indices) are the graph's own constants and stay. A state_dict tensor the graph
 * lacks is an error, except BatchNorm's `num_batches_tracked` counter, which no forward pass reads.
 */
import type { StateDict, TensorEntry } from '../io/types.js';
import { OnnxBindingError, type BindingProblem } from './errors.js';
import { onnx, toInt, type GraphProto, type TensorProto } from './proto.js';

const FLOAT = 1;
const UNUSED = /(?:^|\.)num_batches_tracked$/;
const BN_STAT = /(?:^|\.)running_(?:mean|var)$/;

/** The names-preserving export call, quoted in the lost-names message and docs/architectures.md. */
export const NAMES_PRESERVING_EXPORT = 'torch.onnx.export(model, x, "arch.onnx", training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)';

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** The graph's float initializers by name, with their shapes: what a checkpoint must supply. */
export function bindableInitializers(g: GraphProto): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const t of g.initializer ?? []) {
    if ((t.dataType ?? 0) === FLOAT && t.name) out.set(t.name, (t.dims ?? []).map(toInt));
  }
  return out;
}

/** Every tensor that does not bind, in graph order (missing, mis-shaped), then the checkpoint's extras. */
export function bindingProblems(wanted: ReadonlyMap<string, number[]>, sd: StateDict): BindingProblem[] {
  const problems: BindingProblem[] = [];
  for (const [name, expected] of wanted) {
    const e = sd.get(name);
    if (!e) problems.push({ tensor: name, kind: 'missing', expected });
    else if (!sameShape(e.shape, expected)) problems.push({ tensor: name, kind: 'shape', expected, found: [...e.shape] });
  }
  for (const [name, e] of sd) {
    if (!wanted.has(name) && !UNUSED.test(name)) problems.push({ tensor: name, kind: 'extra', found: [...e.shape] });
  }
  return problems;
}

/**
 * Whether the graph lost the state_dict's names: torch.onnx.export in eval mode folds BatchNorm
 * into the convolutions and renames their initializers (`onnx::Conv_123`), so the checkpoint's
 * BatchNorm statistics have no initializer to go to.
 */
function lostNames(wanted: ReadonlyMap<string, number[]>, sd: StateDict): boolean {
  const renamed = [...wanted.keys()].some((n) => n.startsWith('onnx::'));
  const bnStats = [...sd.keys()].filter((k) => BN_STAT.test(k));
  return renamed || (bnStats.length > 0 && bnStats.every((k) => !wanted.has(k)));
}

const shape = (d: readonly number[] | undefined): string => `[${(d ?? []).join(', ')}]`;

function problemLine(p: BindingProblem): string {
  if (p.kind === 'missing') return `${p.tensor}: in the graph ${shape(p.expected)}, missing from the checkpoint`;
  if (p.kind === 'extra') return `${p.tensor}: in the checkpoint ${shape(p.found)}, not an initializer of the graph`;
  return `${p.tensor}: the graph expects ${shape(p.expected)}, the checkpoint has ${shape(p.found)}`;
}

/** The message of a binding that failed: each problem (the first 20), and how to re-export when the names were lost. */
function bindingMessage(graphFile: string, problems: BindingProblem[], lost: boolean): string {
  const shown = problems.slice(0, 20).map(problemLine);
  if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
  let msg = `its tensors do not bind to the initializers of ${graphFile} by name (${problems.length} problem(s)): ${shown.join('; ')}`;
  if (lost) {
    msg += `. The graph's initializer names are not the state_dict's: it was exported in eval mode, which folds BatchNorm into the convolutions and renames their weights (onnx::Conv_…). Export it again keeping the names: ${NAMES_PRESERVING_EXPORT}`;
  }
  return msg;
}

function float32Of(e: TensorEntry): Float32Array {
  if (e.data instanceof Float32Array) return e.data;
  // an integer tensor where the graph has a float initializer: its values, as PyTorch's .float() gives
  return e.data instanceof BigInt64Array ? Float32Array.from(e.data, Number) : Float32Array.from(e.data as ArrayLike<number>);
}

/** A float32 initializer holding a state_dict tensor (little-endian raw data, as ONNX stores it). */
function initializerOf(name: string, dims: number[], e: TensorEntry): TensorProto {
  const f = float32Of(e);
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) });
}

/**
 * The initializers of `graph` made from `sd`, or an OnnxBindingError (of `ckptFile`) naming every
 * missing, extra or mis-shaped tensor with the expected and found shapes.
 */
export function bindStateDict(graphFile: string, g: GraphProto, sd: StateDict, ckptFile: string): Map<string, TensorProto> {
  const wanted = bindableInitializers(g);
  const problems = bindingProblems(wanted, sd);
  if (problems.length > 0) throw new OnnxBindingError(ckptFile, graphFile, problems, bindingMessage(graphFile, problems, lostNames(wanted, sd)));
  const out = new Map<string, TensorProto>();
  for (const [name, dims] of wanted) out.set(name, initializerOf(name, dims, sd.get(name)!));
  return out;
}
