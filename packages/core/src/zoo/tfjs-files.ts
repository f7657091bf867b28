/**
 * Opening the files a TF.js model.json names. The manifest is untrusted: a shard path may try to
 * leave the model folder (`../`, an absolute path, a symlink pointing out), or name something
 * that is not a file (a FIFO would block the read forever, `/dev/zero` never ends). A shard is
 * read only when, after every symlink is resolved, it is a regular file inside the model
 * folder, and never past the bytes the manifest declares.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';

/** Why a file cannot be read; the caller turns it into its own error type naming the model. */
export class UnsafeFileError extends Error {}

/** True when a relative path climbs out of its base (`..`, `../x`), but not for names like `..weights.bin`. */
export function leavesFolder(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
}

/**
 * The bytes of a regular file, at most `maxBytes` of them. Opened non-blocking and without
 * following a final symlink, then checked with fstat, so what is checked is what is read.
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<Uint8Array> {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new UnsafeFileError(`${file} is not a regular file (${kindOf(st)}); refused`);
    const n = Math.min(st.size, maxBytes);
    const buf = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const { bytesRead } = await fh.read(buf, done, n - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === n ? buf : buf.subarray(0, done);
  } finally {
    await fh.close();
  }
}

function kindOf(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isDirectory(): boolean; isSocket(): boolean }): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * Resolves `rel` (already percent-decoded) against `dir` and every symlink on the way, and
 * checks the result still lies inside `dir`'s real path. Returns the real path.
 */
export async function resolveInside(dir: string, rel: string): Promise<string> {
  if (rel.length === 0 || leavesFolder(rel) || leavesFolder(path.relative(dir, path.resolve(dir, rel)))) {
    throw new UnsafeFileError(`path ${JSON.stringify(rel)} leaves the model folder`);
  }
  const realDir = await realpath(dir);
  const real = await realpath(path.resolve(dir, rel));
  const inside = path.relative(realDir, real);
  if (inside === '' || leavesFolder(inside)) {
    throw new UnsafeFileError(`path ${JSON.stringify(rel)} resolves (through a symlink) to ${real}, outside the model folder ${realDir}`);
  }
  return real;
}
