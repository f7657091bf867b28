import { open, type FileHandle } from 'node:fs/promises';
import { MemoryBudget } from './budget.js';
import { CheckpointError } from './errors.js';

/**
 * Random access to a checkpoint's bytes, from a file (positioned reads, nothing loaded up front)
 * or from memory. Every read is checked against `size` first, so a length read from a corrupt
 * file can never make us allocate more than the file holds.
 */
export interface ByteSource {
  /** The path, or `<bytes>`; used in error messages. */
  readonly label: string;
  readonly size: number;
  /** What this read of the file may materialise in total (see budget.ts); file reads are charged to it. */
  readonly budget: MemoryBudget;
  /**
   * Bytes [offset, offset + length). From a file each call returns a fresh buffer at byte offset 0
   * (so typed arrays over it are aligned); from memory it returns a view without copying.
   */
  read(offset: number, length: number, what: string): Promise<Uint8Array>;
  close(): Promise<void>;
}

function checkRange(label: string, size: number, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new CheckpointError(label, `${what} at bytes ${offset}..${offset + length} lies beyond the end of the file (${size} bytes): truncated or corrupt`);
  }
}

/** Reads from memory are views of bytes the caller already holds: they cost nothing. */
export function memorySource(bytes: Uint8Array, label = '<bytes>', memoryLimit?: number): ByteSource {
  return {
    label,
    size: bytes.byteLength,
    budget: new MemoryBudget(label, bytes.byteLength, memoryLimit),
    async read(offset, length, what) {
      checkRange(label, bytes.byteLength, offset, length, what);
      return bytes.subarray(offset, offset + length);
    },
    async close() {},
  };
}

export async function fileSource(path: string, memoryLimit?: number): Promise<ByteSource> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new CheckpointError(path, `cannot open: ${(err as Error).message}`, { cause: err });
  }
  let size: number;
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new CheckpointError(path, 'not a regular file');
    size = st.size;
  } catch (err) {
    await fh.close();
    throw err instanceof CheckpointError ? err : new CheckpointError(path, `cannot stat: ${(err as Error).message}`, { cause: err });
  }
  const budget = new MemoryBudget(path, size, memoryLimit);
  return {
    label: path,
    size,
    budget,
    async read(offset, length, what) {
      checkRange(path, size, offset, length, what);
      budget.charge(length, what);
      const buf = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
        if (bytesRead === 0) throw new CheckpointError(path, `${what}: file shrank while reading (got ${done} of ${length} bytes)`);
        done += bytesRead;
      }
      return buf;
    },
    async close() {
      await fh.close();
    },
  };
}
