export { loadConvKernels, convKernels, convKernelsInUse, convKernelsStatus, winogradKernels, im2colKernels, winogradWanted, im2colWanted, fmaInUse } from './module.js';
export type { ConvKernels } from './module.js';
export { resident, releaseResident, residentBytes, allocAligned } from './arena.js';
export { kernelsWat, MR } from './wat.js';
export * from './winograd/index.js';
export * from './im2col/index.js';
export { planConv, applyConvPlan, releaseConvPlan, silu } from './conv.js';
export type { ConvSpec, ConvPlan, ConvRunOptions, PaddingMode, Activation, ResidualAdd } from './conv.js';
