#!/usr/bin/env node
/**
 * The `svoc` command: `svoc build` (Stylized PASCAL VOC with AdaIN), `svoc synth` (synthetic
 * probe sets) and `svoc cue-conflict` (cue-conflict sets from VOC). Usage errors exit with 2,
 * failures while building or writing with 1, matching `bias-score` (an output folder in use by
 * another build is a usage error too); a build stopped by Ctrl-C or SIGTERM exits with 130.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '@shapetex/core';
import { registerBuildCommand } from './build/command.js';
import { registerSynthCommand } from './synth/command.js';
import { registerCueConflictCommand } from './cue/command.js';

const program = new Command('svoc')
  .description('build Stylized PASCAL VOC (AdaIN) and synthetic probe sets for shapetex')
  .version(VERSION)
  .exitOverride()
  .showHelpAfterError(false);

registerBuildCommand(program);
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
    if ((err as Error).name === 'OutputLockedError') return 2;
    // Interrupted by a signal (svoc build stops cleanly): the shell's 128 + SIGINT.
    return (err as Error).name === 'AbortError' ? 130 : 1;
  }
}

process.exitCode = await main(process.argv);
