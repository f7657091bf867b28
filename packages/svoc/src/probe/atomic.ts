import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { threadId } from 'node:worker_threads';

let counter = 0;

/**
 * Writes `data` to `file` so that a reader (or a rerun after a kill) sees either the old file
 * or the complete new one, never a partial file: the bytes go to a temporary name in the same
 * folder (same file system, so the rename is atomic on POSIX), then the temporary file is
 * renamed over `file`. The parent folder is created if missing. On failure the temporary file
 * is removed and the error rethrown, naming `file`.
 *
 * Temporary names are `.{basename}.{pid}.{thread}.{n}.tmp` (worker threads of one build write
 * side by side), so they are hidden and never match probe
 * image globs or the reference naming.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${threadId}.${counter++}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new Error(`could not write ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** `writeFileAtomic` of `JSON.stringify(value, null, 2)` plus a final newline. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
