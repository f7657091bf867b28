import type { MemoryBudget } from './budget.js';
import { PickleObject } from './pickle-values.js';
import { lookupTable } from './lookup.js';
import { checkDims, materialize } from './tensor.js';
import type { DType, ReadOptions, TensorData } from './types.js';

// numpy values inside a checkpoint (RNG states, metric histories, scalars), decoded as data.

/**
 * A numpy array found inside a checkpoint (e.g. a saved RNG state or metric history). Arrays of
 * the dtypes shapetex reads are decoded to `data`; others keep their raw bytes and `dtype` null.
 */
export class NumpyArray {
  shape: number[] = [];
  dtype: DType | null = null;
  /** numpy's dtype code, e.g. `f4`, `i8`, `O`. */
  numpyDtype = '';
  data: TensorData | Uint8Array | unknown = new Uint8Array(0);
}

export class NumpyDtype {
  byteorder = '=';
  constructor(readonly code: string) {}
}

const NUMPY_DTYPES = lookupTable<DType>({
  f4: 'float32', f8: 'float64', f2: 'float16', i8: 'int64', i4: 'int32', i2: 'int16', i1: 'int8', u1: 'uint8', b1: 'bool',
});

function numpyDtypeOf(d: unknown): { dtype: DType | null; code: string; littleEndian: boolean } {
  if (!(d instanceof NumpyDtype)) return { dtype: null, code: '?', littleEndian: true };
  return { dtype: NUMPY_DTYPES[d.code] ?? null, code: d.code, littleEndian: d.byteorder !== '>' };
}

export function numpyScalar(label: string, args: unknown[]): unknown {
  const { dtype, code, littleEndian } = numpyDtypeOf(args[0]);
  const raw = args[1];
  if (dtype === null || !(raw instanceof Uint8Array)) return new PickleObject(`numpy.scalar(${code})`, args);
  const { data } = materialize(label, { storage: raw.slice(), dtype, littleEndian, offset: 0, shape: [], stride: [] }, { keepDtype: true }, 1);
  const v = (data as unknown as ArrayLike<number | bigint>)[0]!;
  if (dtype === 'bool') return v !== 0;
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  if (dtype === 'float16') return halfOrNumber(v as number, 'float16');
  if (dtype === 'bfloat16') return halfOrNumber(v as number, 'bfloat16');
  return v;
}

function halfOrNumber(bits: number, dtype: 'float16' | 'bfloat16'): number {
  const { data } = materialize('', { storage: new Uint8Array(new Uint16Array([bits]).buffer), dtype, littleEndian: true, offset: 0, shape: [], stride: [] }, {}, 1);
  return (data as Float32Array)[0]!;
}

/** numpy's ndarray.__setstate__ state: (version, shape, dtype, is_fortran, rawdata). */
export function buildNumpyArray(label: string, a: NumpyArray, state: unknown, opts: ReadOptions, budget?: MemoryBudget): void {
  if (!Array.isArray(state) || state.length < 5) return;
  const [, shapeRaw, dt, fortran, raw] = state as unknown[];
  const shape = checkDims(label, 'numpy array shape', shapeRaw);
  const { dtype, code, littleEndian } = numpyDtypeOf(dt);
  a.shape = shape;
  a.numpyDtype = code;
  if (dtype === null || !(raw instanceof Uint8Array)) {
    a.data = raw;
    return;
  }
  // Fortran order: the bytes are the transpose, so read them with column-major strides.
  const stride = new Array<number>(shape.length);
  let acc = 1;
  const order = fortran === true ? shape.map((_, i) => i) : shape.map((_, i) => shape.length - 1 - i);
  for (const i of order) {
    stride[i] = acc;
    acc *= shape[i]!;
  }
  if (raw.byteOffset % 8 !== 0) budget?.charge(raw.byteLength, 'an aligned copy of a numpy array');
  const storage = raw.byteOffset % 8 === 0 ? raw : raw.slice();
  const out = materialize(label, { storage, dtype, littleEndian, offset: 0, shape, stride }, opts, storage.byteLength, budget);
  a.dtype = dtype;
  a.data = out.data;
}
