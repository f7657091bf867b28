/**
 * Slurm job scripts for the commands' `slurm` subcommands: an array job whose task I runs shard
 * I of N, and a merge job that runs after it (`afterok`), written as sbatch scripts and
 * optionally submitted with `sbatch`. Pure text but for `submitSbatch`; every argument is shell
 * quoted, so paths with spaces or quotes reach the command as they were.
 */
import { spawn } from 'node:child_process';
import { UsageError } from './usage-error.js';
import { RETAIN_MALLOC_TUNABLES } from './malloc.js';

/** One word of a command line: quoted as it is, or (`{ shell }`) written as shell text. */
export type CommandWord = string | { shell: string };

/** POSIX single quoting: 'it'\''s' for it's. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The words of `--sbatch "…"` as a shell splits them (quotes and backslashes; no expansion):
 * `--partition=gpu --gres=gpu:1 --time="1:00:00"` → three words. An open quote is a UsageError.
 */
export function splitShellWords(text: string, option = '--sbatch'): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") { quote = c; started = true; }
    else if (c === '\\' && i + 1 < text.length) { cur += text[++i]; started = true; }
    else if (/\s/.test(c)) { if (started) words.push(cur); cur = ''; started = false; }
    else { cur += c; started = true; }
  }
  if (quote) throw new UsageError(`${option}: unbalanced ${quote} in ${JSON.stringify(text)}`);
  if (started) words.push(cur);
  return words;
}

export interface SbatchSpec {
  jobName: string;
  /** Array tasks 0..array−1 (an array job), or none. */
  array?: number;
  /** stdout and stderr of each task (sbatch's patterns: %A job, %a task, %j job id). */
  log: string;
  /** Working directory of the job (relative paths of the command resolve here). */
  chdir: string;
  /** Further sbatch options, one `#SBATCH` line each (partition, time, memory, GPUs). */
  extra: readonly string[];
  command: readonly CommandWord[];
  /** Shown at the top: what the job is and how it was made. */
  comment: string;
}

/**
 * The sbatch script: directives, then `exec` of the command (so scancel's SIGTERM reaches it),
 * with glibc's allocator told to keep freed memory for the next checkpoint's session unless the
 * submitting environment set GLIBC_TUNABLES itself (util/malloc.ts).
 */
export function sbatchScript(s: SbatchSpec): string {
  for (const e of s.extra) {
    if (!e.startsWith('-')) throw new UsageError(`--sbatch: ${JSON.stringify(e)} is not an sbatch option (expected --name=value or -x value pairs written as one word)`);
  }
  const lines = [
    '#!/bin/bash',
    ...s.comment.split('\n').map((l) => `# ${l}`),
    `#SBATCH --job-name=${shellQuote(s.jobName)}`,
    ...(s.array !== undefined ? [`#SBATCH --array=0-${s.array - 1}`] : []),
    `#SBATCH --output=${shellQuote(s.log)}`,
    `#SBATCH --chdir=${shellQuote(s.chdir)}`,
    ...s.extra.map((e) => `#SBATCH ${e}`),
    'set -euo pipefail',
    '# glibc keeps freed memory mapped for the next session (docs/cli.md, "Many checkpoints"); yours wins',
    `export GLIBC_TUNABLES="\${GLIBC_TUNABLES:-${RETAIN_MALLOC_TUNABLES}}"`,
    `exec ${s.command.map((w) => (typeof w === 'string' ? shellQuote(w) : w.shell)).join(' ')}`,
    '',
  ];
  return lines.join('\n');
}

/**
 * `sbatch --parsable [args] script`: the job id, a positive integer (an array job's too; a
 * cluster name after `;` is dropped). A failed sbatch rejects with what it printed.
 */
export function submitSbatch(script: string, args: readonly string[] = [], sbatch = process.env.SHAPETEX_SBATCH ?? 'sbatch'): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(sbatch, ['--parsable', ...args, script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', (e) => reject(new Error(`${sbatch}: ${e.message} (is Slurm installed and on PATH?)`)));
    child.on('close', (code) => {
      const id = Number(out.trim().split(';')[0]);
      if (code !== 0 || !Number.isSafeInteger(id) || id < 1) reject(new Error(`${sbatch} ${script} failed (exit ${code}): ${(err || out).trim()}`));
      else resolve(id);
    });
  });
}

export interface ArrayJobSpec {
  /** The run's output folder: the scripts go to `<out>/slurm/`, the logs to `<out>/slurm/logs/`. */
  out: string;
  /** `score` or `build`: names the array job's script (`score.sbatch`, `build.sbatch`). */
  kind: string;
  /** The command, for job names and comments (`bias-score`, `svoc build`). */
  name: string;
  tasks: number;
  chdir: string;
  extra: readonly string[];
  /** What task `$SLURM_ARRAY_TASK_ID` runs (its shard's folder is `<out>/slurm/shards/<i>`). */
  task: readonly CommandWord[];
  /** What the merge job runs once every task has ended well. */
  merge: readonly CommandWord[];
}

export interface ArrayJobFiles {
  array: string;
  merge: string;
  logs: string;
  shards: string[];
}

/** The folder of shard `i` of a `slurm` run in `out`. */
export const shardFolder = (out: string, i: number | string): string => `${out}/slurm/shards/${i}`;

/** Writes `<out>/slurm/<kind>.sbatch` and `merge.sbatch` (atomically) and makes the logs folder. */
export async function writeArrayJob(j: ArrayJobSpec): Promise<ArrayJobFiles> {
  const { mkdir } = await import('node:fs/promises');
  const { writeFileAtomic } = await import('./atomic.js');
  const dir = `${j.out}/slurm`;
  const logs = `${dir}/logs`;
  await mkdir(logs, { recursive: true });
  const made = `written by \`${j.name} slurm\`; resubmit task I with: sbatch --array=I ${dir}/${j.kind}.sbatch`;
  const array = `${dir}/${j.kind}.sbatch`;
  const merge = `${dir}/merge.sbatch`;
  await writeFileAtomic(array, sbatchScript({
    jobName: `${j.name.replace(/\s+/g, '-')}`, array: j.tasks, log: `${logs}/%A_%a.out`, chdir: j.chdir, extra: j.extra, command: j.task,
    comment: `${j.name}: ${j.tasks} array tasks, task I = shard I/${j.tasks} into ${dir}/shards/I (resumable)\n${made}`,
  }));
  await writeFileAtomic(merge, sbatchScript({
    jobName: `${j.name.replace(/\s+/g, '-')}-merge`, log: `${logs}/merge_%j.out`, chdir: j.chdir, extra: j.extra, command: j.merge,
    comment: `${j.name}: merges the ${j.tasks} shards into ${j.out}; submit with --dependency=afterok:<array job id>`,
  }));
  return { array, merge, logs, shards: Array.from({ length: j.tasks }, (_, i) => shardFolder(j.out, i)) };
}

/** Submits the array job, then the merge job after it; both job ids. */
export async function submitArrayJob(files: ArrayJobFiles): Promise<{ array: number; merge: number }> {
  const array = await submitSbatch(files.array);
  const merge = await submitSbatch(files.merge, [`--dependency=afterok:${array}`]);
  return { array, merge };
}
