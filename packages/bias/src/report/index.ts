export { renderReport, phaseTable, formatR, formatEpochRange } from './markdown.js';
export type { ReportMeta } from './markdown.js';
export { phasesJson, writeDynamicsOutputs } from './write.js';
export { PLOT_WIDTH, PLOT_HEIGHT, biasPoints, biasSpec, errorsSpec, scatterSpec, primaryGroup, phaseOf } from './specs.js';
export type { BiasPoint } from './specs.js';
export { renderSvg, svgToPng, writePlots } from './render.js';
