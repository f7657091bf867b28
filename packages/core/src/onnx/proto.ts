/**
 * ONNX protobuf through onnx-proto (a protobufjs module of ONNX's own onnx.proto, 1.10): the one
 * home of the messages. Readers get the decoded message types and the helpers every reader of a
 * decoded model needs (64-bit fields as numbers, a walk over every graph); writers get small
 * pure makers for nodes, tensors, value infos and whole models, after `onnx.helper`'s
 * make_node, make_tensor and make_graph.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type ModelProto = InstanceType<typeof onnx.ModelProto>;
export type GraphProto = ReturnType<typeof onnx.GraphProto.create>;
export type TensorProto = ReturnType<typeof onnx.TensorProto.create>;
export type NodeProto = ReturnType<typeof onnx.NodeProto.create>;
/** What the makers below return: the messages' plain-object forms, which the encoder takes. */
export type INodeProto = onnxProto.onnx.INodeProto;
export type ITensorProto = onnxProto.onnx.ITensorProto;
export type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
type IModelProto = onnxProto.onnx.IModelProto;

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

/** The opset the emitters write (ONNX 1.8; onnx-proto reads and writes up to 1.10's). */
export const OPSET = 13;
/** ONNX IR version of opset 13's release. */
export const IR_VERSION = 7;

export type AttributeValue = number | string | readonly number[];
/** Attributes that must be written as floats although they look like integers (e.g. `alpha: 1`). */
export interface FloatAttr { float: number }

const A = onnx.AttributeProto.AttributeType;

function attribute(name: string, v: AttributeValue | FloatAttr): onnxProto.onnx.IAttributeProto {
  if (typeof v === 'object' && !Array.isArray(v) && 'float' in (v as FloatAttr)) return { name, type: A.FLOAT, f: (v as FloatAttr).float };
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: A.INT, i: v } : { name, type: A.FLOAT, f: v };
  return { name, type: A.INTS, ints: [...(v as readonly number[])] };
}

/** A node: `op` from the standard domain, its inputs, outputs and attributes. */
export function node(op: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttributeValue | FloatAttr> = {}, name?: string): INodeProto {
  return {
    opType: op,
    input: [...inputs],
    output: [...outputs],
    ...(name ? { name } : {}),
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  };
}

/** A float32 tensor (an initializer), its values as little-endian raw data. */
export function floatTensor(name: string, dims: readonly number[], data: Float32Array): ITensorProto {
  const want = dims.reduce((a, b) => a * b, 1);
  if (data.length !== want) throw new RangeError(`${name}: ${data.length} values for dims [${dims.join(', ')}] (${want})`);
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** A file of external tensor data handed to ONNX Runtime in memory: its name and its bytes. */
export interface ExternalDataFile {
  path: string;
  data: Uint8Array;
}

/**
 * `initializers` with every float tensor's raw data moved out of the protobuf: each such tensor
 * refers by location to a file of its own, and `files` holds those files, the tensors' own bytes
 * (not copied). The model's bytes are then only its nodes and shapes.
 */
export function externalizeFloatData(initializers: readonly ITensorProto[]): { initializers: ITensorProto[]; files: ExternalDataFile[] } {
  const files: ExternalDataFile[] = [];
  const out = initializers.map((t, i) => {
    if (!(t.rawData instanceof Uint8Array) || t.rawData.length === 0) return t;
    const path = `${i}.weights`;
    files.push({ path, data: t.rawData });
    const { rawData: _, ...rest } = t;
    return {
      ...rest,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [{ key: 'location', value: path }, { key: 'offset', value: '0' }, { key: 'length', value: String(t.rawData.length) }],
    };
  });
  return { initializers: out, files };
}

/** An int64 tensor (shapes, axes, pads), small by nature. */
export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): ITensorProto {
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] };
}

/** A float32 graph input or output; a string dimension is symbolic (a dynamic batch). */
export function valueInfo(name: string, dims: readonly (number | string)[]): IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export interface GraphParts {
  name: string;
  nodes: readonly INodeProto[];
  initializers: readonly ITensorProto[];
  inputs: readonly IValueInfoProto[];
  outputs: readonly IValueInfoProto[];
  /** Written as the model's `doc_string` (what it is, where it came from). */
  doc?: string;
  /** The writer's version (`producer_version`). */
  producerVersion?: string;
}

/** A whole model (standard domain, opset 13) as protobuf bytes. */
export function encodeModel(g: GraphParts, producer = 'shapetex'): Uint8Array {
  const model: IModelProto = {
    irVersion: IR_VERSION,
    producerName: producer,
    ...(g.producerVersion ? { producerVersion: g.producerVersion } : {}),
    opsetImport: [{ domain: '', version: OPSET }],
    ...(g.doc ? { docString: g.doc } : {}),
    graph: {
      name: g.name,
      node: [...g.nodes],
      initializer: [...g.initializers],
      input: [...g.inputs],
      output: [...g.outputs],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}
