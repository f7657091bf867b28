/**
 * What a user-supplied ONNX graph may hold before ONNX Runtime sees it: only standard-domain
 * operators (a node of another domain needs a custom-op library, native code shapetex never
 * registers), no model-local functions, and sizes within ONNX_LIMITS.
 */
import { ONNX_LIMITS } from './limits.js';
import { OnnxModelError, OnnxUnsafeError } from './errors.js';
import { forEachGraph, tensorsOf, toInt, type GraphProto, type ModelProto } from './proto.js';

/** The domains of ONNX's own operators ('' and its alias 'ai.onnx'). */
export const STANDARD_DOMAINS: readonly string[] = ['', 'ai.onnx'];

function checkDims(file: string, what: string, dims: readonly unknown[], elementsLimit: number | null): void {
  if (dims.length > ONNX_LIMITS.rank) throw new OnnxModelError(file, `${what} has rank ${dims.length}, over the limit of ${ONNX_LIMITS.rank}`);
  let elements = 1;
  for (const d of dims) {
    const n = toInt(d);
    if (!(n >= 0)) throw new OnnxModelError(file, `${what} has dimension ${String(d)}, not a non-negative integer`);
    elements *= n;
  }
  if (elementsLimit !== null && elements > elementsLimit) throw new OnnxModelError(file, `${what} has ${elements} elements, over the limit of ${elementsLimit}`);
}

/** The nodes of one graph: standard domains only; the count is added to `tally`. */
function checkNodes(file: string, g: GraphProto, tally: { nodes: number }): void {
  for (const n of g.node ?? []) {
    const domain = n.domain ?? '';
    if (!STANDARD_DOMAINS.includes(domain)) {
      throw new OnnxUnsafeError(file, `node ${JSON.stringify(n.name ?? '')} is operator ${JSON.stringify(n.opType ?? '')} of domain ${JSON.stringify(domain)}: only the standard ONNX domain ('' or 'ai.onnx') is run, and no custom-op library is ever registered; export the model with standard operators only`);
    }
    if (++tally.nodes > ONNX_LIMITS.nodes) throw new OnnxModelError(file, `the graph has more than ${ONNX_LIMITS.nodes} nodes (over the limit)`);
  }
}

/** Refuses what must not reach ONNX Runtime; throws OnnxUnsafeError or OnnxModelError naming the file. */
export function checkModelSafety(file: string, model: ModelProto): void {
  if (!model.graph) throw new OnnxModelError(file, 'the ONNX model has no graph');
  if ((model.functions ?? []).length > 0) {
    const f = model.functions![0]!;
    throw new OnnxUnsafeError(file, `the model defines local function ${JSON.stringify(f.name ?? '')} of domain ${JSON.stringify(f.domain ?? '')}: only standard ONNX operators are run`);
  }
  const tally = { nodes: 0, initializers: 0 };
  forEachGraph(model.graph as GraphProto, ONNX_LIMITS.depth, (g) => {
    checkNodes(file, g, tally);
    tally.initializers += (g.initializer?.length ?? 0) + (g.sparseInitializer?.length ?? 0);
    if (tally.initializers > ONNX_LIMITS.initializers) throw new OnnxModelError(file, `the graph has more than ${ONNX_LIMITS.initializers} initializers (over the limit)`);
    for (const t of tensorsOf(g)) checkDims(file, `tensor ${JSON.stringify(t.name ?? '')}`, t.dims ?? [], ONNX_LIMITS.elements);
    for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) {
      const dims = v.type?.tensorType?.shape?.dim ?? [];
      if (dims.length > ONNX_LIMITS.rank) throw new OnnxModelError(file, `value ${JSON.stringify(v.name ?? '')} has rank ${dims.length}, over the limit of ${ONNX_LIMITS.rank}`);
    }
  }, (depth) => {
    throw new OnnxModelError(file, `subgraphs are nested ${depth} deep, over the limit of ${ONNX_LIMITS.depth}`);
  });
}
