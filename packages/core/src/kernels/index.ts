export { loadConvKernels, convKernels, convKernelsInUse, convKernelsStatus, winogradKernels, im2colKernels, winogradWanted, im2colWanted, fmaInUse } from './module.js';
export type { ConvKernels } from './module.js';
export { resident, releaseResident, residentBytes, allocAligned } from './arena.js';
export { kernelsWat, MR } from './wat.js';
export * from './winograd/index.js';
export * from './im2col/index.js';
