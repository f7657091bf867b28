/**
 * `bias-score filters`: the first-layer filter grid of every checkpoint as a PNG, an index of
 * them (`filters.json`), and optionally a sheet of chosen epochs side by side. A checkpoint that
 * cannot be read is recorded and the others are still drawn.
 */
import path from 'node:path';
import { UsageError, VERSION, writeFileAtomic } from '@shapetex/core';
import { CHECKPOINT_GLOBS, discoverCheckpoints, type CheckpointEntry } from '../score/discover.js';
import { checkpointName, compareCheckpoints } from '../score/epoch.js';
import { defaultEpochEntry } from '../score/score.js';
import { readPhasesJson } from '../report/read.js';
import { AnalysisError } from '../dynamics/errors.js';
import { filterGrid } from './grid.js';
import { firstConvKernels } from './read.js';
import { renderFilterGrid, renderGrids } from './render.js';
import { parseSheetEpochs, phaseSheetEpochs, pickSheetCheckpoints, type SheetEpoch } from './sheet.js';
import type { ConvKernels, FilterGrid, FilterGridOptions } from './types.js';

export interface FiltersOptions extends FilterGridOptions {
  /** Checkpoint files and folders (folders are searched as scoring does). */
  inputs: readonly string[];
  out: string;
  /** The weight to draw instead of the first convolution. */
  layer?: string;
  /** Sheet epochs, or `phases` (then `phases` names the phases.json or its folder). */
  at?: readonly number[] | 'phases' | string;
  phases?: string;
  log?: (line: string) => void;
}

/** One drawn checkpoint, as `filters.json` lists it. */
export interface FiltersEntry {
  checkpoint: string;
  file: string;
  epoch: number | null;
  layer: string;
  /** The weight's shape as stored ([O, I, kh, kw], or TF.js [kh, kw, I, O]). */
  shape: number[];
  layout: ConvKernels['layout'];
  /** PNG file name inside the output folder. */
  png: string;
  /** Where the grid lies in the PNG, and its layout (see FilterGrid). */
  grid: { x: number; y: number; columns: number; rows: number; tiles: number; scale: number; gap: number; tileWidth: number; tileHeight: number };
}

export interface FiltersSheet {
  png?: string;
  source: 'epochs' | 'phases';
  phases?: string;
  panels: { asked: number; epoch: number; checkpoint: string; label?: string; nearest: boolean; x: number; y: number }[];
  error?: string;
}

export interface FiltersSummary {
  tool: 'bias-score filters';
  version: string;
  out: string;
  checkpoints: FiltersEntry[];
  failures: { checkpoint: string; file: string; message: string }[];
  sheet?: FiltersSheet;
  exitCode: 0 | 1;
}

/** The sheet epochs of a phases.json (or the bias-score output folder holding one). */
async function readPhases(where: string): Promise<{ file: string; epochs: SheetEpoch[] }> {
  const read = await readPhasesJson(where);
  if (!read) throw new AnalysisError(`${where}: no phases.json there; expected a phases.json or a bias-score output folder holding one (made with --errors)`);
  return { file: read.file, epochs: phaseSheetEpochs(read.analysis, read.file) };
}

