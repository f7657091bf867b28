import { CheckpointError } from './errors.js';
import { storageRef, torchDecoder, type PendingTensor, type StorageRef } from './globals.js';
import { PickleNeedsMoreBytes, unpickle } from './pickle.js';
import type { ByteSource } from './source.js';
import { materialize } from './tensor.js';
import type { ReadOptions } from './types.js';
import { readZipDirectory, readZipEntry } from './zip.js';

export interface DecodedPickle {
  object: unknown;
  refused: string[];
}

/** `tensors: false` decodes the pickle only: tensors keep empty data, no storage is read. */
export type TorchReadOptions = ReadOptions & { tensors?: boolean };

/** torch's legacy-format magic number, the first pickle of every pre-1.6 file. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

/**
 * Reads every pending tensor's storage once, then fills the tensors. Views share the storage's
 * memory, unless together they cover less than half of it: then each is copied out (only as
 * large as the view), so a one-element view does not keep a 50 MB storage alive.
 */
async function resolveTensors(
  src: ByteSource,
  pending: PendingTensor[],
  opts: ReadOptions,
  loadStorage: (ref: StorageRef) => Promise<{ bytes: Uint8Array; littleEndian: boolean }>,
): Promise<void> {
  const byKey = new Map<string, PendingTensor[]>();
  for (const p of pending) {
    const list = byKey.get(p.storage.key);
    if (list) list.push(p);
    else byKey.set(p.storage.key, [p]);
  }
  for (const [, list] of byKey) {
    const { bytes, littleEndian } = await loadStorage(list[0]!.storage);
    let sharedBytes = 0;
    for (const p of list) {
      const dtype = p.entry.dtype;
      const { shape, data } = materialize(src.label, { storage: bytes, dtype, littleEndian, offset: p.offset, shape: p.shape, stride: p.stride }, opts, src.size, src.budget);
      p.entry.shape = shape;
      p.entry.data = data;
      if (data.buffer === bytes.buffer) sharedBytes += data.byteLength;
    }
    if (sharedBytes > 0 && 2 * sharedBytes < bytes.byteLength) {
      src.budget.charge(sharedBytes, `views copied out of storage ${list[0]!.storage.key}`);
      for (const p of list) if (p.entry.data.buffer === bytes.buffer) p.entry.data = p.entry.data.slice();
    }
  }
}

function asTuple(label: string, pid: unknown, min: number): unknown[] {
  if (!Array.isArray(pid) || pid.length < min || pid[0] !== 'storage') {
    throw new CheckpointError(label, `unexpected persistent id ${Array.isArray(pid) ? `tuple of ${pid.length} starting ${String(pid[0])}` : typeof pid}; expected ('storage', type, key, …)`);
  }
  return pid;
}

/** torch ≥ 1.6: a zip with `<prefix>/data.pkl` and one entry `<prefix>/data/<key>` per storage. */
export async function readTorchZip(src: ByteSource, opts: TorchReadOptions): Promise<DecodedPickle> {
  const label = src.label;
  const dir = await readZipDirectory(src);
  const pkl = [...dir.values()].find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (!pkl) throw new CheckpointError(label, `zip archive has no data.pkl (entries: ${[...dir.keys()].slice(0, 5).join(', ')}…): not a torch checkpoint`);
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  let littleEndian = true;
  const bo = dir.get(`${prefix}byteorder`);
  if (bo) {
    const order = new TextDecoder().decode(await readZipEntry(src, bo)).trim();
    if (order !== 'little' && order !== 'big') throw new CheckpointError(label, `byteorder entry says "${order.slice(0, 20)}", expected little or big`);
    littleEndian = order === 'little';
  }
  const dec = torchDecoder(label, opts, (pid) => {
    const t = asTuple(label, pid, 3);
    return storageRef(label, t[1], t[2]);
  }, src.budget);
  const bytes = await readZipEntry(src, pkl);
  const { value } = unpickle(bytes, 0, label, dec.hooks, { budget: src.budget });
  if (opts.tensors === false) return { object: value, refused: dec.refused };
  await resolveTensors(src, dec.pending, opts, async (ref) => {
    const entry = dir.get(`${prefix}data/${ref.key}`);
    if (!entry) throw new CheckpointError(label, `storage ${ref.key} is referenced but the archive has no entry ${prefix}data/${ref.key}`);
    return { bytes: await readZipEntry(src, entry), littleEndian };
  });
  return { object: value, refused: dec.refused };
}

/**
 * torch ≤ 1.5 (or `_use_new_zipfile_serialization=False`): pickles of the magic number, the
 * protocol version and sys_info, then the object (storages as persistent ids), then the sorted
 * storage keys; then each storage's raw bytes, preceded by its int64 element count.
 */
