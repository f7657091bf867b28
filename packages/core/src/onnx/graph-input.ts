/**
 * The image input of a user-supplied graph: the one graph input that is not an initializer,
 * float32 [N, 3, H, W] with a square H = W; N may be a symbol (any batch) or a number (the graph
 * then takes batches of exactly that size).
 */
import { OnnxModelError } from './errors.js';
import { toInt, type GraphProto } from './proto.js';

export interface GraphInput {
  name: string;
  /** The fixed batch size, or null when the batch dimension is dynamic. */
  batch: number | null;
  /** Side of the square input in pixels. */
  size: number;
}

const FLOAT = 1;

function dimText(d: { dimValue?: unknown; dimParam?: string | null }): string {
  return d.dimParam ? d.dimParam : String(toInt(d.dimValue ?? 0));
}

/** The graph's image input, or an OnnxModelError saying what the input is and what is needed. */
export function graphInput(file: string, g: GraphProto): GraphInput {
  const inits = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (g.input ?? []).filter((v) => !inits.has(v.name ?? ''));
  if (inputs.length !== 1) {
    throw new OnnxModelError(file, `the graph has ${inputs.length} inputs (${inputs.map((v) => v.name).join(', ') || 'none'}); shapetex feeds one image input, float32 [N, 3, H, W]`);
  }
  const v = inputs[0]!;
  const tt = v.type?.tensorType;
  const dims = tt?.shape?.dim ?? [];
  const shape = `[${dims.map(dimText).join(', ')}]`;
  const need = `; shapetex feeds float32 [N, 3, H, W] (NCHW, 3 channels, a square H = W)`;
  if (!tt || tt.elemType !== FLOAT) throw new OnnxModelError(file, `graph input ${JSON.stringify(v.name)} is not a float32 tensor${need}`);
  const fixed = dims.map((d) => (d.dimParam || d.dimValue === undefined || d.dimValue === null ? null : toInt(d.dimValue)));
  const [n, c, h, w] = fixed;
  if (dims.length !== 4 || c !== 3 || !(h! > 0) || h !== w) {
    throw new OnnxModelError(file, `graph input ${JSON.stringify(v.name)} has shape ${shape}${need}, with H and W fixed in the graph`);
  }
  if (n !== null && n !== undefined && !(n > 0)) throw new OnnxModelError(file, `graph input ${JSON.stringify(v.name)} has batch dimension ${n}`);
  return { name: v.name ?? '', batch: n ?? null, size: h! };
}
