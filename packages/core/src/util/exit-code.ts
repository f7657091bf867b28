/**
 * The exit code of a failed command, decided by the error's class (docs/cli.md, "Exit codes"),
 * the one table every shapetex CLI uses: 2 for a usage error (nothing was started) and for an
 * output folder held by another process; 130 for a run stopped by its signal; 1 for anything
 * else (a checkpoint, input or analysis that failed). Classes only: an error's `name` or message
 * never decides, so a plain Error named 'UsageError' exits with 1. Argument errors of the CLI
 * parser (commander) are the CLI's own to map, before this.
 */
import { InterruptedError } from './interrupted.js';
import { OutputLockedError } from './lock.js';
import { UsageError } from './usage-error.js';

/** The exit codes of docs/cli.md for a failure; 0 (success) is never an error's. */
export type FailureExitCode = 1 | 2 | 130;

export function exitCodeOf(err: unknown): FailureExitCode {
  if (err instanceof UsageError || err instanceof OutputLockedError) return 2;
  if (err instanceof InterruptedError) return 130;
  return 1;
}
