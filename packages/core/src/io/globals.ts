import type { MemoryBudget } from './budget.js';
import { CheckpointError } from './errors.js';
import { lookupTable } from './lookup.js';
import { PickleGlobal, PickleObject } from './pickle-values.js';
import type { UnpickleHooks } from './pickle.js';
import { buildNumpyArray, NumpyArray, NumpyDtype, numpyScalar } from './numpy.js';
import { DTYPE_SIZE } from './tensor.js';
import type { DType, ReadOptions, TensorEntry } from './types.js';

/** A storage named by a torch persistent id; its bytes are read after the pickle is decoded. */
export interface StorageRef {
  key: string;
  /** null for storage types we do not decode (complex, quantized). */
  dtype: DType | null;
  /** Bytes per element, known for the undecoded types too (legacy files need it to skip them). */
  elementSize: number | null;
  typeName: string;
  /** Legacy storage views: element offset into the root storage. */
  viewOffset: number;
}

/** A tensor rebuilt from the pickle whose `entry.data` is filled once its storage is read. */
export interface PendingTensor {
  entry: TensorEntry;
  storage: StorageRef;
  offset: unknown;
  stride: unknown;
  shape: unknown;
}

const STORAGE_DTYPES = lookupTable<DType>({
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8',
  ByteStorage: 'uint8', BoolStorage: 'bool',
});

/** Storage types whose tensors are not decoded, but whose bytes a legacy file still lays out. */
const UNDECODED_ELEMENT_SIZE = lookupTable<number>({
  ComplexFloatStorage: 8, ComplexDoubleStorage: 16, ComplexHalfStorage: 4,
  QInt8Storage: 1, QUInt8Storage: 1, QInt32Storage: 4, QUInt4x2Storage: 1, QUInt2x4Storage: 1,
});

const TORCH_DTYPES = lookupTable<DType>({
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', float16: 'float16', half: 'float16',
  bfloat16: 'bfloat16', int64: 'int64', long: 'int64', int32: 'int32', int: 'int32', int16: 'int16', short: 'int16',
  int8: 'int8', uint8: 'uint8', bool: 'bool',
});

const NUMPY_MODULES = new Set(['numpy.core.multiarray', 'numpy._core.multiarray']);

/** Python 2 module names, as Python 3's unpickler maps them (protocol ≤ 2 pickles). */
const PY2_MODULES = lookupTable<string>({ __builtin__: 'builtins', copy_reg: 'copyreg' });

/** Names that are data, not behaviour: decoded by `call` below or kept as inert references. */
const KNOWN = new Set([
  'collections.OrderedDict', 'collections.defaultdict', 'builtins.dict', 'builtins.list', 'builtins.tuple',
  'builtins.set', 'builtins.frozenset', 'builtins.bytes', 'builtins.bytearray', 'builtins.object', '_codecs.encode',
  'copyreg._reconstructor', 'argparse.Namespace',
  'torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor_v3',
  'torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state',
  'torch._tensor._rebuild_from_type', 'torch._tensor._rebuild_from_type_v2',
  'torch.Size', 'torch.device', 'torch.Tensor', 'torch.nn.parameter.Parameter',
  'torch.storage.UntypedStorage', 'torch.UntypedStorage',
  'numpy.ndarray', 'numpy.dtype',
]);

function isKnown(q: string, module: string, name: string): boolean {
  if (KNOWN.has(q)) return true;
  if ((module === 'torch' || module === 'torch.cuda') && name.endsWith('Storage')) return true;
  if (module === 'torch' && name in TORCH_DTYPES) return true;
  if (NUMPY_MODULES.has(module) && (name === '_reconstruct' || name === 'scalar')) return true;
  return false;
}

export interface TorchDecoder {
  hooks: UnpickleHooks;
  pending: PendingTensor[];
  refused: string[];
}

/** What the hooks of one decode share: the tensors waiting for their storage, and the objects they made. */
interface DecodeState {
  label: string;
  opts: ReadOptions;
  budget: MemoryBudget | undefined;
  pending: PendingTensor[];
  /** argparse.Namespace objects made here (their state is set by BUILD). */
  namespaces: WeakSet<object>;
  /** numpy arrays made here (their data comes with BUILD). */
  numpyArrays: WeakSet<NumpyArray>;
}

