/**
 * Edits of a decoded graph that never touch the caller's copy: extra graph outputs (so any
 * intermediate tensor can be tapped by name) and initializers replaced by name (a checkpoint's
 * weights), then the model re-encoded for a session.
 */
import { onnx, type GraphProto, type ModelProto, type TensorProto } from './proto.js';

/**
 * The model with `names` as its graph outputs, in that order: declared outputs keep their value
 * info, an intermediate tensor gets a bare one (ONNX Runtime infers its type and shape).
 */
export function withOutputs(model: ModelProto, names: readonly string[]): ModelProto {
  const g = model.graph as GraphProto;
  const declared = new Map((g.output ?? []).map((v) => [v.name ?? '', v]));
  const output = names.map((n) => declared.get(n) ?? onnx.ValueInfoProto.create({ name: n }));
  return onnx.ModelProto.create({ ...model, graph: onnx.GraphProto.create({ ...g, output }) });
}

/** The model with the main graph's initializers of the same names replaced by `tensors`. */
export function withInitializers(model: ModelProto, tensors: ReadonlyMap<string, TensorProto>): ModelProto {
  const g = model.graph as GraphProto;
  const initializer = (g.initializer ?? []).map((t) => tensors.get(t.name ?? '') ?? t);
  return onnx.ModelProto.create({ ...model, graph: onnx.GraphProto.create({ ...g, initializer }) });
}

/** Protobuf bytes of a model, for createOnnxSession. */
export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}
