/**
 * The base of every error that means "this checkpoint cannot be read or built": the readers'
 * own (bad magic, truncation, sizes that do not fit the file, unsupported dtypes, malformed
 * pickles), a read over its memory budget ({@link CheckpointMemoryError}), a state_dict that fits
 * no architecture or not the one asked for, a TF.js model that cannot be loaded. A caller that
 * scores many checkpoints catches this one class to record the file and go on. `file` is the
 * path (or `<bytes>` for an in-memory buffer) and prefixes the message; `null` where the error
 * arises from a state_dict in memory, before any file is known, and the message is kept as given.
 */
export class CheckpointError extends Error {
  readonly file: string | null;
  constructor(file: string | null, message: string, options?: { cause?: unknown }) {
    super(file === null ? message : `${file}: ${message}`, options);
    this.name = 'CheckpointError';
    this.file = file;
  }
}
