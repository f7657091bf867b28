#!/usr/bin/env node
/**
 * The `bias-score` command (docs/cli.md). Exit codes, the same for every subcommand: 0 success;
 * 1 a checkpoint or input failed (the others still processed, the failure recorded in
 * errors.jsonl); 2 usage error (bad option, missing --probe, a problem found before the first
 * forward pass, options that contradict an existing output folder).
 */
import { CommanderError } from 'commander';
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
    // By name: run.js is loaded lazily, so its class may not be the one imported here.
    if (err instanceof Error && err.name === 'UsageError') {
      process.stderr.write(`bias-score: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`bias-score: ${(err as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