export async function readTorchLegacy(src: ByteSource, opts: TorchReadOptions): Promise<DecodedPickle> {
  const label = src.label;
  // The pickles' total length is only known once decoded: decode from a growing prefix of the file.
  let chunk = Math.min(src.size, 1 << 20);
  for (;;) {
    // A failed attempt's buffer and objects are garbage once it throws: its charges are taken back.
    const mark = src.budget.used;
    const head = await src.read(0, chunk, 'legacy checkpoint header');
    try {
      return await decodeLegacy(src, head, chunk < src.size, opts);
    } catch (err) {
      if (!(err instanceof PickleNeedsMoreBytes)) throw err;
      src.budget.rewind(mark);
      chunk = Math.min(src.size, chunk * 4);
    }
  }
}

async function decodeLegacy(src: ByteSource, head: Uint8Array, partial: boolean, opts: TorchReadOptions): Promise<DecodedPickle> {
  const label = src.label;
  const plain = torchDecoder(label, opts, () => {
    throw new CheckpointError(label, 'persistent id outside the main pickle');
  }, src.budget);
  const upOpts = { partial, budget: src.budget };
  const magic = unpickle(head, 0, label, plain.hooks, upOpts);
  if (magic.value !== LEGACY_MAGIC) throw new CheckpointError(label, `not a torch checkpoint: first pickle is ${describe(magic.value)}, not torch's magic number`);
  const proto = unpickle(head, magic.end, label, plain.hooks, upOpts);
  if (proto.value !== LEGACY_PROTOCOL_VERSION) throw new CheckpointError(label, `torch legacy protocol version ${describe(proto.value)}; only ${LEGACY_PROTOCOL_VERSION} is read`);
  const sysInfo = unpickle(head, proto.end, label, plain.hooks, upOpts);
  const littleEndian = !(sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false);
  const dtypeOfKey = new Map<string, StorageRef>();
  const dec = torchDecoder(label, opts, (pid) => {
    const t = asTuple(label, pid, 5);
    const view = t[5];
    if (Array.isArray(view) && view.length >= 2) {
      // An old storage view: (view_key, offset in elements, size); the bytes are the root's.
      const ref = storageRef(label, t[1], t[2], typeof view[1] === 'number' ? view[1] : 0);
      dtypeOfKey.set(ref.key, ref);
      return ref;
    }
    const ref = storageRef(label, t[1], t[2]);
    dtypeOfKey.set(ref.key, ref);
    return ref;
  }, src.budget);
  const main = unpickle(head, sysInfo.end, label, dec.hooks, upOpts);
  const keysPickle = unpickle(head, main.end, label, plain.hooks, upOpts);
  const keys = keysPickle.value;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string' || typeof k === 'number')) {
    throw new CheckpointError(label, 'the storage-key list after the main pickle is not a list of keys');
  }
  if (opts.tensors === false) return { object: main.value, refused: [...new Set([...plain.refused, ...dec.refused])] };
  // Walk the storage records (8-byte count + bytes each) to find where each storage lies.
  const where = new Map<string, { at: number; bytes: number }>();
  let pos = keysPickle.end;
  for (const k of keys) {
    const key = String(k);
    const ref = dtypeOfKey.get(key);
    if (!ref) throw new CheckpointError(label, `storage key ${key} is listed but no tensor refers to it`);
    const countBytes = await src.read(pos, 8, `element count of storage ${key}`);
    const count = new DataView(countBytes.buffer, countBytes.byteOffset, 8).getBigInt64(0, littleEndian);
    const size = ref.elementSize;
    if (size === null) throw new CheckpointError(label, `storage ${key} has type ${ref.typeName}, whose element size is unknown`);
    const nbytes = count * BigInt(size);
    if (count < 0n || nbytes > BigInt(src.size - pos - 8)) {
      throw new CheckpointError(label, `storage ${key} claims ${count} elements (${nbytes} bytes) but only ${src.size - pos - 8} bytes remain in the file`);
    }
    where.set(key, { at: pos + 8, bytes: Number(nbytes) });
    pos += 8 + Number(nbytes);
  }
  await resolveTensors(src, dec.pending, opts, async (ref) => {
    const w = where.get(ref.key);
    if (!w) throw new CheckpointError(label, `storage ${ref.key} is referenced but missing from the storage-key list`);
    return { bytes: await src.read(w.at, w.bytes, `storage ${ref.key}`), littleEndian };
  });
  return { object: main.value, refused: [...new Set([...plain.refused, ...dec.refused])] };
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `"${v.slice(0, 40)}"`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v === null) return String(v);
  return Array.isArray(v) ? 'a tuple' : v instanceof Map ? 'a dict' : typeof v;
}
