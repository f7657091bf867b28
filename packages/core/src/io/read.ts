import { CheckpointError } from './errors.js';
import { readSafetensors, readSafetensorsMetadata, looksLikeSafetensors } from './safetensors.js';
import { fileSource, memorySource, type ByteSource } from './source.js';
import { findStateDict, STATE_DICT_KEYS } from './state-dict.js';
import { readTorchLegacy, readTorchZip } from './torch.js';
import type { ReadOptions, StateDict } from './types.js';

export type StateDictFormat = 'torch-zip' | 'torch-legacy' | 'safetensors';

export interface Checkpoint {
  format: StateDictFormat;
  /**
   * The whole decoded file as inert data: dicts as Map, lists/tuples as arrays, tensors as
   * TensorEntry, numpy arrays as NumpyArray, argparse.Namespace as a plain (null-prototype)
   * object, anything else as PickleObject / PickleGlobal. For safetensors, the name → tensor Map.
   */
  object: unknown;
  /** The model weights (see findStateDict); empty when the file holds none. */
  stateDict: StateDict;
  /** Where the weights were found: '' (bare), 'state_dict', 'ema.model', …; null if nowhere. */
  stateDictPath: string | null;
  /** Globals named in the file that were not decoded (kept as inert placeholders), e.g. `posix.system`. */
  refusedGlobals: string[];
  /** The checkpoint's own integer `epoch` entry, if it has one. */
  epoch?: number;
  /** safetensors `__metadata__`. */
  metadata?: Map<string, string>;
  /** Bytes the read materialised (charged to its memory budget) and that budget (see budget.ts). */
  memory: { used: number; limit: number };
}

/** Recognises a checkpoint by its first bytes, never by its file name. */
export function detectCheckpointFormat(head: Uint8Array, fileSize: number): StateDictFormat | null {
  if (head.byteLength >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05)) return 'torch-zip';
  if (head.byteLength >= 2 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) return 'torch-legacy';
  if (looksLikeSafetensors(head, fileSize)) return 'safetensors';
  return null;
}

