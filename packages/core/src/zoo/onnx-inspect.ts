/**
 * What `bias-score inspect net.onnx` shows: the graph's image input, every tap candidate (the
 * outputs, then each tensor a node makes) with its shape, and the initializers. Shapes come
 * from the graph's declared types when every candidate has a fully known one (`value_info`),
 * else from running the graph once on a zero batch at its input size with every candidate as an
 * output (`a zero batch`); the listing says which.
 */
import { createOnnxSession } from '../onnx/runtime.js';
import { encodeModel, withOutputs } from '../onnx/graph-edit.js';
import type { OnnxModelFile } from '../onnx/model-file.js';
import { ELEMENT_TYPES, toInt, type GraphProto } from '../onnx/proto.js';
import { tapCandidates } from '../onnx/taps.js';
import { onnxTapNames } from './onnx-file-model.js';

export interface OnnxTapCandidate {
  name: string;
  kind: 'output' | 'intermediate';
  /** Dimensions, the batch as given to the run (or its symbol from value_info). */
  shape: (number | string)[];
  /** Whether it can be a tap: float and 2-, 3- or 4-D. */
  usable: boolean;
}

export interface OnnxGraphInfo {
  input: { name: string; batch: number | null; size: number };
  shapesFrom: 'value_info' | 'a zero batch';
  candidates: OnnxTapCandidate[];
  /** What `final` stands for when the graph has no output of that name. */
  final: string | null;
}

type Shape = { shape: (number | string)[]; float: boolean };

/** Declared shapes of every candidate, or null when one is unknown or partly unknown past the batch. */
function declaredShapes(g: GraphProto, names: string[]): Map<string, Shape> | null {
  const infos = new Map([...(g.output ?? []), ...(g.valueInfo ?? [])].map((v) => [v.name ?? '', v]));
  const out = new Map<string, Shape>();
  for (const n of names) {
    const tt = infos.get(n)?.type?.tensorType;
    const dims = tt?.shape?.dim;
    if (!tt || !dims) return null;
    const shape = dims.map((d, i) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? toInt(d.dimValue) : i === 0 ? 'N' : NaN));
    if (shape.some((d, i) => i > 0 && typeof d !== 'number') || shape.some((d) => Number.isNaN(d))) return null;
    out.set(n, { shape, float: tt.elemType === 1 });
  }
  return out;
}

/** Shapes of every candidate from one run on a zero batch (the fixed batch size, else 1). */
async function runShapes(src: OnnxModelFile, names: string[]): Promise<Map<string, Shape>> {
  const { input } = src;
  const n = input.batch ?? 1;
  const s = await createOnnxSession(encodeModel(withOutputs(src.model, names)), { threads: 1, device: 'cpu' }, src.file);
  try {
    const got = await s.run({ [input.name]: { data: new Float32Array(n * 3 * input.size * input.size), dims: [n, 3, input.size, input.size] } }, names);
    return new Map(names.map((k) => [k, { shape: got[k]!.dims, float: got[k]!.data instanceof Float32Array }]));
  } finally {
    await s.release();
  }
}

/** The tap listing of a read graph. */
export async function onnxGraphInfo(src: OnnxModelFile): Promise<OnnxGraphInfo> {
  const { outputs, intermediates } = tapCandidates(src.graph);
  const names = [...outputs, ...intermediates];
  const declared = declaredShapes(src.graph, names);
  const shapes = declared ?? await runShapes(src, names);
  const candidates = names.map((name, i): OnnxTapCandidate => {
    const s = shapes.get(name)!;
    return { name, kind: i < outputs.length ? 'output' : 'intermediate', shape: s.shape, usable: s.float && s.shape.length >= 2 && s.shape.length <= 4 };
  });
  const tapNames = onnxTapNames(src);
  const final = outputs.includes('final') ? null : tapNames.tensorOf.get('final') ?? null;
  return { input: { ...src.input }, shapesFrom: declared ? 'value_info' : 'a zero batch', candidates, final };
}

// BatchNorm statistics kept as initializers under their state_dict names are not learnable
const RUNNING_STAT = /(?:^|\.)running_(?:mean|var)$/;

/** Learnable-parameter count (float initializer elements, BatchNorm statistics left out) and initializers per element type. */
export function onnxCounts(g: GraphProto): { parameters: number; dtypes: Record<string, number> } {
  let parameters = 0;
  const dtypes: Record<string, number> = {};
  for (const t of g.initializer ?? []) {
    const type = ELEMENT_TYPES[t.dataType ?? 0]?.name ?? `type ${t.dataType}`;
    dtypes[type] = (dtypes[type] ?? 0) + 1;
    if (type === 'float32' && !RUNNING_STAT.test(t.name ?? '')) parameters += (t.dims ?? []).reduce<number>((a, d) => a * toInt(d), 1);
  }
  return { parameters, dtypes };
}

/** D of a candidate's rows: channels of a 4-D map, width of 3-D tokens and 2-D outputs. */
export function candidateD(c: OnnxTapCandidate): number {
  const d = c.shape.length === 4 ? c.shape[1] : c.shape.at(-1);
  return typeof d === 'number' ? d : NaN;
}

