export { winogradConv2d, blockTiles, WINOGRAD_KERNEL } from './conv.js';
export { loadWinogradKernels, winogradKernels, winogradStatus, winogradWanted } from './module.js';
export type { WinogradKernels } from './module.js';
export { planFilters, planWinograd, transformFilters, winogradEligible } from './plan.js';
export type { WinogradPlan } from './plan.js';
export { chooseTileSize, tileTransforms, TILE_SIZES } from './transforms.js';
export type { TileSize, TileTransforms } from './transforms.js';
export { winogradWat, MR } from './wat.js';
