/**
 * Rendering Vega-Lite specs without a browser: vega-lite compiles to Vega, Vega's headless
 * View renders SVG (text measured by its built-in estimator, no canvas), sharp (librsvg)
 * rasterizes the SVG to PNG with the system's fonts.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';

// vega and vega-lite take about 0.4 s to load: only a command that draws pays for them, not
// every bias-score start (nor every test that imports the package).
const vegaModules = (): Promise<[typeof import('vega'), typeof import('vega-lite')]> => Promise.all([import('vega'), import('vega-lite')]);
import type { DynamicsAnalysis } from '../dynamics/analyze.js';
import type { ResultRecord } from '../types.js';
import { dynamicsSpec } from './dynamics-figure.js';
import { scatterSpec } from './scatter.js';
import { biasPoints, biasSpec, errorsSpec, layerPoints, layersSpec } from './specs.js';
import { writeFileAtomic } from '@shapetex/core';
import { BIAS_DEFAULTS } from '../defaults.js';

/** Compiles a Vega-Lite spec and renders it to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // vega-lite's warnings would land on the CLI's stderr mid-progress; the specs are ours
  const [{ logger, None, parse, View }, { compile }] = await vegaModules();
  const quiet = logger(None);
  const vg = compile(spec, { logger: quiet }).spec;
  const view = new View(parse(vg), { renderer: 'none', logger: quiet });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterizes an SVG to PNG at its own pixel size (density 72 = 1 px per SVG unit). */
export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 }).png().toBuffer();
}

/** A plot of an output folder: file stem under `plots/`, caption for the report, spec. */
export interface PlotSpec {
  name: string;
  caption: string;
  spec: TopLevelSpec;
}

/** Options of the plots of an output folder. */
export interface PlotOptions {
  /** Draw the residual fraction too (CLI `--plot-residual`; default false). */
  residual?: boolean;
}

/**
 * The plots of an output folder: `bias` always (every factor, one panel per tap); `layers`
 * (every tap's shape and texture biases, the thesis's Fig. 6.1) when more than one tap was
 * scored; with an analysis also `dynamics` (error and biases on one epoch axis), `errors` and
 * `scatter`.
 */
export function plotSpecs(records: readonly ResultRecord[], analysis?: DynamicsAnalysis, opts: PlotOptions = {}): PlotSpec[] {
  const points = { residual: opts.residual ?? BIAS_DEFAULTS.plotResidual };
  const specs: PlotSpec[] = [{ name: 'bias', caption: 'Fraction of units per factor over epochs', spec: biasSpec(biasPoints(records, points)) }];
  const layers = layerPoints(records);
  if (layers.taps.length > 1) specs.push({ name: 'layers', caption: 'Per-layer shape and texture fractions over epochs', spec: layersSpec(layers) });
  if (analysis) {
    specs.push(
      { name: 'dynamics', caption: 'Test error and biases over training, phases shaded', spec: dynamicsSpec(analysis, records, points) },
      { name: 'errors', caption: 'Test error and its phases', spec: errorsSpec(analysis) },
      { name: 'scatter', caption: 'Test error against the smoothed biases, by phase, with r and least-squares lines', spec: scatterSpec(analysis) },
    );
  }
  return specs;
}

/** Renders each plot to `dir/<name>.svg` and `dir/<name>.png`; returns the paths written. */
export async function writePlotFiles(dir: string, specs: readonly PlotSpec[]): Promise<string[]> {
  const written: string[] = [];
  for (const { name, spec } of specs) {
    const svg = await renderSvg(spec);
    const png = await svgToPng(svg);
    const svgPath = join(dir, `${name}.svg`);
    const pngPath = join(dir, `${name}.png`);
    await writeFileAtomic(svgPath, svg);
    await writeFileAtomic(pngPath, png);
    written.push(svgPath, pngPath);
  }
  return written;
}

/**
 * Writes `outDir/plots/<name>.svg|png` for every plot of {@link plotSpecs}. Returns the paths
 * written.
 */
export async function writePlots(outDir: string, records: readonly ResultRecord[], analysis?: DynamicsAnalysis, opts: PlotOptions = {}): Promise<string[]> {
  return writePlotFiles(join(outDir, 'plots'), plotSpecs(records, analysis, opts));
}
