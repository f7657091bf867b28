/**
 * The ONNX graph under construction: nodes in execution order and initializers, with names that
 * are deterministic (a counter per operation, initializer names from the weight records), so the
 * same description emitted twice gives the same graph. With `nodes: false` the nodes are not
 * recorded, only the initializers: a model whose node list is cached (zoo/onnx-emit.ts) brings
 * its weights alone.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type NodeProto = InstanceType<typeof onnx.NodeProto>;
export type TensorProto = InstanceType<typeof onnx.TensorProto>;

/** The opset the lowering targets: onnx-proto is ONNX 1.10 (opset ≤ 15); 13 has Erf, Clip inputs. */
export const OPSET = 13;

export type AttrValue = number | number[] | { float: number };

function attribute(name: string, v: AttrValue): InstanceType<typeof onnx.AttributeProto> {
  const T = onnx.AttributeProto.AttributeType;
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
  if (typeof v === 'number') return onnx.AttributeProto.create({ name, type: T.INT, i: v });
  return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v.float });
}

const bytesOf = (a: Float32Array | BigInt64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export class OnnxGraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly counts = new Map<string, number>();
  private readonly handed: string[] = [];

  constructor(private readonly recordNodes = true) {}

  /** A name not used yet: `base`, else `base_2`, `base_3`… */
  unique(base: string): string {
    let name = base;
    for (let i = 2; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Appends `op(inputs)` and returns its output's name (`<label>/<op>_<k>`). */
  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, label = ''): string {
    const k = (this.counts.get(op) ?? 0) + 1;
    this.counts.set(op, k);
    const name = this.unique(`${label ? `${label}/` : ''}${op}_${k}`);
    this.emit(name, op, inputs, attrs, name);
    return name;
  }

  /** Appends `op(inputs)` writing the graph output `output` (a name reserved with `unique`). */
  output(op: string, inputs: readonly string[], output: string): void {
    this.emit(`${output}/${op}`, op, inputs, {}, output);
  }

  /** Every node name handed out, in order: two runs with equal traces built the same nodes. */
  trace(): string {
    return this.handed.join('\n');
  }

  private emit(name: string, op: string, inputs: readonly string[], attrs: Record<string, AttrValue>, output: string): void {
    this.handed.push(`${name}<-${inputs.join(',')}`);
    if (!this.recordNodes) return;
    this.nodes.push(onnx.NodeProto.create({
      name, opType: op, input: [...inputs], output: [output],
      attribute: Object.entries(attrs).map(([a, v]) => attribute(a, v)),
    }));
  }

  /** A float32 initializer named (uniquely) `name`. */
  floats(name: string, data: Float32Array, dims: readonly number[]): string {
    const n = this.unique(name);
    this.initializers.push(onnx.TensorProto.create({ name: n, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytesOf(data) }));
    return n;
  }

  /** An int64 initializer (shapes, axes, indices). */
  ints(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const n = this.unique(name);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push(onnx.TensorProto.create({ name: n, dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, rawData: bytesOf(data) }));
    return n;
  }

  /** A float32 scalar constant. */
  scalar(name: string, v: number): string {
    return this.floats(name, Float32Array.of(v), []);
  }
}