const fail = (st: DecodeState, msg: string): never => {
  throw new CheckpointError(st.label, msg);
};

/** A tensor entry whose data is filled once `storage` is read (`dtype` overrides the storage's). */
function rebuildTensor(st: DecodeState, storage: unknown, offset: unknown, shape: unknown, stride: unknown, dtype?: DType | null): TensorEntry {
  if (!isStorageRef(storage)) return fail(st, 'a tensor is rebuilt from something that is not a storage');
  const ref = storage as StorageRef;
  const dt = dtype ?? ref.dtype;
  if (dt === null) return fail(st, `tensor with storage ${ref.typeName} (key ${ref.key}): dtype not supported (expected float32/16/64, bfloat16, int64/32/16/8, uint8 or bool)`);
  const entry: TensorEntry = { dtype: dt, shape: [], data: new Float32Array(0) };
  const viewOffset = typeof offset === 'number' ? offset + ref.viewOffset : offset;
  st.pending.push({ entry, storage: ref, offset: viewOffset, stride, shape });
  return entry;
}

function namespace(st: DecodeState): Record<string, unknown> {
  const o = Object.create(null) as Record<string, unknown>;
  st.namespaces.add(o);
  return o;
}

/** REDUCE of a known global on `args`: the value it stands for; unknown globals stay inert objects. */
function callGlobal(st: DecodeState, fn: PickleGlobal, args: unknown[]): unknown {
  const q = fn.qualifiedName;
  if (!isKnown(q, fn.module, fn.name)) return new PickleObject(q, args);
  switch (q) {
    case 'collections.OrderedDict': case 'builtins.dict': case 'collections.defaultdict': {
      const m = new Map<unknown, unknown>();
      const init = q === 'collections.defaultdict' ? undefined : args[0];
      if (Array.isArray(init)) for (const kv of init) if (Array.isArray(kv) && kv.length === 2) m.set(kv[0], kv[1]);
      return m;
    }
    case 'builtins.list': case 'builtins.tuple': return Array.isArray(args[0]) ? [...args[0]] : [];
    case 'builtins.set': case 'builtins.frozenset': return new Set(Array.isArray(args[0]) ? args[0] : []);
    case 'builtins.bytes': case 'builtins.bytearray': case '_codecs.encode':
      if (args.length === 0) return new Uint8Array(0);
      if (args[0] instanceof Uint8Array) return args[0];
      if (typeof args[0] === 'string') return encodeString(st.label, args[0], args[1]);
      return new PickleObject(q, args);
    case 'copyreg._reconstructor': {
      const cls = args[0];
      if (cls instanceof PickleGlobal && cls.qualifiedName === 'argparse.Namespace') return namespace(st);
      return new PickleObject(cls instanceof PickleGlobal ? cls.qualifiedName : '<reconstructed>', args.slice(2));
    }
    case 'argparse.Namespace': return namespace(st);
    case 'torch._utils._rebuild_tensor': case 'torch._utils._rebuild_tensor_v2':
      return rebuildTensor(st, args[0], args[1], args[2], args[3]);
    case 'torch._utils._rebuild_tensor_v3': {
      const d = args[6];
      const dt = d instanceof PickleGlobal && d.module === 'torch' ? TORCH_DTYPES[d.name] ?? null : null;
      if (dt === null) return fail(st, `_rebuild_tensor_v3 with dtype ${d instanceof PickleGlobal ? d.qualifiedName : String(d)} is not supported`);
      return rebuildTensor(st, args[0], args[1], args[2], args[3], dt);
    }
    case 'torch._utils._rebuild_parameter': case 'torch._utils._rebuild_parameter_with_state':
      return args[0];
    case 'torch._tensor._rebuild_from_type': case 'torch._tensor._rebuild_from_type_v2':
      // (func, type, args, state): the subclass and its Python state are dropped; the tensor is the
      // data. torch never nests these, so one level is unwrapped: a nested (or cyclic) one stays inert.
      if (args[0] instanceof PickleGlobal && !args[0].name.startsWith('_rebuild_from_type') && Array.isArray(args[2])) return callGlobal(st, args[0], args[2]);
      return new PickleObject(q, args);
    case 'torch.Size': return Array.isArray(args[0]) ? [...args[0]] : [];
    case 'torch.device': return args.map(String).join(':');
    case 'numpy.dtype': return new NumpyDtype(typeof args[0] === 'string' ? args[0] : String(args[0]));
    default: break;
  }
  if (NUMPY_MODULES.has(fn.module) && fn.name === '_reconstruct') {
    const a = new NumpyArray();
    st.numpyArrays.add(a);
    return a;
  }
  if (NUMPY_MODULES.has(fn.module) && fn.name === 'scalar') return numpyScalar(st.label, args);
  // Known value globals (storage classes, dtypes, torch.Tensor) called as functions: keep inert.
  return new PickleObject(q, args);
}

