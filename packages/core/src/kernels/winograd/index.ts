export { winogradConv2d, blockTiles } from './conv.js';
export { loadWinogradKernels, winogradKernels, winogradStatus, winogradWanted } from './module.js';
export type { WinogradKernels } from './module.js';
export { planWinograd, winogradEligible } from './plan.js';
export type { WinogradPlan } from './plan.js';
export { winogradWat } from './wat.js';