/** A file name part from a checkpoint's name: safe on every file system. */
function pngName(entry: CheckpointEntry, taken: Set<string>): string {
  const base = `filters_${checkpointName(entry.checkpoint).replace(/[^A-Za-z0-9._-]+/g, '_')}`;
  let name = `${base}.png`;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}.png`;
  taken.add(name);
  return name;
}

function storedShape(k: ConvKernels): number[] {
  return k.layout === 'oihw' ? [k.out, k.in, k.kh, k.kw] : [k.kh, k.kw, k.in, k.out];
}

function epochText(epoch: number | null): string {
  return epoch === null ? 'epoch unknown' : `epoch ${epoch}`;
}

/** All checkpoints of the inputs, each once, in the scoring run's order; a missing input is a usage error. */
async function gather(inputs: readonly string[]): Promise<CheckpointEntry[]> {
  const seen = new Map<string, CheckpointEntry>();
  for (const input of inputs) {
    const { checkpoints } = await discoverCheckpoints(input, { readEpochEntry: defaultEpochEntry })
      .catch((err: Error) => { throw new UsageError(err.message, { cause: err }); });
    for (const c of checkpoints) if (!seen.has(c.path)) seen.set(c.path, c);
  }
  return [...seen.values()].sort(compareCheckpoints);
}

/**
 * Draws `<out>/filters_<name>.png` for every checkpoint of `inputs`, `<out>/sheet.png` when
 * `at` is given, and `<out>/filters.json`. Exit code 1 when a checkpoint failed or the sheet
 * could not be made; bad options (an unreadable `--at`, `phases` without a phases file, a missing
 * input, no checkpoint found) throw a UsageError (exit 2).
 */
export async function runFilters(options: FiltersOptions): Promise<FiltersSummary> {
  const log = options.log ?? (() => {});
  const at = typeof options.at === 'string' ? parseSheetEpochs(options.at) : options.at;
  if (at === 'phases' && options.phases === undefined) throw new UsageError('--at phases needs --phases <phases.json or bias-score output folder>');
  const entries = await gather(options.inputs);
  if (entries.length === 0) throw new UsageError(`no checkpoint found in ${options.inputs.map((i) => path.resolve(i)).join(', ')}: searched for ${CHECKPOINT_GLOBS.join(' and ')}`);
  const gridOpts: FilterGridOptions = {
    ...(options.scale !== undefined ? { scale: options.scale } : {}),
    ...(options.gap !== undefined ? { gap: options.gap } : {}),
    ...(options.gapColor !== undefined ? { gapColor: options.gapColor } : {}),
    ...(options.columns !== undefined ? { columns: options.columns } : {}),
  };

  const summary: FiltersSummary = { tool: 'bias-score filters', version: VERSION, out: path.resolve(options.out), checkpoints: [], failures: [], exitCode: 0 };
  const grids = new Map<string, FilterGrid>();
  const taken = new Set<string>();
  for (const entry of entries) {
    try {
      const kernels = await firstConvKernels(entry.path, options.layer !== undefined ? { layer: options.layer } : {});
      const grid = filterGrid(kernels, gridOpts);
      const caption = [entry.checkpoint, `${epochText(entry.epoch)} · ${kernels.key} (${kernels.out} kernels, ${kernels.kh}×${kernels.kw})`];
      const image = await renderFilterGrid(grid, caption);
      const png = pngName(entry, taken);
      await writeFileAtomic(path.join(options.out, png), image.png);
      grids.set(entry.path, grid);
      const { x, y } = image.grids[0]!;
      summary.checkpoints.push({
        checkpoint: entry.checkpoint, file: entry.path, epoch: entry.epoch, layer: kernels.key, shape: storedShape(kernels), layout: kernels.layout, png,
        grid: { x, y, columns: grid.columns, rows: grid.rows, tiles: grid.tiles, scale: grid.scale, gap: grid.gap, tileWidth: grid.tileWidth, tileHeight: grid.tileHeight },
      });
      log(`bias-score filters: ${entry.checkpoint} (${epochText(entry.epoch)}) → ${png}`);
    } catch (err) {
      const message = (err as Error).message;
      summary.failures.push({ checkpoint: entry.checkpoint, file: entry.path, message });
      log(`bias-score filters: FAILED ${entry.path}: ${message}`);
    }
  }

  if (at !== undefined) summary.sheet = await drawSheet(options, at, summary.checkpoints, grids, log);
  await writeFileAtomic(path.join(options.out, 'filters.json'), `${JSON.stringify(summary, null, 2)}\n`);
  summary.exitCode = summary.failures.length > 0 || summary.sheet?.error !== undefined ? 1 : 0;
  return summary;
}

/** `<out>/sheet.png`; a sheet that cannot be made is returned with its error, not thrown. */
async function drawSheet(options: FiltersOptions, at: readonly number[] | 'phases', drawn: FiltersEntry[], grids: Map<string, FilterGrid>, log: (line: string) => void): Promise<FiltersSheet> {
  const source = at === 'phases' ? 'phases' : 'epochs';
  const sheet: FiltersSheet = { source, panels: [] };
  try {
    let asked: SheetEpoch[];
    if (at === 'phases') {
      const read = await readPhases(options.phases!);
      sheet.phases = read.file;
      asked = read.epochs;
    } else {
      asked = at.map((epoch) => ({ epoch }));
    }
    const picks = pickSheetCheckpoints(asked, drawn, at === 'phases');
    for (const p of picks) {
      if (p.nearest) log(`bias-score filters: no checkpoint of epoch ${p.asked} (${p.label}); the sheet shows the nearest, epoch ${p.entry.epoch}`);
    }
    const panels = picks.map((p) => {
      const head = `epoch ${p.entry.epoch}${p.nearest ? ` (nearest to ${p.asked})` : ''}${p.label !== undefined ? ` · ${p.label}` : ''}`;
      return { grid: grids.get(p.entry.file)!, caption: [head, checkpointName(p.entry.checkpoint)] };
    });
    const image = await renderGrids(panels);
    await writeFileAtomic(path.join(options.out, 'sheet.png'), image.png);
    sheet.png = 'sheet.png';
    sheet.panels = picks.map((p, i) => ({
      asked: p.asked, epoch: p.entry.epoch!, checkpoint: p.entry.checkpoint, ...(p.label !== undefined ? { label: p.label } : {}), nearest: p.nearest, ...image.grids[i]!,
    }));
    log(`bias-score filters: sheet of epochs ${picks.map((p) => p.entry.epoch).join(', ')} → sheet.png`);
  } catch (err) {
    sheet.error = (err as Error).message;
    log(`bias-score filters: FAILED sheet: ${sheet.error}`);
  }
  return sheet;
}
