/**
 * Atomic file writes: a reader, or a rerun after a kill, sees either the old file or the
 * complete new one, never a partial file. The bytes go to a temporary name in the same folder
 * (same file system, so the rename is atomic on POSIX), then the temporary file is renamed over
 * the target. Every output that a killed run may leave half-written goes through here.
 */
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { threadId } from 'node:worker_threads';

let counter = 0;

/**
 * The temporary name beside `file`: `.{basename}.{pid}.{thread}.{n}.tmp`. Unique per process,
 * worker thread and call (the worker threads of one run write side by side), and hidden, so it
 * never matches image globs or reference file names.
 */
function temporaryName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${threadId}.${counter++}.tmp`);
}

/**
 * Runs `fill(tmp)` on a fresh temporary name beside `file` (its folder created if missing), then
 * renames it over `file`. On failure the temporary file is removed and the error rethrown with
 * `describe(err)` as its message and the original as its cause.
 */
async function replaceVia(file: string, fill: (tmp: string) => Promise<void>, describe: (err: Error) => string): Promise<void> {
  const tmp = temporaryName(file);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await fill(tmp);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new Error(describe(err as Error), { cause: err });
  }
}

/**
 * Writes `data` to `file` atomically (temporary name, then rename); the parent folder is created
 * if missing. A failure names `file`: `could not write {file}: {reason}`.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await replaceVia(file, (tmp) => writeFile(tmp, data), (err) => `could not write ${file}: ${err.message}`);
}

/** `writeFileAtomic` of `JSON.stringify(value, null, 2)` plus a final newline. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Copies `from` to `to` atomically (a copy under a temporary name beside `to`, then rename), so an
 * interrupted copy never leaves a truncated `to`. A failure names both: `could not copy {from}
 * to {to}: {reason}`.
 */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  await replaceVia(to, (tmp) => copyFile(from, tmp), (err) => `could not copy ${from} to ${to}: ${err.message}`);
}
