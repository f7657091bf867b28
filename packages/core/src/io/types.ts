/**
 * What every checkpoint reader returns. Floating-point tensors are exposed as Float32Array
 * (whatever their stored dtype, which `dtype` keeps) unless a reader is asked otherwise;
 * integer tensors keep exact values (int64 as BigInt64Array; bool as Uint8Array of 0/1).
 */
export type DType =
  | 'float32' | 'float16' | 'bfloat16' | 'float64'
  | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/**
 * Uint16Array appears only with `{ keepDtype: true }`: the raw bits of float16 / bfloat16.
 * Float64Array appears only for float64 with `{ keepDtype: true }`.
 */
export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

export interface TensorEntry {
  /** The dtype stored in the file. */
  dtype: DType;
  /** Row-major (C-order) shape; `data` is contiguous in that order. */
  shape: number[];
  data: TensorData;
}

/** Parameter and buffer name → tensor, in the file's order. */
export type StateDict = Map<string, TensorEntry>;

export interface ReadOptions {
  /**
   * Keep floating-point tensors in their stored precision: float64 as Float64Array, float16 and
   * bfloat16 as their raw 16-bit patterns in a Uint16Array. Default false: every float tensor
   * becomes a Float32Array.
   */
  keepDtype?: boolean;
  /**
   * The most bytes reading this file may materialise in total; default
   * `CHECKPOINT_MEMORY_FACTOR` (6) × the file's size + `CHECKPOINT_MEMORY_ALLOWANCE` (64 MiB).
   * Past it the read fails with a CheckpointMemoryError.
   */
  memoryLimit?: number;
}
