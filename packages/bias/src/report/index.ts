export { renderReport, phaseTable, formatR, formatEpochRange } from './markdown.js';
export type { ReportMeta } from './markdown.js';
export { phasesJson, writeDynamicsOutputs } from './write.js';
export { PLOT_WIDTH, PLOT_HEIGHT, biasPoints, biasSpec, errorsSpec, scatterSpec, primaryGroup, phaseOf, layerPoints, layersSpec } from './specs.js';
export type { BiasPoint, LayerPoint } from './specs.js';
export { renderSvg, svgToPng, writePlots, writePlotFiles, plotSpecs } from './render.js';
export type { PlotSpec } from './render.js';
export { isCompleteAnalysis, readPhasesJson } from './read.js';
