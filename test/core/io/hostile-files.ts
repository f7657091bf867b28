/**
 * Crafted checkpoints from the adversarial probe of the readers (memory amplification and stack
 * depth), each small on disk. Built here, in the test, rather than committed: they are a few
 * hundred kB to 2 MB each and cheap to make.
 */
import { deflateRawSync } from 'node:zlib';
import { ascii, int, str, zipWith } from './build-pickle.js';

export interface TensorSpec {
  key: string;
  storage: string;
  numel: number;
  offset: number;
  shape: number[];
  stride: number[];
}

const tuple = (xs: number[]): number[] => [0x28, ...xs.flatMap(int), 0x74];

/** A protocol-2 pickle of `{ key: _rebuild_tensor_v2(FloatStorage(storage, numel), offset, shape, stride) }` for each spec. */
export function tensorsPickle(specs: readonly TensorSpec[]): Uint8Array {
  const parts: number[] = [0x80, 0x02, 0x7d];
  for (const t of specs) {
    parts.push(
      ...str(t.key), 0x63, ...ascii('torch._utils\n_rebuild_tensor_v2\n'), 0x28,
      0x28, ...str('storage'), 0x63, ...ascii('torch\nFloatStorage\n'), ...str(t.storage), ...str('cpu'), ...int(t.numel), 0x74, 0x51,
      ...int(t.offset), ...tuple(t.shape), ...tuple(t.stride), 0x89, 0x63, ...ascii('collections\nOrderedDict\n'), 0x29, 0x52,
      0x74, 0x52, 0x73,
    );
  }
  parts.push(0x2e);
  return new Uint8Array(parts);
}

function u16(v: DataView, at: number, x: number): void { v.setUint16(at, x, true); }
function u32(v: DataView, at: number, x: number): void { v.setUint32(at, x, true); }

/**
 * A zip whose central directory lists `aliases` names (archive/data/0 … ) that all point at ONE
 * local entry (stored, or deflated when `deflate`): the overlapping-entries construction.
 */
export function aliasedZip(pickle: Uint8Array, storage: Uint8Array, aliases: number, deflate = false): Uint8Array {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const local = (name: string, content: Uint8Array, method: number, data: Uint8Array): number => {
    const n = enc(name);
    const h = new DataView(new ArrayBuffer(30));
    u32(h, 0, 0x04034b50); u16(h, 8, method); u32(h, 18, data.length); u32(h, 22, content.length); u16(h, 26, n.length);
    chunks.push(new Uint8Array(h.buffer), n, data);
    const at = offset;
    offset += 30 + n.length + data.length;
    return at;
  };
  const cen = (name: string, content: Uint8Array, method: number, data: Uint8Array, at: number): void => {
    const n = enc(name);
    const c = new DataView(new ArrayBuffer(46));
    u32(c, 0, 0x02014b50); u16(c, 10, method); u32(c, 20, data.length); u32(c, 24, content.length); u16(c, 28, n.length); u32(c, 42, at);
    central.push(new Uint8Array(c.buffer), n);
  };
  const pklAt = local('archive/data.pkl', pickle, 0, pickle);
  const method = deflate ? 8 : 0;
  const data = deflate ? new Uint8Array(deflateRawSync(storage)) : storage;
  const storageAt = local('archive/data/0', storage, method, data);
  cen('archive/data.pkl', pickle, 0, pickle, pklAt);
  for (let i = 0; i < aliases; i++) cen(`archive/data/${i}`, storage, method, data, storageAt);
  const cdSize = central.reduce((a, b) => a + b.length, 0);
  const count = aliases + 1;
  const eocd = new DataView(new ArrayBuffer(22));
  u32(eocd, 0, 0x06054b50); u16(eocd, 8, Math.min(count, 0xffff)); u16(eocd, 10, Math.min(count, 0xffff)); u32(eocd, 12, cdSize); u32(eocd, 16, offset);
  return concat([...chunks, ...central, new Uint8Array(eocd.buffer)]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let p = 0;
  for (const x of parts) {
    out.set(x, p);
    p += x.length;
  }
  return out;
}

/** A safetensors file of `header` (an object, or raw JSON text) and `dataBytes` zero bytes of data. */
export function safetensors(header: object | string, dataBytes: number): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  return out;
}

/** 1: 10,000 safetensors entries over one 1 MB range (1.7 MB file). */
export function safetensorsOverlapping(entries = 10_000, bytes = 1 << 20): Uint8Array {
  const header: Record<string, unknown> = {};
  for (let i = 0; i < entries; i++) header[`t${i}`] = { dtype: 'F32', shape: [bytes / 4], data_offsets: [0, bytes] };
  return safetensors(header, bytes);
}

/** 1: a torch zip of 10,000 directory entries pointing at one stored 1 MB entry. */
export function zipAliasedStored(aliases = 10_000, bytes = 1 << 18): Uint8Array {
  const specs = Array.from({ length: aliases }, (_, i) => ({ key: `w${i}`, storage: String(i), numel: bytes / 4, offset: 0, shape: [bytes / 4], stride: [1] }));
  return aliasedZip(tensorsPickle(specs), new Uint8Array(bytes), aliases);
}

