import { OBJECT_COST } from './budget.js';
import { CheckpointError } from './errors.js';
import { lookupTable } from './lookup.js';
import type { ByteSource } from './source.js';
import { checkDims, DTYPE_SIZE, materialize, numelOf } from './tensor.js';
import type { DType, ReadOptions, TensorEntry } from './types.js';

const SAFETENSORS_DTYPES = lookupTable<DType>({
  F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
});

/** The safetensors format caps its JSON header at 100 MB; so do we, before reading it. */
const MAX_HEADER = 100_000_000;
/** The header object, an entry, its shape or offsets array. */
const MAX_HEADER_DEPTH = 3;

/** True when the first bytes look like a safetensors header: a plausible length, then `{`. */
export function looksLikeSafetensors(head: Uint8Array, fileSize: number): boolean {
  if (head.byteLength < 9) return false;
  const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  return n > 0n && n <= BigInt(Math.min(MAX_HEADER, fileSize - 8)) && head[8] === 0x7b;
}

export interface SafetensorsContent {
  tensors: Map<string, TensorEntry>;
  metadata: Map<string, string>;
}

/**
 * One pass over the header text before JSON.parse: nesting deeper than a safetensors header can
 * be (object → entry → shape array) is refused before any object is built, so neither the parser
 * nor a later walk can overflow the stack on 400 KB of `[[[[…`; and the values are counted, so the
 * objects JSON.parse will make are charged to the memory budget first.
 */
function scanHeader(label: string, text: string, budget: ByteSource['budget']): void {
  let depth = 0;
  let values = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // a string: skip to its closing quote, past escapes
      values++;
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) { // { [
      values++;
      if (++depth > MAX_HEADER_DEPTH) throw new CheckpointError(label, `safetensors header nests deeper than ${MAX_HEADER_DEPTH} levels (a header is { name: { dtype, shape: [..], data_offsets: [..] } }); refused`);
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2c || c === 0x3a) {
      values++;
    }
  }
  budget.charge(2 * text.length + values * (OBJECT_COST.container / 2), 'parsing the safetensors header');
}

async function readHeader(src: ByteSource): Promise<{ header: Record<string, unknown>; headerLen: number }> {
  const label = src.label;
  const lenBytes = await src.read(0, 8, 'safetensors header length');
  const n = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, src.size - 8))) throw new CheckpointError(label, `safetensors header length ${n} exceeds the file (${src.size} bytes)`);
  const headerLen = Number(n);
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(await src.read(8, headerLen, 'safetensors header'));
    scanHeader(label, text, src.budget);
    header = JSON.parse(text);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(label, `safetensors header is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new CheckpointError(label, 'safetensors header is not a JSON object');
  return { header: header as Record<string, unknown>, headerLen };
}

/** `__metadata__` is a string → string map in the safetensors format; anything else is refused. */
function metadataOf(label: string, header: Record<string, unknown>): Map<string, string> {
  const metadata = new Map<string, string>();
  const info = header.__metadata__;
  if (info === undefined) return metadata;
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw new CheckpointError(label, `safetensors __metadata__ is ${JSON.stringify(info)?.slice(0, 40)}; expected an object of strings`);
  for (const [k, v] of Object.entries(info)) {
    if (typeof v !== 'string') throw new CheckpointError(label, `safetensors __metadata__ "${k.slice(0, 80)}" is ${Array.isArray(v) ? 'an array' : typeof v}; the format allows only string values`);
    metadata.set(k, v);
  }
  return metadata;
}

/** Only the `__metadata__` of a safetensors file (its header is read, no tensor data). */
export async function readSafetensorsMetadata(src: ByteSource): Promise<Map<string, string>> {
  return metadataOf(src.label, (await readHeader(src)).header);
}

/**
 * safetensors: an 8-byte little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { … } }`, then the data;
 * offsets are relative to the end of the header and `end − begin` must equal numel × itemsize.
 */
export async function readSafetensors(src: ByteSource, opts: ReadOptions): Promise<SafetensorsContent> {
  const label = src.label;
  const { header, headerLen } = await readHeader(src);
  const dataStart = 8 + headerLen;
  const dataLen = src.size - dataStart;
  const tensors = new Map<string, TensorEntry>();
  const metadata = metadataOf(label, header);
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== 'object' || t === null) throw new CheckpointError(label, `safetensors entry "${name}" is not an object`);
    const dtype = typeof t.dtype === 'string' ? SAFETENSORS_DTYPES[t.dtype] : undefined;
    if (!dtype) throw new CheckpointError(label, `safetensors entry "${name}" has dtype ${JSON.stringify(t.dtype)}; expected one of ${Object.keys(SAFETENSORS_DTYPES).join(', ')}`);
    const shape = checkDims(label, `shape of "${name}"`, t.shape);
    const offsets = checkDims(label, `data_offsets of "${name}"`, t.data_offsets);
    if (offsets.length !== 2) throw new CheckpointError(label, `safetensors entry "${name}" needs data_offsets [begin, end]`);
    const [begin, end] = offsets as [number, number];
    const size = DTYPE_SIZE[dtype];
    const numel = numelOf(label, shape, Math.floor(dataLen / size));
    if (begin > end || end > dataLen || end - begin !== numel * size) {
      throw new CheckpointError(label, `safetensors entry "${name}" (${dtype} [${shape.join(', ')}] = ${numel * size} bytes) has data_offsets [${begin}, ${end}] in ${dataLen} data bytes`);
    }
    entries.push({ name, dtype, shape, begin, end });
  }
  checkDisjoint(label, entries);
  for (const { name, dtype, shape, begin, end } of entries) {
    const bytes = await src.read(dataStart + begin, end - begin, `tensor "${name}"`);
    const stride = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const out = materialize(label, { storage: bytes, dtype, littleEndian: true, offset: 0, shape, stride }, opts, end - begin, src.budget);
    tensors.set(name, { dtype, shape: out.shape, data: out.data });
  }
  return { tensors, metadata };
}

/**
 * The format forbids tensors whose bytes overlap; allowing them would let 10,000 entries over one
 * 1 MB range ask for 10 GB from a 1.7 MB file.
 */
function checkDisjoint(label: string, entries: readonly { name: string; begin: number; end: number }[]): void {
  const sorted = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.begin < prev.end) {
      throw new CheckpointError(label, `safetensors entries "${prev.name}" [${prev.begin}, ${prev.end}] and "${cur.name}" [${cur.begin}, ${cur.end}] overlap; the format requires disjoint data_offsets`);
    }
  }
}
