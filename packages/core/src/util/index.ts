export { createRng } from './random.js';
export type { Rng } from './random.js';
export { acquireOutputLock, isStaleLock, LOCK_FILE, OutputLockedError } from './lock.js';
export type { LockHolder, OutputLock } from './lock.js';
export { UsageError, isUsageError } from './usage-error.js';
export { writeFileAtomic, writeJsonAtomic, copyFileAtomic } from './atomic.js';
export { createProgress, formatDuration, progressBar, redrawnLine } from './progress.js';
export type { DurationStyle, Progress, ProgressOptions, ProgressStream } from './progress.js';
