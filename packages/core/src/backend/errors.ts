/** Raised when an explicitly requested backend cannot be had; says why and what to install. */
export class BackendUnavailableError extends Error {
  constructor(public readonly backend: string, reason: string) {
    super(`backend '${backend}' is not available: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}
