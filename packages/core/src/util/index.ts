export { createRng } from './random.js';
export type { Rng } from './random.js';
export { acquireOutputLock, isStaleLock, LOCK_FILE, OutputLockedError } from './lock.js';
export type { LockHolder, OutputLock } from './lock.js';
export { UsageError, isUsageError } from './usage-error.js';
export { InterruptedError } from './interrupted.js';
export { exitCodeOf } from './exit-code.js';
export type { FailureExitCode } from './exit-code.js';
