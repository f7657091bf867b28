import type { MemoryBudget } from './budget.js';
import { CheckpointError } from './errors.js';
import type { DType, ReadOptions, TensorData } from './types.js';

/** Bytes per element as stored. */
export const DTYPE_SIZE: Readonly<Record<DType, number>> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8,
  int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

/** Where a tensor's elements live: its storage bytes and how its view indexes them. */
export interface TensorView {
  storage: Uint8Array;
  dtype: DType;
  littleEndian: boolean;
  /** In elements. */
  offset: unknown;
  shape: unknown;
  stride: unknown;
}

/** Shape (or stride) read from a file → array of non-negative safe integers, or a clear error. */
export function checkDims(label: string, what: string, dims: unknown): number[] {
  if (!Array.isArray(dims)) throw new CheckpointError(label, `${what} is not a tuple of integers`);
  if (dims.length > 64) throw new CheckpointError(label, `${what} has ${dims.length} dimensions`);
  return dims.map((d) => {
    const n = typeof d === 'bigint' && d <= BigInt(Number.MAX_SAFE_INTEGER) && d >= 0n ? Number(d) : d;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new CheckpointError(label, `${what} (${dims.map(String).join(', ')}) holds ${String(d)}, expected non-negative integers below 2^53`);
    }
    return n;
  });
}

/** Product of dims, refusing anything past `limit` (so an absurd shape never reaches an allocation). */
export function numelOf(label: string, shape: number[], limit: number): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > limit) {
      if (shape.includes(0)) return 0;
      throw new CheckpointError(label, `tensor shape [${shape.join(', ')}] holds more elements than the file can (limit ${limit})`);
    }
  }
  return n;
}

