/**
 * The ONNX graph under construction: nodes in execution order and initializers, with names that
 * are deterministic (a counter per operation, initializer names from the weight records), so the
 * same description emitted twice gives the same graph. With `nodes: false` the nodes are not
 * recorded, only the initializers: a model whose node list is cached (zoo/onnx-emit.ts) brings
 * its weights alone.
 */
import { floatTensor, int64Tensor, node, OPSET, type AttributeValue, type FloatAttr, type INodeProto as NodeProto, type ITensorProto as TensorProto } from '../../onnx/proto.js';

export type { NodeProto, TensorProto };
export { OPSET };

export type AttrValue = AttributeValue | FloatAttr;

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
    this.nodes.push(node(op, inputs, [output], attrs, name));
  }

  /** A float32 initializer named (uniquely) `name`. */
  floats(name: string, data: Float32Array, dims: readonly number[]): string {
    const n = this.unique(name);
    this.initializers.push(floatTensor(n, dims, data));
    return n;
  }

  /** An int64 initializer (shapes, axes, indices). */
  ints(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const n = this.unique(name);
    this.initializers.push(int64Tensor(n, dims, values));
    return n;
  }

  /** A float32 scalar constant. */
  scalar(name: string, v: number): string {
    return this.floats(name, Float32Array.of(v), []);
  }
}
