/**
 * The ONNX protobuf messages (onnx-proto's static module of ONNX 1.10) and the few helpers every
 * reader of a decoded model needs: 64-bit fields as numbers, and a walk over every graph.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type ModelProto = InstanceType<typeof onnx.ModelProto>;
export type GraphProto = ReturnType<typeof onnx.GraphProto.create>;
export type TensorProto = ReturnType<typeof onnx.TensorProto.create>;
export type NodeProto = ReturnType<typeof onnx.NodeProto.create>;

/** A protobuf int64 (number or Long) as a number; NaN when it is not a safe integer. */
export function toInt(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(String(v));
  return Number.isSafeInteger(n) ? n : NaN;
}

/** Element types by ONNX data_type: the name and the bytes per element (0 = not fixed-size). */
export const ELEMENT_TYPES: Record<number, { name: string; bytes: number }> = {
  1: { name: 'float32', bytes: 4 }, 2: { name: 'uint8', bytes: 1 }, 3: { name: 'int8', bytes: 1 },
  4: { name: 'uint16', bytes: 2 }, 5: { name: 'int16', bytes: 2 }, 6: { name: 'int32', bytes: 4 },
  7: { name: 'int64', bytes: 8 }, 8: { name: 'string', bytes: 0 }, 9: { name: 'bool', bytes: 1 },
  10: { name: 'float16', bytes: 2 }, 11: { name: 'float64', bytes: 8 }, 12: { name: 'uint32', bytes: 4 },
  13: { name: 'uint64', bytes: 8 }, 14: { name: 'complex64', bytes: 8 }, 15: { name: 'complex128', bytes: 16 },
  16: { name: 'bfloat16', bytes: 2 },
};

/**
 * Every graph of a model with its nesting depth (0 = the main graph; node attributes' `g` and
 * `graphs` are the bodies of If, Loop and Scan), each visited once, parents first. The walk stops
 * descending past `maxDepth`, where `onTooDeep` is called instead.
 */
export function forEachGraph(root: GraphProto, maxDepth: number, visit: (g: GraphProto, depth: number) => void, onTooDeep: (depth: number) => void): void {
  const stack: [GraphProto, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [g, depth] = stack.pop()!;
    if (depth > maxDepth) {
      onTooDeep(depth);
      continue;
    }
    visit(g, depth);
    for (const n of g.node ?? []) {
      for (const a of n.attribute ?? []) {
        if (a.g) stack.push([a.g as GraphProto, depth + 1]);
        for (const sub of a.graphs ?? []) stack.push([sub as GraphProto, depth + 1]);
      }
    }
  }
}

/** Every tensor a graph holds itself: initializers, sparse initializers' parts, attribute tensors. */
export function tensorsOf(g: GraphProto): TensorProto[] {
  const out: TensorProto[] = [...(g.initializer ?? [])] as TensorProto[];
  for (const s of g.sparseInitializer ?? []) {
    if (s.values) out.push(s.values as TensorProto);
    if (s.indices) out.push(s.indices as TensorProto);
  }
  for (const n of g.node ?? []) {
    for (const a of n.attribute ?? []) {
      if (a.t) out.push(a.t as TensorProto);
      for (const t of a.tensors ?? []) out.push(t as TensorProto);
      if (a.sparseTensor?.values) out.push(a.sparseTensor.values as TensorProto);
      if (a.sparseTensor?.indices) out.push(a.sparseTensor.indices as TensorProto);
      for (const s of a.sparseTensors ?? []) {
        if (s.values) out.push(s.values as TensorProto);
        if (s.indices) out.push(s.indices as TensorProto);
      }
    }
  }
  return out;
}
