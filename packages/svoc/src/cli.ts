#!/usr/bin/env node
/**
 * The `svoc` command: `svoc build` (Stylized PASCAL VOC with AdaIN), `svoc merge` (the folders
 * of a sharded build joined), `svoc synth` (synthetic probe sets) and `svoc cue-conflict`
 * (cue-conflict sets from VOC). Exit codes as every shapetex command (docs/cli.md): 0 success,
 * 1 a failure while building or writing, 2 a usage error (a bad option; an input such as the
 * weights, the VOC folder or the image set that is missing or unreadable before any work; an
 * output folder in use by another build); a build stopped by Ctrl-C or SIGTERM exits with 130.
 */
import { Command, CommanderError } from 'commander';
import { exitCodeOf, VERSION } from '@shapetex/core';
import { registerBuildCommand } from './builder/command.js';
import { registerMergeCommand } from './builder/merge-command.js';
import { registerSlurmCommand } from './builder/slurm-command.js';
import { registerSynthCommand } from './synth/command.js';
import { registerCueConflictCommand } from './cue/command.js';

const program = new Command('svoc')
  .description('build Stylized PASCAL VOC (AdaIN) and synthetic probe sets for shapetex')
  .version(VERSION)
  .exitOverride()
  .showHelpAfterError(false)
  .addHelpText('after', '\nExit codes: 0 success; 1 a failure while building or writing; 2 usage error; 130 stopped by Ctrl-C.\nReference: docs/cli.md in the shapetex repository.');

registerBuildCommand(program);
registerMergeCommand(program);
registerSlurmCommand(program);
registerSynthCommand(program);
registerCueConflictCommand(program);

async function main(argv: string[]): Promise<number> {
  // Subcommands inherit exitOverride only if set before they are created, so set it on each.
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander with exit code 0.
      if (err.exitCode === 0) return 0;
      return 2;
    }
    process.stderr.write(`svoc: ${(err as Error).message}\n`);
    // By class (core's table): 2 usage or an --out in use, 130 stopped by a signal, else 1.
    return exitCodeOf(err);
  }
}

process.exitCode = await main(process.argv);
