/**
 * External data (`data_location = EXTERNAL`): tensors whose bytes lie in another file beside
 * the model. Read into the model here, so ONNX Runtime only ever opens the model from memory and
 * never follows a path itself. A location must resolve (symlinks included) inside the model's
 * folder, and offset and length must lie within that file.
 */
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MemoryBudget } from '../io/budget.js';
import { OnnxModelError, OnnxUnsafeError } from './errors.js';
import { ELEMENT_TYPES, onnx, toInt, type TensorProto } from './proto.js';

interface Placement { location: string; offset: number; length: number | null }

function placementOf(file: string, t: TensorProto): Placement {
  const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = kv.get('location');
  const what = `tensor ${JSON.stringify(t.name ?? '')}`;
  if (!location) throw new OnnxModelError(file, `${what} is stored externally without a location`);
  const int = (key: string): number | null => {
    if (!kv.has(key)) return null;
    const raw = kv.get(key)!;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n)) throw new OnnxModelError(file, `${what}: external data ${key} ${JSON.stringify(raw)} is not a non-negative integer`);
    return n;
  };
  return { location, offset: int('offset') ?? 0, length: int('length') };
}

/** The external file of a tensor, refused unless its real path lies inside the model's real folder. */
async function resolveLocation(file: string, t: TensorProto, location: string): Promise<string> {
  const dir = await realpath(path.dirname(path.resolve(file)));
  const target = path.resolve(dir, location);
  const real = await realpath(target).catch((err: Error) => {
    throw new OnnxModelError(file, `tensor ${JSON.stringify(t.name ?? '')}: external data file ${JSON.stringify(location)} cannot be opened (${err.message})`);
  });
  if (!real.startsWith(dir + path.sep)) {
    throw new OnnxUnsafeError(file, `tensor ${JSON.stringify(t.name ?? '')}: external data location ${JSON.stringify(location)} resolves to ${real}, outside the model's folder ${dir}: refused`);
  }
  return real;
}

/** Bytes the tensor's dims and type need, or null for a type without a fixed size. */
function expectedBytes(t: TensorProto): number | null {
  const size = ELEMENT_TYPES[t.dataType ?? 0]?.bytes ?? 0;
  if (size === 0) return null;
  return (t.dims ?? []).reduce<number>((a, d) => a * toInt(d), size);
}

/** Reads one external tensor's bytes into `rawData`, after checking them against its file and its shape. */
async function inline(file: string, t: TensorProto, budget: MemoryBudget): Promise<void> {
  const p = placementOf(file, t);
  const real = await resolveLocation(file, t, p.location);
  const size = (await stat(real)).size;
  const what = `tensor ${JSON.stringify(t.name ?? '')}`;
  const length = p.length ?? size - p.offset;
  if (p.offset > size || length < 0 || p.offset + length > size) {
    throw new OnnxUnsafeError(file, `${what}: external data offset ${p.offset} + length ${length} passes the end of ${p.location} (${size} bytes)`);
  }
  const want = expectedBytes(t);
  if (want === null || want !== length) {
    throw new OnnxModelError(file, `${what}: external data holds ${length} bytes, its shape [${(t.dims ?? []).join(', ')}] and type need ${want ?? 'a fixed-size type'}`);
  }
  budget.charge(length, `external data of ${what}`);
  const buf = new Uint8Array(length);
  const fh = await open(real, 'r');
  try {
    await fh.read(buf, 0, length, p.offset);
  } finally {
    await fh.close();
  }
  t.rawData = buf;
  t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
  t.externalData = [];
}

const isExternal = (t: TensorProto): boolean => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;

/**
 * Bytes of the distinct external data files `tensors` name (each checked to lie inside the
 * model's folder): with the model's own size, the size the memory budget is reckoned on.
 */
export async function externalFilesSize(file: string, tensors: readonly TensorProto[]): Promise<number> {
  const files = new Set<string>();
  for (const t of tensors) if (isExternal(t)) files.add(await resolveLocation(file, t, placementOf(file, t).location));
  let total = 0;
  for (const f of files) total += (await stat(f)).size;
  return total;
}

/** Inlines every external tensor of `tensors`; each read is charged to `budget`, so one byte range named many times counts each time. */
export async function inlineExternalData(file: string, tensors: readonly TensorProto[], budget: MemoryBudget): Promise<void> {
  for (const t of tensors) if (isExternal(t)) await inline(file, t, budget);
}
