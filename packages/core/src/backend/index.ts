export { initBackend, currentBackend, parseBackendName, BackendUnavailableError, BACKEND_NAMES } from './init.js';
export type { BackendName, BackendInfo, InitBackendOptions } from './init.js';
