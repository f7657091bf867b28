/**
 * @shapetex/core — tensors, images and weights. Knows nothing of shape, texture, VOC or phases.
 */
export * from './backend/index.js';
export * from './util/index.js';
export * from './image/index.js';
export * from './io/index.js';
export * from './zoo/index.js';
export * from './features/index.js';
export * from './pool/index.js';
export * from './onnx/index.js';
// the one convolution entry point (it picks shapetex's wasm kernels or tfjs's convolution)
export { planConv, applyConvPlan, releaseConvPlan } from './kernels/conv.js';
export type { ConvSpec, ConvPlan, ConvRunOptions, PaddingMode } from './kernels/conv.js';
export { VERSION } from './version.js';
export { CORE_DEFAULTS } from './defaults.js';
// ONNX Runtime as an engine (backend `onnx`): sessions on models held in memory
export { loadOnnxRuntime, createOnnxSession, nhwcToNchw, ONNX_DEVICES } from './onnx/runtime.js';
export type { OnnxDevice, OnnxSession, OnnxSessionOptions, OnnxOutput } from './onnx/runtime.js';
