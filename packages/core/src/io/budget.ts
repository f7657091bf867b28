import { CheckpointError } from './errors.js';

/**
 * The memory budget of reading one checkpoint. Size checks per tensor or per entry cannot stop
 * amplification (10,000 entries over one byte range, stride-0 views, many deflated entries of
 * zeros): only a total can. Everything a reader materialises is charged here — file bytes read
 * into fresh buffers, inflated zip entries, tensors copied or converted out of their storage,
 * and the JavaScript objects of the pickle, the zip directory and the safetensors header — and
 * the read fails as soon as the total passes
 *
 *   limit = CHECKPOINT_MEMORY_FACTOR × file size + CHECKPOINT_MEMORY_ALLOWANCE.
 *
 * A well-formed checkpoint needs at most about 3× its size (the stored bytes once, plus float16
 * or bfloat16 storages widened to float32); 6× leaves room for legacy files, whose pickle prefix
 * may be read more than once, and the allowance covers small files and their object overhead.
 * Views into a storage are free; charges are never refunded, so the figure bounds the peak too.
 */
export const CHECKPOINT_MEMORY_FACTOR = 6;
/** The fixed part of the budget: 64 MiB. */
export const CHECKPOINT_MEMORY_ALLOWANCE = 64 * 1024 * 1024;

/**
 * What a decoded JavaScript value costs, roughly, in V8: used to charge the objects a pickle or a
 * JSON header creates (the bytes of the file they come from are charged separately).
 */
export const OBJECT_COST = {
  /** A Map, array, Set, placeholder object or tensor record. */
  container: 64,
  /** One slot of a container (an array element, a Map entry). */
  slot: 16,
  /** A string: this plus 2 bytes per character. */
  string: 32,
} as const;

/** Thrown when reading a checkpoint would pass its memory budget. */
export class CheckpointMemoryError extends CheckpointError {
  /** Bytes the read would have materialised in total. */
  readonly needed: number;
  /** The budget of this file. */
  readonly limit: number;
  constructor(file: string, what: string, needed: number, limit: number, fileSize: number) {
    super(file, `${what} would bring the memory materialised for this ${fileSize}-byte file to ${mib(needed)}, over its budget of ${mib(limit)} (${CHECKPOINT_MEMORY_FACTOR} × file size + ${mib(CHECKPOINT_MEMORY_ALLOWANCE)}): refused as a memory-amplification attack or a corrupt file`);
    this.name = 'CheckpointMemoryError';
    this.needed = needed;
    this.limit = limit;
  }
}

function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MiB` : `${n} bytes`;
}

export class MemoryBudget {
  /** Bytes charged so far. */
  used = 0;
  readonly limit: number;
  constructor(readonly label: string, readonly fileSize: number, limit?: number) {
    this.limit = limit ?? CHECKPOINT_MEMORY_FACTOR * fileSize + CHECKPOINT_MEMORY_ALLOWANCE;
  }

  /** Charges `bytes` for `what` (checked before the allocation it stands for is made). */
  charge(bytes: number, what: string): void {
    const next = this.used + bytes;
    if (!(next <= this.limit)) throw new CheckpointMemoryError(this.label, what, next, this.limit, this.fileSize);
    this.used = next;
  }

  /** The charges since `mark` are forgotten (their allocations were dropped, e.g. a failed partial decode). */
  rewind(mark: number): void {
    this.used = Math.min(this.used, mark);
  }
}