async function withSource<T>(pathOrBytes: string | Uint8Array, fn: (src: ByteSource) => Promise<T>, memoryLimit?: number): Promise<T> {
  if (typeof pathOrBytes !== 'string' && !(pathOrBytes instanceof Uint8Array)) {
    throw new TypeError('readCheckpoint: expected a file path or a Uint8Array of the file');
  }
  const src = typeof pathOrBytes === 'string' ? await fileSource(pathOrBytes, memoryLimit) : memorySource(pathOrBytes, '<bytes>', memoryLimit);
  try {
    return await fn(src);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    // A safety net, not a path we expect: the fuzz test asserts this message never appears.
    throw new CheckpointError(src.label, `internal reader error: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  } finally {
    await src.close();
  }
}

/**
 * Reads a PyTorch (zip or legacy) or safetensors checkpoint, detected by content, into inert
 * data plus its state_dict. Decoding never runs code named in the file: unknown globals are
 * reported in `refusedGlobals`. Throws CheckpointError (with `file`) for anything unreadable.
 */
export async function readCheckpoint(pathOrBytes: string | Uint8Array, opts: ReadOptions = {}): Promise<Checkpoint> {
  return withSource(pathOrBytes, async (src) => {
    const head = await src.read(0, Math.min(16, src.size), 'file header');
    const format = detectCheckpointFormat(head, src.size);
    if (format === null) {
      const hex = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new CheckpointError(src.label, `unrecognised checkpoint format (first bytes ${hex || 'none: empty file'}); expected a torch zip (PK…), a torch legacy pickle (80 02…) or safetensors`);
    }
    if (format === 'safetensors') {
      const { tensors, metadata } = await readSafetensors(src, opts);
      const memory = { used: src.budget.used, limit: src.budget.limit };
      const out: Checkpoint = { format, object: tensors, stateDict: stripOnly(tensors), stateDictPath: '', refusedGlobals: [], metadata, memory };
      const e = metadataEpoch(metadata);
      if (e !== undefined) out.epoch = e;
      return out;
    }
    const { object, refused } = format === 'torch-zip' ? await readTorchZip(src, opts) : await readTorchLegacy(src, opts);
    const found = findStateDict(object);
    const memory = { used: src.budget.used, limit: src.budget.limit };
    const out: Checkpoint = { format, object, stateDict: found?.stateDict ?? new Map(), stateDictPath: found?.path ?? null, refusedGlobals: refused, memory };
    const e = pickleEpoch(object);
    if (e !== undefined) out.epoch = e;
    return out;
  }, opts.memoryLimit);
}

function pickleEpoch(object: unknown): number | undefined {
  const e = object instanceof Map ? object.get('epoch') : undefined;
  return typeof e === 'number' && Number.isSafeInteger(e) ? e : undefined;
}

/** safetensors metadata values are strings: `"epoch": "12"`. */
function metadataEpoch(metadata: Map<string, string>): number | undefined {
  const s = metadata.get('epoch');
  return s !== undefined && /^-?\d{1,15}$/.test(s.trim()) ? Number(s) : undefined;
}

/**
 * The checkpoint's own integer `epoch` entry (docs/formats.md), without reading any tensor data: for a
 * torch file only the pickle is decoded, for safetensors only the header (`__metadata__.epoch`).
 * Cheap enough to call on every file of a folder before choosing which to score.
 */
export async function readCheckpointEpoch(pathOrBytes: string | Uint8Array): Promise<number | undefined> {
  return withSource(pathOrBytes, async (src) => {
    const head = await src.read(0, Math.min(16, src.size), 'file header');
    const format = detectCheckpointFormat(head, src.size);
    if (format === null) throw new CheckpointError(src.label, 'unrecognised checkpoint format; expected a torch zip, a torch legacy pickle or safetensors');
    if (format === 'safetensors') return metadataEpoch(await readSafetensorsMetadata(src));
    const { object } = format === 'torch-zip' ? await readTorchZip(src, { tensors: false }) : await readTorchLegacy(src, { tensors: false });
    return pickleEpoch(object);
  });
}

/**
 * The globals a checkpoint names that were not decoded (kept inert, never run), e.g.
 * `posix.system`, from its pickle alone (no tensor data is read); `[]` for safetensors, which
 * holds no code references. For reporting: a scorer warns about them before trusting the file.
 */
export async function readRefusedGlobals(pathOrBytes: string | Uint8Array): Promise<string[]> {
  return withSource(pathOrBytes, async (src) => {
    const head = await src.read(0, Math.min(16, src.size), 'file header');
    const format = detectCheckpointFormat(head, src.size);
    if (format === null) throw new CheckpointError(src.label, 'unrecognised checkpoint format; expected a torch zip, a torch legacy pickle or safetensors');
    if (format === 'safetensors') return [];
    const { refused } = format === 'torch-zip' ? await readTorchZip(src, { tensors: false }) : await readTorchLegacy(src, { tensors: false });
    return refused;
  });
}

function stripOnly(tensors: StateDict): StateDict {
  return findStateDict(tensors)?.stateDict ?? tensors;
}

/**
 * The model weights of a checkpoint: parameter and buffer name → `{ dtype, shape, data }`.
 * Accepts a bare state_dict or one under `state_dict`, `model_state_dict`, `model`, `net` or
 * `ema`; removes a `module.` prefix. Floats come as Float32Array unless `{ keepDtype: true }`.
 */
export async function readStateDict(pathOrBytes: string | Uint8Array, opts: ReadOptions = {}): Promise<StateDict> {
  const ck = await readCheckpoint(pathOrBytes, opts);
  if (ck.stateDictPath === null) {
    const keys = ck.object instanceof Map ? [...ck.object.keys()].slice(0, 12).map(String).join(', ') : describeTop(ck.object);
    throw new CheckpointError(typeof pathOrBytes === 'string' ? pathOrBytes : '<bytes>', `no state_dict found (top level: ${keys}); expected a dict of tensors or one under ${STATE_DICT_KEYS.join(', ')}`);
  }
  return ck.stateDict;
}

function describeTop(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v === null) return 'None';
  return typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
}
