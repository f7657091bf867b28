/**
 * A long run (an `svoc build`, an `svoc cue-conflict`) stopped by its abort signal (Ctrl-C or
 * SIGTERM) after recording what it had done; the same command resumes it. The CLIs exit with
 * 130, the shell's code for SIGINT ({@link exitCodeOf}).
 */
export class InterruptedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InterruptedError';
  }
}
