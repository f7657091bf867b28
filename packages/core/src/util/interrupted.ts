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

/**
 * The CLIs' stop on Ctrl-C or SIGTERM: the first signal writes `notice` to stderr and aborts
 * the returned signal, so the run stops after the unit of work in progress with everything done
 * recorded; a second signal exits at once with 130. `dispose` removes the handlers.
 */
export function stopOnSignals(notice: string): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const stop = (): void => {
    if (ac.signal.aborted) process.exit(130);
    process.stderr.write(`\n${notice}\n`);
    ac.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
