/**
 * Reading a user-supplied `.onnx` file: the bytes within the readers' memory budget
 * (io/budget.ts), decoded with onnx-proto, refused when unsafe (safety.ts), external data
 * inlined (external.ts) and the image input read (graph-input.ts). The decoded model is what
 * taps and checkpoint binding then edit; it is parsed once and re-encoded per session.
 */
import { readFile, stat } from 'node:fs/promises';
import { MemoryBudget, OBJECT_COST } from '../io/budget.js';
import { CheckpointError } from '../io/errors.js';
import { OnnxModelError } from './errors.js';
import { externalFilesSize, inlineExternalData } from './external.js';
import { graphInput, type GraphInput } from './graph-input.js';
import { forEachGraph, onnx, tensorsOf, type GraphProto, type ModelProto } from './proto.js';
import { checkModelSafety } from './safety.js';
import { ONNX_LIMITS } from './limits.js';

export interface OnnxModelFile {
  /** The path as given: it prefixes every message. */
  file: string;
  model: ModelProto;
  graph: GraphProto;
  input: GraphInput;
}

/** Decodes protobuf bytes; anything the decoder rejects is an OnnxModelError naming the file. */
export function decodeModel(file: string, bytes: Uint8Array): ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new OnnxModelError(file, `not a readable ONNX model: ${(err as Error).message}`, { cause: err });
  }
}

/** Charges the decoded objects (nodes, names, value infos, tensor records) to the budget. */
function chargeObjects(budget: MemoryBudget, g: GraphProto): void {
  forEachGraph(g, ONNX_LIMITS.depth, (sub) => {
    const nodes = sub.node ?? [];
    let slots = 0;
    for (const n of nodes) slots += (n.input?.length ?? 0) + (n.output?.length ?? 0) + (n.attribute?.length ?? 0);
    const values = (sub.input?.length ?? 0) + (sub.output?.length ?? 0) + (sub.valueInfo?.length ?? 0);
    budget.charge((nodes.length + values + tensorsOf(sub).length) * OBJECT_COST.container + slots * (OBJECT_COST.slot + OBJECT_COST.string), 'the decoded graph');
  }, () => {});
}

/** An `.onnx` file read, checked and ready to edit; every failure is a CheckpointError naming the file. */
export async function readOnnxModel(file: string): Promise<OnnxModelFile> {
  const size = await stat(file).then((s) => s.size, (err: Error) => {
    throw new CheckpointError(file, `cannot read the ONNX model: ${err.message}`, { cause: err });
  });
  const bytes = new Uint8Array(await readFile(file));
  const model = decodeModel(file, bytes);
  checkModelSafety(file, model);
  const graph = model.graph as GraphProto;
  const tensors: ReturnType<typeof tensorsOf> = [];
  forEachGraph(graph, ONNX_LIMITS.depth, (g) => tensors.push(...tensorsOf(g)), () => {});
  // the budget is reckoned on the model and its external data files together, as on one checkpoint file
  const budget = new MemoryBudget(file, size + await externalFilesSize(file, tensors));
  budget.charge(size, 'the file');
  chargeObjects(budget, graph);
  await inlineExternalData(file, tensors, budget);
  return { file, model, graph, input: graphInput(file, graph) };
}
