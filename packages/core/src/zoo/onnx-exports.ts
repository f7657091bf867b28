/** The public names of user-supplied ONNX models (re-exported by zoo/index.ts). */
export { isOnnxModelPath, loadOnnxFile, loadBoundOnnx, onnxGraph } from './onnx-load.js';
export { onnxFileFeatureModel, onnxTapNames } from './onnx-file-model.js';
export type { OnnxModelOptions } from './onnx-file-model.js';
export { onnxGraphInfo } from './onnx-inspect.js';
export type { OnnxGraphInfo, OnnxTapCandidate } from './onnx-inspect.js';
export { readOnnxModel, decodeModel } from '../onnx/model-file.js';
export type { OnnxModelFile } from '../onnx/model-file.js';
export { bindStateDict, NAMES_PRESERVING_EXPORT } from '../onnx/bind.js';
export { OnnxModelError, OnnxUnsafeError, OnnxBindingError, OnnxTapError } from '../onnx/errors.js';
export type { BindingProblem } from '../onnx/errors.js';
export { ONNX_LIMITS } from '../onnx/limits.js';
export { STANDARD_DOMAINS, checkModelSafety } from '../onnx/safety.js';
export { reduceTap, tapCandidates } from '../onnx/taps.js';
