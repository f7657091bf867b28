/**
 * `bias-score slurm <checkpoints> [any bias-score option] --tasks N [--sbatch "…"] [--submit]`:
 * the scoring run as a Slurm array job. Task I scores shard I/N into `<out>/slurm/shards/I`
 * (resumable: a resubmitted task goes on from its shard's finished checkpoints); the merge job
 * joins the shards into `<out>`, as a single run would leave it. The scoring options are checked
 * here exactly as `bias-score` itself checks them, before anything is written.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { shardFolder, shellQuote, splitShellWords, submitArrayJob, UsageError, writeArrayJob, type CommandWord } from '@shapetex/core';
import { discoverCheckpoints } from '../score/discover.js';
import { integerOption } from './options.js';
import type { ExitBox } from './exit.js';

/** The bias-score script the jobs run (this package's own dist/cli.js). */
const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

interface SlurmFlags { tasks: number; sbatch?: string; submit?: boolean }

/** `args` without `--name value` / `--name=value` of each of `names`; the values found. */
export function takeOption(args: readonly string[], name: string): { rest: string[]; values: string[] } {
  const rest: string[] = [];
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === name && i + 1 < args.length) values.push(args[++i]!);
    else if (a.startsWith(`${name}=`)) values.push(a.slice(name.length + 1));
    else rest.push(a);
  }
  return { rest, values };
}

/** Parses the forwarded scoring options with the scoring command itself (its errors are usage errors). */
async function checkScoringArgs(makeProgram: (exit: ExitBox) => Command, args: readonly string[]): Promise<{ checkpoints: string; out: string; probe?: string }> {
  const p = makeProgram({ code: 0 });
  let seen: { checkpoints: string; o: { out: string; probe?: string; cueConflict?: string } } | undefined;
  p.action((checkpoints: string, o: { out: string; probe?: string; cueConflict?: string }) => { seen = { checkpoints, o }; });
  await p.parseAsync(['node', 'bias-score', ...args]);
  if (!seen) throw new UsageError('bias-score slurm: give the checkpoint folder and the scoring options (bias-score slurm <checkpoints> --probe DIR … --tasks N)');
  if (seen.o.probe === undefined && seen.o.cueConflict === undefined) throw new UsageError("bias-score slurm: required option '--probe <dir>' (or '--cue-conflict <dir>') not specified");
  return { checkpoints: seen.checkpoints, out: seen.o.out, ...(seen.o.probe !== undefined ? { probe: seen.o.probe } : {}) };
}

async function runSlurm(makeProgram: (exit: ExitBox) => Command, forwarded: string[], f: SlurmFlags): Promise<void> {
  if (forwarded.some((a) => a === '--shard' || a.startsWith('--shard='))) throw new UsageError('bias-score slurm: --shard is set by the array job (task I scores shard I/N); leave it out');
  const run = await checkScoringArgs(makeProgram, forwarded);
  const extra = f.sbatch !== undefined ? splitShellWords(f.sbatch) : [];
  if (run.probe !== undefined && !(await stat(run.probe).then((st) => st.isDirectory(), () => false))) {
    throw new UsageError(`slurm: --probe ${run.probe}: not a folder`);
  }
  const { checkpoints } = await discoverCheckpoints(run.checkpoints);
  if (checkpoints.length < f.tasks) throw new UsageError(`slurm: --tasks ${f.tasks} is more than the ${checkpoints.length} checkpoint(s) in ${run.checkpoints}; a task would have nothing to score`);
  const out = path.resolve(run.out);
  const scoring = takeOption(forwarded, '--out').rest;
  const task: CommandWord[] = [process.execPath, CLI, ...scoring,
    '--out', { shell: `${shellQuote(shardFolder(out, ''))}"\${SLURM_ARRAY_TASK_ID}"` },
    '--shard', { shell: `"\${SLURM_ARRAY_TASK_ID}/${f.tasks}"` }];
  const files = await writeArrayJob({
    out, kind: 'score', name: 'bias-score', tasks: f.tasks, chdir: process.cwd(), extra, task,
    merge: [process.execPath, CLI, 'merge', ...Array.from({ length: f.tasks }, (_, i) => shardFolder(out, i)), '--out', out],
  });
  process.stdout.write(`slurm: wrote ${files.array} (${f.tasks} tasks over ${checkpoints.length} checkpoints) and ${files.merge}; logs in ${files.logs}\n`);
  if (!f.submit) {
    process.stdout.write(`submit with:\n  id=$(sbatch --parsable ${files.array}) && sbatch --dependency=afterok:$id ${files.merge}\n`);
    return;
  }
  const ids = await submitArrayJob(files);
  process.stdout.write(`submitted array job ${ids.array} (tasks 0-${f.tasks - 1}) and merge job ${ids.merge} (after ${ids.array})\n`);
}

/** Adds `slurm` to the bias-score program; `makeProgram` builds a fresh program to check the forwarded options. */
export function addSlurmCommand(program: Command, exit: ExitBox, makeProgram: (exit: ExitBox) => Command): void {
  program.command('slurm')
    .description('write (and with --submit, submit) the scoring run as a Slurm array job, one shard per task, and its merge job')
    .usage('<checkpoints> [bias-score options] --tasks N [--sbatch "<sbatch options>"] [--submit]')
    .requiredOption('--tasks <n>', 'array tasks, one shard of the checkpoints each', integerOption('--tasks', 1))
    .option('--sbatch <options>', 'further sbatch options for both jobs, e.g. "--partition=gpu --time=4:00:00 --mem=16G --gres=gpu:1"')
    .option('--submit', 'submit both jobs with sbatch and print their ids')
    .allowUnknownOption()
    .allowExcessArguments()
    .exitOverride()
    .action(async (f: SlurmFlags, cmd: Command) => {
      await runSlurm(makeProgram, [...cmd.args], f);
      exit.code = 0;
    });
}
