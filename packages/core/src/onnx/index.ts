export { loadOnnxRuntime, createOnnxSession, nhwcToNchw, ONNX_DEVICES } from './runtime.js';
export type { OnnxDevice, OnnxSession, OnnxSessionOptions, OnnxOutput } from './runtime.js';
export { node, floatTensor, int64Tensor, valueInfo, encodeModel, OPSET, IR_VERSION } from './proto.js';
export type { INodeProto, ITensorProto, IValueInfoProto, GraphParts, AttributeValue, FloatAttr } from './proto.js';
