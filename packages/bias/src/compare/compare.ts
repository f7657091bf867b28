/**
 * `bias-score compare`: several runs' outputs → one report (ablation tables per tap, overlay
 * plots of the biases and error curves, per-layer figures of runs scored with several taps).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, VERSION, writeFileAtomic } from '@shapetex/core';
import { writePlotFiles, type PlotSpec } from '../report/render.js';
import { layerPoints, layersSpec } from '../report/specs.js';
import { readComparedRun, runLabels } from './read.js';
import { compareBiasSpec, compareErrorsSpec } from './specs.js';
import { compareCuePoints, compareCueSpec } from './cue.js';
import { compareData } from './table.js';
import { compareCsv, renderComparison } from './text.js';
import type { ComparedRun, Comparison } from './types.js';

export interface CompareOptions {
  /** bias-score output folders, one per run. */
  inputs: readonly string[];
  /** Names of the runs (default: the folders' names). */
  labels?: readonly string[];
  /** Folder for compare.md, compare.csv, compare.json and plots/. */
  out: string;
}

export interface CompareSummary extends Comparison {
  out: string;
  files: string[];
}

/** File-name-safe form of a tap or label. */
function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * Reads every run (a folder that is not a bias-score output is a {@link UsageError} naming it),
 * builds the tables and writes `compare.md`, `compare.csv`, `compare.json` and the plots:
 * `plots/bias_<tap>[_<method>]` per table, `plots/errors` when any run has an error curve, and
 * `plots/layers_<run>` for each run scored with more than one tap.
 */
export async function compareRuns(opts: CompareOptions): Promise<CompareSummary> {
  if (opts.inputs.length === 0) throw new UsageError('compare: give at least one bias-score output folder');
  const labels = runLabels(opts.inputs, opts.labels);
  const runs: ComparedRun[] = [];
  for (const [i, dir] of opts.inputs.entries()) runs.push(await readComparedRun(dir, labels[i]!));
  const data = compareData(runs);

  const out = path.resolve(opts.out);
  await mkdir(out, { recursive: true });
  const methodsPerTap = (tap: string) => data.tables.filter((t) => t.tap === tap).length;
  // the decision-level table has its own overlay (cue_shape_bias), not the fractions' plot
  const plots: PlotSpec[] = data.tables.filter((t) => t.method !== 'decision').map((t) => ({
    name: `bias_${slug(t.tap)}${methodsPerTap(t.tap) > 1 ? `_${t.method}` : ''}`,
    caption: `Biases of every run, tap ${t.tap} (${t.method})`,
    spec: compareBiasSpec(runs, t.tap, t.method),
  }));
  const cue = compareCuePoints(runs);
  if (cue.length > 0) plots.push({ name: 'cue', caption: 'Decision-level shape bias of every run', spec: compareCueSpec(cue) });
  if (runs.some((r) => r.analysis)) plots.push({ name: 'errors', caption: 'Test error of every run', spec: compareErrorsSpec(runs) });
  for (const r of runs) {
    const layers = layerPoints(r.records);
    if (layers.taps.length > 1) {
      plots.push({ name: `layers_${slug(r.label)}`, caption: `Per-layer biases of ${r.label}`, spec: layersSpec(layers, `Shape and texture fractions of every tap, ${r.label}`) });
    }
  }
  const files = await writePlotFiles(path.join(out, 'plots'), plots);
  const figures = plots.map((p) => ({ caption: p.caption, path: `plots/${p.name}.png` }));
  const md = path.join(out, 'compare.md');
  const csv = path.join(out, 'compare.csv');
  const json = path.join(out, 'compare.json');
  await writeFileAtomic(md, renderComparison(data, figures, { version: VERSION, generatedAt: new Date().toISOString() }));
  await writeFileAtomic(csv, compareCsv(data));
  await writeFileAtomic(json, `${JSON.stringify(data, null, 2)}\n`);
  return { ...data, out, files: [md, csv, json, ...files] };
}
