/**
 * One writer per output folder. `bias-score` and `svoc build` append to and rewrite files in
 * their output folder; two processes on one folder would interleave rows (200–400 lines where
 * 200 were expected). Each takes this lock first: a file `.lock` in the folder holding the
 * process id, host name, tool and start time, created atomically (written under a temporary
 * name, then hard-linked into place, which fails if the name exists), so a reader never sees a
 * half-written lock. A second process is refused with an error naming the holder. A lock whose
 * process is gone (same host, pid not running, or running but started at another time: the pid
 * was reused) is stale and taken over. The lock is removed on release and, as a fallback, when
 * the process exits; a killed process leaves it behind, stale, for the next run to take over.
 *
 * Not proper-lockfile: it marks a lock stale by an mtime that the holder must keep refreshing,
 * and records no owner, so it can neither name the holding process nor tell at once that a
 * killed holder is gone; what is needed here is these few system calls.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The lock's file name inside the output folder. */
export const LOCK_FILE = '.lock';

/** What a lock file says about the process holding it. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** The command, e.g. `bias-score` or `svoc build`. */
  tool: string;
  /** When the holder took the lock (ISO 8601). */
  startTime: string;
  /** The holder's start time in clock ticks since boot (Linux /proc), to tell a reused pid. */
  processStart?: string;
}

/** The output folder is in use by another live process. */
export class OutputLockedError extends Error {
  constructor(readonly dir: string, readonly holder: LockHolder) {
    super(`${dir} is in use by ${holder.tool} (pid ${holder.pid} on ${holder.hostname}, since ${holder.startTime}); ` +
      'one writer per output folder: wait for it to finish, or use another --out' +
      (holder.hostname === os.hostname() ? '' : `; if that process is gone, delete ${path.join(dir, LOCK_FILE)}`));
    this.name = 'OutputLockedError';
  }
}

export interface OutputLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Present when a stale lock was taken over: the process that had left it. */
  readonly tookOverFrom?: LockHolder;
  /**
   * Removes the lock (only if it is still this process's), and the folder too when taking the
   * lock created it and nothing else was written there (a command refused for bad usage leaves
   * no empty folder behind).
   */
  release(): Promise<void>;
}

/** A takeover in progress is itself stale after this long (its process died mid-way). */
const TAKEOVER_STALE_MS = 30_000;

/** Field 22 of /proc/<pid>/stat (start time); undefined off Linux or when the pid is gone. */
function processStart(pid: number): string | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stale: the holder ran on this host and its process is gone (or its pid now belongs to another). */
export function isStaleLock(holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname()) return false;
  if (!isRunning(holder.pid)) return true;
  const now = processStart(holder.pid);
  return holder.processStart !== undefined && now !== undefined && now !== holder.processStart;
}

async function readHolder(file: string): Promise<LockHolder | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    if (Number.isSafeInteger(h.pid) && typeof h.hostname === 'string') return h;
  } catch { /* fall through */ }
  // Not written by us: treat it as held, with what little can be said.
  return { pid: -1, hostname: 'an unknown host', tool: `an unreadable ${LOCK_FILE}`, startTime: 'unknown' };
}

/**
 * Whether output folder `dir` is held by a live process: its `.lock` exists and its holder is
 * not stale (a holder on another host counts as live, since its pid cannot be checked here).
 * What a reader of a run folder asks to tell a run in progress from one whose process was killed.
 */
export async function lockHolderAlive(dir: string): Promise<boolean> {
  const holder = await readHolder(path.join(dir, LOCK_FILE));
  return holder !== null && !isStaleLock(holder);
}

const sameHolder = (a: LockHolder, b: LockHolder): boolean => a.pid === b.pid && a.hostname === b.hostname && a.startTime === b.startTime;

/**
 * Removes a stale lock, under a takeover guard (a directory: mkdir is atomic), so that two
 * processes that both found it stale cannot both remove it and one of them delete the other's
 * fresh lock. 'retry' when another process is taking over or the lock changed meanwhile.
 */
async function removeStale(file: string, stale: LockHolder): Promise<'removed' | 'retry'> {
  const guard = `${file}.takeover`;
  try {
    await mkdir(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const st = await stat(guard).catch(() => null);
    if (st && Date.now() - st.mtimeMs > TAKEOVER_STALE_MS) await rmdir(guard).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    return 'retry';
  }
  try {
    const now = await readHolder(file);
    if (now === null || !sameHolder(now, stale)) return 'retry';
    await unlink(file);
    return 'removed';
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
}

/**
 * Takes the lock of output folder `dir` (created if missing) for `tool`, or throws
 * {@link OutputLockedError} naming the live holder.
 */
export async function acquireOutputLock(dir: string, tool: string): Promise<OutputLock> {
  const created = (await mkdir(dir, { recursive: true })) !== undefined;
  const file = path.join(dir, LOCK_FILE);
  const start = processStart(process.pid);
  const me: LockHolder = { pid: process.pid, hostname: os.hostname(), tool, startTime: new Date().toISOString(), ...(start !== undefined ? { processStart: start } : {}) };
  const tmp = path.join(dir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(tmp, JSON.stringify(me) + '\n', { flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
    // A holder that created the folder and wrote nothing removes it on release: make it again.
    if (err.code !== 'ENOENT') throw err;
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, JSON.stringify(me) + '\n', { flag: 'wx' });
  });
  let tookOverFrom: LockHolder | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the lock ${file}: ${(err as Error).message}`, { cause: err });
      }
      const holder = await readHolder(file);
      if (holder !== null && !isStaleLock(holder)) throw new OutputLockedError(dir, holder);
      if (attempt >= 50) throw new Error(`cannot take the lock ${file}: other processes keep taking it over`);
      if (holder !== null && (await removeStale(file, holder)) === 'removed') tookOverFrom = holder;
    }
  } finally {
    await rm(tmp, { force: true });
  }
  return ownLock(file, me, tookOverFrom, created);
}

function ownLock(file: string, me: LockHolder, tookOverFrom: LockHolder | undefined, createdFolder: boolean): OutputLock {
  const mine = (): boolean => {
    try {
      const h = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
      return sameHolder(h, me);
    } catch {
      return false;
    }
  };
  // A process that exits without releasing (process.exit, an uncaught error) still frees its folder.
  const onExit = (): void => {
    if (mine()) try { unlinkSync(file); } catch { /* already gone */ }
  };
  process.on('exit', onExit);
  let released = false;
  return {
    file, holder: me, ...(tookOverFrom ? { tookOverFrom } : {}),
    async release() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      if (mine()) await unlink(file).catch(() => undefined);
      // rmdir refuses a folder that is not empty: only a folder nothing was written to goes.
      if (createdFolder) await rmdir(path.dirname(file)).catch(() => undefined);
    },
  };
}
