/**
 * The learning-dynamics analysis cannot be done on what it was given: an error curve (the
 * `--errors` CSV) that cannot be read or is malformed, series that do not fit one another
 * (lengths, non-finite values, epochs that do not increase), a phases.json without the curve or
 * phases it needs. Bad option values (a window, a method) are RangeErrors instead. `bias-score`
 * checks the curve before the first forward pass and reports it as a usage error (exit 2); an
 * analysis that fails after the scores is recorded in errors.jsonl (exit 1).
 */
export class AnalysisError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AnalysisError';
  }
}
