/**
 * A command that must not start because of how it was called: a bad option value, an input
 * that is missing or unreadable before any work began, options that contradict an existing
 * output folder. Every shapetex command exits with 2 on one (docs/cli.md, "Exit codes"); other
 * failures exit with 1. Recognised by `name` as well as by class, since the CLIs load modules
 * lazily and a copy of the class may come from another instance of the package.
 */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** Whether `err` is a {@link UsageError} (by name, see there). */
export function isUsageError(err: unknown): err is UsageError {
  return err instanceof Error && err.name === 'UsageError';
}
