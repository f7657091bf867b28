/**
 * The one error every checkpoint reader throws for a file it cannot read: bad magic, truncation,
 * sizes that do not fit the file, unsupported dtypes, malformed pickles. `file` is the path (or
 * `<bytes>` for an in-memory buffer) so a folder scan can record which checkpoint failed.
 */
export class CheckpointError extends Error {
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = 'CheckpointError';
    this.file = file;
  }
}
