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

async function readHeader(src: ByteSource): Promise<{ header: Record<string, unknown>; headerLen: number }> {
  const label = src.label;
  const lenBytes = await src.read(0, 8, 'safetensors header length');
  const n = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, src.size - 8))) throw new CheckpointError(label, `safetensors header length ${n} exceeds the file (${src.size} bytes)`);
  const headerLen = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await src.read(8, headerLen, 'safetensors header')));
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(label, `safetensors header is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new CheckpointError(label, 'safetensors header is not a JSON object');
  return { header: header as Record<string, unknown>, headerLen };
}

function metadataOf(header: Record<string, unknown>): Map<string, string> {
  const metadata = new Map<string, string>();
  const info = header.__metadata__;
  if (typeof info === 'object' && info !== null) for (const [k, v] of Object.entries(info)) metadata.set(k, String(v));
  return metadata;
}

/** Only the `__metadata__` of a safetensors file (its header is read, no tensor data). */
export async function readSafetensorsMetadata(src: ByteSource): Promise<Map<string, string>> {
  return metadataOf((await readHeader(src)).header);
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
  const metadata = metadataOf(header);
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
    const bytes = await src.read(dataStart + begin, end - begin, `tensor "${name}"`);
    const stride = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const out = materialize(label, { storage: bytes, dtype, littleEndian: true, offset: 0, shape, stride }, opts, numel);
    tensors.set(name, { dtype, shape: out.shape, data: out.data });
  }
  return { tensors, metadata };
}
