#!/usr/bin/env node
/**
 * The `bias-score` command (docs/cli.md). Exit codes, the same for every subcommand: 0 success;
 * 1 a checkpoint or input failed (the others still processed, the failure recorded in
 * errors.jsonl); 2 usage error (bad option, missing --probe, a problem found before the first
 * forward pass, options that contradict an existing output folder).
 */
import { CommanderError } from 'commander';
import { exitCodeOf } from '@shapetex/core';
import { createProgram } from './cli/program.js';
import type { ExitBox } from './cli/exit.js';

async function main(argv: string[]): Promise<number> {
  const exit: ExitBox = { code: 0 };
  const program = createProgram(exit);
  try {
    await program.parseAsync(argv);
    return exit.code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(`bias-score: ${(err as Error).message}\n`);
    // By class (core's table): 2 usage or an --out in use, 130 stopped by a signal, else 1.
    return exitCodeOf(err);
  }
}

process.exitCode = await main(process.argv);