function contiguousStrides(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

function isContiguous(shape: number[], stride: number[]): boolean {
  const want = contiguousStrides(shape);
  return shape.every((d, i) => d === 1 || stride[i] === want[i]);
}

/** Bytes per element of the array `allocate` returns. */
function outputSize(dtype: DType, keep: boolean): number {
  if (dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16') return keep ? DTYPE_SIZE[dtype] : 4;
  return DTYPE_SIZE[dtype];
}

function allocate(dtype: DType, n: number, keep: boolean): TensorData {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return keep ? new Float64Array(n) : new Float32Array(n);
    case 'float16': case 'bfloat16': return keep ? new Uint16Array(n) : new Float32Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'int32': return new Int32Array(n);
    case 'int16': return new Int16Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint8': case 'bool': return new Uint8Array(n);
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** bfloat16 bits are the top half of a float32. */
export function bfloat16ToFloat(h: number): number {
  u32[0] = h << 16;
  return f32[0]!;
}

/**
 * The view's elements as one contiguous row-major array (storage offset and strides applied).
 * A contiguous little-endian view whose output type is its stored type is returned as a typed
 * array over the storage bytes themselves — no copy, and tensors sharing a storage share memory.
 * `maxElements` bounds what one view may expand to; `budget`, when given, is charged for every
 * copy, so many stride-0 views cannot together ask for more memory than the file's budget.
 */
export function materialize(label: string, v: TensorView, opts: ReadOptions, maxElements: number, budget?: MemoryBudget): { shape: number[]; data: TensorData } {
  const size = DTYPE_SIZE[v.dtype];
  const shape = checkDims(label, 'tensor shape', v.shape);
  const stride = checkDims(label, 'tensor stride', v.stride);
  if (stride.length !== shape.length) throw new CheckpointError(label, `tensor stride (${stride.join(', ')}) does not match shape [${shape.join(', ')}]`);
  const [offset] = checkDims(label, 'storage offset', [v.offset]) as [number];
  const storageNumel = Math.floor(v.storage.byteLength / size);
  const n = numelOf(label, shape, maxElements);
  if (n > 0) {
    let last = offset;
    for (let i = 0; i < shape.length; i++) last += (shape[i]! - 1) * stride[i]!;
    if (last >= storageNumel) {
      throw new CheckpointError(label, `tensor of shape [${shape.join(', ')}], stride (${stride.join(', ')}), offset ${offset} reads element ${last} of a ${v.dtype} storage holding ${storageNumel}`);
    }
  }
  const keep = opts.keepDtype === true;
  // An empty view may carry any offset (torch keeps `t[5:]`'s on a 5-element storage): nothing to read.
  if (n === 0) return { shape, data: allocate(v.dtype, 0, keep) };
  const contiguous = isContiguous(shape, stride);
  const byteStart = v.storage.byteOffset + offset * size;
  const sameType = v.dtype === 'float32' || v.dtype.startsWith('int') || v.dtype === 'uint8' || (keep && v.dtype !== 'bool');
  if (contiguous && v.littleEndian && sameType && byteStart % size === 0) {
    const buf = v.storage.buffer;
    switch (v.dtype) {
      case 'float32': return { shape, data: new Float32Array(buf, byteStart, n) };
      case 'float64': return { shape, data: new Float64Array(buf, byteStart, n) };
      case 'float16': case 'bfloat16': return { shape, data: new Uint16Array(buf, byteStart, n) };
      case 'int64': return { shape, data: new BigInt64Array(buf, byteStart, n) };
      case 'int32': return { shape, data: new Int32Array(buf, byteStart, n) };
      case 'int16': return { shape, data: new Int16Array(buf, byteStart, n) };
      case 'int8': return { shape, data: new Int8Array(buf, byteStart, n) };
      case 'uint8': return { shape, data: new Uint8Array(buf, byteStart, n) };
      default: break;
    }
  }
  budget?.charge(n * outputSize(v.dtype, keep), `a ${v.dtype} tensor of shape [${shape.join(', ')}] copied out of its storage`);
  if (contiguous && v.littleEndian) {
    const bytes = v.storage.subarray(offset * size, (offset + n) * size);
    return { shape, data: convertContiguous(v.dtype, byteStart % size === 0 ? bytes : bytes.slice(), n, keep) };
  }
  const out = allocate(v.dtype, n, keep);
  const dv = new DataView(v.storage.buffer, v.storage.byteOffset, v.storage.byteLength);
  const le = v.littleEndian;
  const get = elementReader(v.dtype, dv, le, keep);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let src = offset;
  for (let i = 0; i < n; i++) {
    (out as unknown as (number | bigint)[])[i] = get(src * size);
    // Odometer over the shape: bump the last axis, carry into earlier ones.
    for (let ax = rank - 1; ax >= 0; ax--) {
      index[ax]!++;
      src += stride[ax]!;
      if (index[ax]! < shape[ax]!) break;
      src -= stride[ax]! * shape[ax]!;
      index[ax] = 0;
    }
  }
  return { shape, data: out };
}

let halfTable: Float32Array | undefined;

/** All 65,536 binary16 values as float32, built on first use: a lookup per element, no arithmetic. */
function halfLookup(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
  }
  return halfTable;
}

/** A contiguous little-endian run of `n` elements (aligned `bytes`) converted to the output type. */
function convertContiguous(dtype: DType, bytes: Uint8Array, n: number, keep: boolean): TensorData {
  const { buffer, byteOffset } = bytes;
  switch (dtype) {
    case 'float16': case 'bfloat16': {
      const bits = new Uint16Array(buffer, byteOffset, n);
      if (keep) return bits.slice();
      const out = new Float32Array(n);
      if (dtype === 'float16') {
        const table = halfLookup();
        for (let i = 0; i < n; i++) out[i] = table[bits[i]!]!;
      } else {
        const out32 = new Uint32Array(out.buffer);
        for (let i = 0; i < n; i++) out32[i] = bits[i]! << 16;
      }
      return out;
    }
    case 'float64': return keep ? new Float64Array(buffer, byteOffset, n).slice() : Float32Array.from(new Float64Array(buffer, byteOffset, n));
    case 'bool': return Uint8Array.from(bytes, (b) => (b !== 0 ? 1 : 0));
    default: {
      // Same output type as stored, only misaligned: the aligned copy is the result.
      const out = allocate(dtype, n, keep);
      new Uint8Array(out.buffer).set(bytes);
      return out;
    }
  }
}

function elementReader(dtype: DType, dv: DataView, le: boolean, keep: boolean): (byte: number) => number | bigint {
  switch (dtype) {
    case 'float32': return (b) => dv.getFloat32(b, le);
    case 'float64': return (b) => dv.getFloat64(b, le);
    case 'float16': {
      if (keep) return (b) => dv.getUint16(b, le);
      const table = halfLookup();
      return (b) => table[dv.getUint16(b, le)]!;
    }
    case 'bfloat16': return keep ? (b) => dv.getUint16(b, le) : (b) => bfloat16ToFloat(dv.getUint16(b, le));
    case 'int64': return (b) => dv.getBigInt64(b, le);
    case 'int32': return (b) => dv.getInt32(b, le);
    case 'int16': return (b) => dv.getInt16(b, le);
    case 'int8': return (b) => dv.getInt8(b);
    case 'uint8': return (b) => dv.getUint8(b);
    case 'bool': return (b) => (dv.getUint8(b) !== 0 ? 1 : 0);
  }
}