/** BUILD: sets the state of the objects made here (numpy dtypes and arrays, namespaces); false for any other. */
function buildObject(st: DecodeState, obj: unknown, state: unknown): boolean {
  if (obj instanceof NumpyDtype) {
    if (Array.isArray(state) && typeof state[1] === 'string') obj.byteorder = state[1];
    return true;
  }
  if (obj instanceof NumpyArray && st.numpyArrays.has(obj)) {
    buildNumpyArray(st.label, obj, state, st.opts, st.budget);
    return true;
  }
  if (typeof obj === 'object' && obj !== null && st.namespaces.has(obj)) {
    const dict = Array.isArray(state) ? state[0] : state;
    if (dict instanceof Map) {
      for (const [k, v] of dict) if (typeof k === 'string') Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return true;
  }
  return false;
}

/**
 * Hooks that decode what torch.save writes. `persistentIdToStorage` turns a persistent id tuple
 * into a StorageRef (the zip and legacy formats shape it differently).
 */
export function torchDecoder(label: string, opts: ReadOptions, persistentIdToStorage: (pid: unknown) => unknown, budget?: MemoryBudget): TorchDecoder {
  const st: DecodeState = { label, opts, budget, pending: [], namespaces: new WeakSet(), numpyArrays: new WeakSet() };
  const refusedSet = new Set<string>();
  const hooks: UnpickleHooks = {
    global(module, name) {
      const m = PY2_MODULES[module] ?? module;
      const g = new PickleGlobal(m, name);
      if (!isKnown(g.qualifiedName, m, name)) refusedSet.add(g.qualifiedName);
      return g;
    },
    call: (fn, args) => callGlobal(st, fn, args),
    build: (obj, state) => buildObject(st, obj, state),
    persistentLoad: persistentIdToStorage,
  };
  return { hooks, pending: st.pending, get refused() { return [...refusedSet]; } };
}

const storageRefs = new WeakSet<object>();

function isStorageRef(x: unknown): boolean {
  return typeof x === 'object' && x !== null && storageRefs.has(x);
}

/** Builds a StorageRef from the storage-type global of a persistent id. */
export function storageRef(label: string, typeGlobal: unknown, key: unknown, viewOffset = 0): StorageRef {
  if (!(typeGlobal instanceof PickleGlobal)) throw new CheckpointError(label, 'persistent id without a storage type');
  if (typeof key !== 'string' && typeof key !== 'number') throw new CheckpointError(label, `storage key ${String(key)} is neither a string nor an integer`);
  const { module, name } = typeGlobal;
  const torchModule = module === 'torch' || module === 'torch.cuda' || module === 'torch.storage';
  const dtype = torchModule ? STORAGE_DTYPES[name] ?? (name === 'UntypedStorage' ? 'uint8' : null) : null;
  if (!torchModule || !name.endsWith('Storage')) throw new CheckpointError(label, `persistent id names ${typeGlobal.qualifiedName}, not a torch storage type`);
  const elementSize = dtype !== null ? DTYPE_SIZE[dtype] : UNDECODED_ELEMENT_SIZE[name] ?? null;
  const ref: StorageRef = { key: String(key), dtype, elementSize, typeName: typeGlobal.qualifiedName, viewOffset };
  storageRefs.add(ref);
  return ref;
}

function encodeString(label: string, s: string, encoding: unknown): Uint8Array {
  const enc = typeof encoding === 'string' ? encoding.toLowerCase().replace('_', '-') : 'utf-8';
  if (enc === 'latin1' || enc === 'latin-1' || enc === 'iso-8859-1') {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 255) throw new CheckpointError(label, 'latin-1 encoded bytes hold a character above 255');
      out[i] = c;
    }
    return out;
  }
  return new TextEncoder().encode(s);
}
