/**
 * ONNX protobuf through onnx-proto (a protobufjs module of ONNX's own onnx.proto): small pure
 * makers for nodes, tensors, value infos and whole models, after `onnx.helper`'s make_node,
 * make_tensor and make_graph. Everything that writes an ONNX graph goes through here.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type ModelProto = onnxProto.onnx.IModelProto;

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
export function node(op: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttributeValue | FloatAttr> = {}, name?: string): NodeProto {
  return {
    opType: op,
    input: [...inputs],
    output: [...outputs],
    ...(name ? { name } : {}),
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  };
}

/** A float32 tensor (an initializer), its values as little-endian raw data. */
export function floatTensor(name: string, dims: readonly number[], data: Float32Array): TensorProto {
  const want = dims.reduce((a, b) => a * b, 1);
  if (data.length !== want) throw new RangeError(`${name}: ${data.length} values for dims [${dims.join(', ')}] (${want})`);
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** An int64 tensor (shapes, axes, pads), small by nature. */
export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] };
}

/** A float32 graph input or output; a string dimension is symbolic (a dynamic batch). */
export function valueInfo(name: string, dims: readonly (number | string)[]): ValueInfoProto {
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
  nodes: readonly NodeProto[];
  initializers: readonly TensorProto[];
  inputs: readonly ValueInfoProto[];
  outputs: readonly ValueInfoProto[];
  /** Written as the model's `doc_string` (what it is, where it came from). */
  doc?: string;
  /** The writer's version (`producer_version`). */
  producerVersion?: string;
}

/** A whole model (standard domain, opset 13) as protobuf bytes. */
export function encodeModel(g: GraphParts, producer = 'shapetex'): Uint8Array {
  const model: ModelProto = {
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
