/**
 * Errors of reading a probe set or a cue-conflict set, for callers that read one and want to
 * tell "this set is unusable" from other failures. `bias-score` turns either into a usage error
 * (`--probe: …`, `--cue-conflict: …`, exit 2); a library caller catches {@link ProbeSetError}.
 */

/** A probe set or cue-conflict set that cannot be read or is invalid: no such folder, no images, listed images missing. */
export class ProbeSetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProbeSetError';
  }
}

/**
 * A `manifest.json` that cannot be read, is not JSON, or has a field that is missing or
 * malformed; a {@link ProbeSetError}, since such a set cannot be read. `file` names the manifest
 * and prefixes the message.
 */
export class ManifestError extends ProbeSetError {
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = 'ManifestError';
    this.file = file;
  }
}