/** 1: 20 directory entries sharing one deflated 50 MB blob of zeros, each tensor of shape (1,). */
export function zipAliasedDeflated(aliases = 20, bytes = 50 << 20): Uint8Array {
  const specs = Array.from({ length: aliases }, (_, i) => ({ key: `w${i}`, storage: String(i), numel: bytes / 4, offset: 0, shape: [1], stride: [1] }));
  return aliasedZip(tensorsPickle(specs), new Uint8Array(bytes), aliases, true);
}

/** 1: the same without overlap: 20 separate deflated 50 MB entries of zeros (~1 MB file). */
export function zipManyDeflated(count = 20, bytes = 50 << 20): Uint8Array {
  const specs = Array.from({ length: count }, (_, i) => ({ key: `w${i}`, storage: String(i), numel: bytes / 4, offset: 0, shape: [1], stride: [1] }));
  const zeros = new Uint8Array(bytes);
  const blob = new Uint8Array(deflateRawSync(zeros));
  const files: Record<string, Uint8Array> = { 'archive/data.pkl': tensorsPickle(specs) };
  const deflated: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) {
    files[`archive/data/${i}`] = zeros;
    deflated[`archive/data/${i}`] = blob;
  }
  return zipWith(files, deflated);
}

/** 1: a 1 MB torch zip of 3,000 stride-0 tensors, each expanding a 1-element storage to the file's size. */
export function zipStrideZero(count = 3000): Uint8Array {
  const n = 250_000;
  const specs = Array.from({ length: count }, (_, i) => ({ key: `w${i}`, storage: '0', numel: 1, offset: 0, shape: [n], stride: [0] }));
  const pkl = tensorsPickle(specs);
  return zipWith({ 'archive/data.pkl': pkl, 'archive/data/0': new Uint8Array(4), 'archive/pad': new Uint8Array(Math.max(0, (1 << 20) - pkl.length)) });
}

/** 1: a safetensors header of `depth` nested arrays under __metadata__ (80 MB in the probe; `depth` × 2 bytes here). */
export function safetensorsNestedHeader(depth: number): Uint8Array {
  return safetensors(`{"__metadata__":{"a":${'['.repeat(depth)}${']'.repeat(depth)}},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4);
}

/** 2: a cyclic list L = [_rebuild_from_type_v2, None, L, None] passed to _rebuild_from_type_v2 (REDUCE). */
export function cyclicRebuildFromType(): Uint8Array {
  return new Uint8Array([
    0x80, 0x02,
    0x5d, 0x71, 0x00, // EMPTY_LIST, BINPUT 0  (L)
    0x63, ...ascii('torch._tensor\n_rebuild_from_type_v2\n'), 0x71, 0x01, 0x61, // GLOBAL, BINPUT 1, APPEND
    0x4e, 0x61, 0x68, 0x00, 0x61, 0x4e, 0x61, // None, L, None appended
    0x30, // POP L
    0x68, 0x01, 0x68, 0x00, 0x52, // fn, args = L, REDUCE
    0x2e,
  ]);
}

/**
 * 2: a chain of `depth` nn.Module-like objects built top-down through BUILD: each object is
 * nested (memoised) before its state, which holds the next one under `_modules`, is set.
 */
export function moduleChain(depth: number): Uint8Array {
  const binput = (i: number): number[] => [0x72, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, (i >>> 24) & 0xff];
  const binget = (i: number): number[] => [0x6a, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, (i >>> 24) & 0xff];
  const parts: number[] = [0x80, 0x02, 0x63, ...ascii('__main__\nNet\n'), ...binput(0), 0x29, 0x81, ...binput(1)]; // memo 0 = class, 1 = root
  for (let i = 1; i <= depth; i++) {
    parts.push(
      ...binget(i), // the object to build
      0x7d, ...str('_modules'), 0x7d, ...str('m'), ...binget(0), 0x29, 0x81, ...binput(i + 1), // state {'_modules': {'m': Net()}}
      0x73, 0x73, 0x62, 0x30, // SETITEM, SETITEM, BUILD, POP
    );
  }
  parts.push(...binget(1), 0x2e);
  return new Uint8Array(parts);
}

/** 2: lists nested `depth` deep, each filled after it was put into its parent. */
export function listsFilledAfterNesting(depth: number): Uint8Array {
  const binput = (i: number): number[] => [0x72, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, (i >>> 24) & 0xff];
  const binget = (i: number): number[] => [0x6a, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, (i >>> 24) & 0xff];
  const parts: number[] = [0x80, 0x02, 0x5d, ...binput(0), 0x30];
  for (let i = 0; i < depth; i++) parts.push(...binget(i), 0x5d, ...binput(i + 1), 0x61, 0x30); // L_i.append(L_{i+1})
  parts.push(...binget(0), 0x2e);
  return new Uint8Array(parts);
}
