/**
 * Errors of the architecture zoo. A state_dict that does not fit an architecture is reported in
 * one error that lists every missing key, every unexpected key and every shape mismatch, so a
 * user sees the whole difference at once instead of fixing one key per run.
 */
import { CheckpointError } from '../io/errors.js';

/** A state_dict that does not fit an architecture: every missing, unexpected and misshapen key (a {@link CheckpointError}; the file is not known here). */
export class ArchitectureMismatchError extends CheckpointError {
  constructor(
    readonly arch: string,
    readonly missing: string[],
    readonly unexpected: string[],
    readonly mismatched: { key: string; expected: number[]; found: number[] }[],
  ) {
    const list = (xs: string[]): string => (xs.length > 8 ? `${xs.slice(0, 8).join(', ')}, … (${xs.length})` : xs.join(', '));
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys: ${list(missing)}`);
    if (unexpected.length) parts.push(`unexpected keys: ${list(unexpected)}`);
    if (mismatched.length) {
      parts.push(`shape mismatches: ${list(mismatched.map((m) => `${m.key} expected [${m.expected.join(', ')}] found [${m.found.join(', ')}]`))}`);
    }
    super(null, `state_dict does not fit ${arch}: ${parts.join('; ')}`);
    this.name = 'ArchitectureMismatchError';
  }
}

export { ArchitectureMismatchError as StateDictMismatchError };

/** No registered architecture fits a state_dict, or a requested name is not registered; a {@link CheckpointError} of `source`. */
export class UnknownArchitectureError extends CheckpointError {
  constructor(
    /** What was being loaded (a file path, or `state_dict`). */
    readonly source: string,
    /** Registered names, for the hint. */
    readonly known: string[],
    /** The name asked for, when the failure is an unknown name rather than a failed detection. */
    readonly requested?: string,
    /** A few of the state_dict's keys, to show what it looks like. */
    readonly sampleKeys: string[] = [],
  ) {
    super(
      source,
      requested !== undefined
        ? `unknown architecture ${JSON.stringify(requested)}; known: ${known.join(', ')}`
        : `no known architecture fits this state_dict (first keys: ${sampleKeys.join(', ') || 'none'}); ` +
          `pass --arch / { arch } with one of: ${known.join(', ')}`,
    );
    this.name = 'UnknownArchitectureError';
  }
}
