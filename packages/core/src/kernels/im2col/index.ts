export { im2colConv2d, blockRows, IM2COL_KERNEL } from './conv.js';
export { im2colEligible, packFilters, planIm2col, residentIm2col } from './plan.js';
export type { Im2colPlan } from './plan.js';
export { im2colWat } from './wat.js';
