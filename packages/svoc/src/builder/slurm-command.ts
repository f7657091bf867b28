/**
 * `svoc slurm <build options> --tasks N [--sbatch "…"] [--submit]`: `svoc build` as a Slurm array
 * job. Task I builds shard I/N into `<out>/slurm/shards/I` (resumable, as every build); the merge
 * job joins the shards into `<out>` with `svoc merge`. The build options are checked by the build
 * command itself before anything is written.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { shardFolder, shellQuote, splitShellWords, submitArrayJob, UsageError, writeArrayJob, type CommandWord } from '@shapetex/core';
import { registerBuildCommand } from './command.js';

/** The svoc script the jobs run (this package's own dist/cli.js). */
const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

interface SlurmFlags { tasks: number; sbatch?: string; submit?: boolean }

/** `args` without `--out value` / `--out=value`. */
function withoutOut(args: readonly string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') i++;
    else if (!args[i]!.startsWith('--out=')) rest.push(args[i]!);
  }
  return rest;
}

/** The build options as `svoc build` parses them; commander's errors are usage errors (exit 2). */
async function checkBuildArgs(args: readonly string[]): Promise<{ out: string }> {
  const p = new Command('svoc').exitOverride();
  let out: string | undefined;
  registerBuildCommand(p).exitOverride().action((f: { out: string }) => { out = f.out; });
  await p.parseAsync(['node', 'svoc', 'build', ...args]);
  if (out === undefined) throw new UsageError('svoc slurm: give the build options (svoc slurm --voc DIR --dtd DIR --vgg FILE --decoder FILE --out DIR --tasks N)');
  return { out };
}

async function runSlurm(forwarded: string[], f: SlurmFlags): Promise<void> {
  if (forwarded.some((a) => a === '--shard' || a.startsWith('--shard='))) throw new UsageError('svoc slurm: --shard is set by the array job (task I builds shard I/N); leave it out');
  const { out: given } = await checkBuildArgs(forwarded);
  const extra = f.sbatch !== undefined ? splitShellWords(f.sbatch) : [];
  const out = path.resolve(given);
  const task: CommandWord[] = [process.execPath, CLI, 'build', ...withoutOut(forwarded),
    '--out', { shell: `${shellQuote(shardFolder(out, ''))}"\${SLURM_ARRAY_TASK_ID}"` },
    '--shard', { shell: `"\${SLURM_ARRAY_TASK_ID}/${f.tasks}"` }];
  const files = await writeArrayJob({
    out, kind: 'build', name: 'svoc build', tasks: f.tasks, chdir: process.cwd(), extra, task,
    merge: [process.execPath, CLI, 'merge', ...Array.from({ length: f.tasks }, (_, i) => shardFolder(out, i)), '--out', out],
  });
  process.stdout.write(`svoc slurm: wrote ${files.array} (${f.tasks} tasks) and ${files.merge}; logs in ${files.logs}\n`);
  if (!f.submit) {
    process.stdout.write(`submit with:\n  id=$(sbatch --parsable ${files.array}) && sbatch --dependency=afterok:$id ${files.merge}\n`);
    return;
  }
  const ids = await submitArrayJob(files);
  process.stdout.write(`submitted array job ${ids.array} (tasks 0-${f.tasks - 1}) and merge job ${ids.merge} (after ${ids.array})\n`);
}

/** Adds `svoc slurm` to `program`. */
export function registerSlurmCommand(program: Command): Command {
  return program.command('slurm')
    .description('write (and with --submit, submit) svoc build as a Slurm array job, one shard per task, and its svoc merge job')
    .usage('<svoc build options> --tasks N [--sbatch "<sbatch options>"] [--submit]')
    .requiredOption('--tasks <n>', 'array tasks, one shard of the contents each', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--tasks must be an integer ≥ 1, got ${JSON.stringify(v)}`);
      return n;
    })
    .option('--sbatch <options>', 'further sbatch options for both jobs, e.g. "--partition=cpu --time=12:00:00 --mem=8G"')
    .option('--submit', 'submit both jobs with sbatch and print their ids')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (f: SlurmFlags, cmd: Command) => { await runSlurm([...cmd.args], f); });
}
