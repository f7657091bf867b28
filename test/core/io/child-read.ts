/**
 * Reads a checkpoint in a separate node process and reports how it ended and the process's peak
 * resident memory (getrusage maxRSS): a memory bound must be measured where no test runner, no
 * other test and no earlier garbage share the heap.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CORE = pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../packages/core/dist/io/index.js')).href;

export interface ChildRead {
  /** Error class name, or 'ok'. */
  outcome: string;
  message: string;
  isCheckpointError: boolean;
  /** Peak resident set size of the child, bytes. */
  maxRss: number;
  seconds: number;
  /** The child's exit code / signal (a stack overflow or OOM abort shows here). */
  status: number | null;
  stderr: string;
}

const SCRIPT = `
const { readCheckpoint, CheckpointError } = await import(${JSON.stringify(CORE)});
const t0 = performance.now();
let out;
try {
  const ck = await readCheckpoint(process.argv[1]);
  out = { outcome: 'ok', message: ck.stateDict.size + ' tensors', isCheckpointError: false };
} catch (e) {
  out = { outcome: e.name, message: String(e.message).slice(0, 400), isCheckpointError: e instanceof CheckpointError };
}
out.seconds = (performance.now() - t0) / 1000;
out.maxRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify(out));
`;

/** `readCheckpoint(file)` in a fresh `node` (heap capped at `heapMiB`, so a runaway read aborts instead of swapping). */
export function readInChild(file: string, heapMiB = 2048): Promise<ChildRead> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMiB}`, '--input-type=module', '-e', SCRIPT, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (status) => {
      try {
        resolve({ ...(JSON.parse(stdout) as Omit<ChildRead, 'status' | 'stderr'>), status, stderr });
      } catch {
        resolve({ outcome: 'crashed', message: stderr.slice(-600), isCheckpointError: false, maxRss: NaN, seconds: NaN, status, stderr });
      }
    });
  });
}
