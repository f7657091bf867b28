/**
 * A command that must not start because of how it was called: a bad option value, an input
 * that is missing or unreadable before any work began, options that contradict an existing
 * output folder. Every shapetex command exits with 2 on one (docs/cli.md, "Exit codes", and
 * {@link exitCodeOf}); other failures exit with 1. Recognised by class only: an Error that
 * merely carries the name `UsageError` is not one.
 */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** Whether `err` is a {@link UsageError} (by class, never by name). */
export function isUsageError(err: unknown): err is UsageError {
  return err instanceof UsageError;
}
