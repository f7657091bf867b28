export { initBackend, currentBackend, parseBackendName, BackendUnavailableError, BACKEND_NAMES } from './init.js';
export type { BackendName, BackendInfo, InitBackendOptions, TfjsBackendName } from './init.js';
export { checkOnnxOptions, CUDA_INSTALL_HINT, defaultOnnxThreads } from './onnx.js';
export { backendSettings, DEFAULT_BACKEND_SETTINGS, ENV_VARIABLES } from '../kernels/settings.js';
export type { BackendSettings } from '../kernels/settings.js';
