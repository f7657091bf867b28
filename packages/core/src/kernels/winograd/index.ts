export { winogradConv2d, blockTiles, padInput, WINOGRAD_KERNEL } from './conv.js';
export type { WinogradOptions } from './conv.js';
export { planFilters, planWinograd, residentFilters, transformFilters, winogradEligible } from './plan.js';
export type { WinogradPlan } from './plan.js';
export { chooseTileSize, tileTransforms, TILE_SIZES } from './transforms.js';
export type { TileSize, TileTransforms } from './transforms.js';
export { winogradWat } from './wat.js';
