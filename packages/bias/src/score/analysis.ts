import { analyzeDynamics, type AnalyzeOptions, type DynamicsAnalysis } from '../dynamics/analyze.js';
import { analyzeCueDynamics } from '../dynamics/cue.js';
import { cuePoints, cueSpec } from '../report/cue-plot.js';
import { errorsSpec } from '../report/specs.js';
import { readErrorCsv } from '../dynamics/errors-csv.js';
import path from 'node:path';
import { plotSpecs, writePlotFiles, type PlotOptions, type PlotSpec } from '../report/render.js';
import { writeDynamicsOutputs } from '../report/write.js';
import type { ReportMeta } from '../report/markdown.js';
import { isEstimateRecord, type ResultRecord } from '../types.js';

/** A failure of one output stage, `analysis` (phases.json, report.md) or `plots`, with its cause. */
export class OutputStageError extends Error {
  constructor(readonly stage: 'analysis' | 'plots', cause: unknown) {
    super(`${stage}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'OutputStageError';
  }
}

async function staged<T>(stage: 'analysis' | 'plots', work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new OutputStageError(stage, err);
  }
}

export interface AnalysisOutputs {
  /** Files written (phases.json, report.md, plots). */
  files: string[];
  /** Whether the error curve had a phase split. */
  phases: boolean | null;
  /** A problem with the error curve (unreadable CSV, missing shape/texture factor), if any. */
  error?: string;
}

/**
 * The outputs that follow the scores: `plots/bias.*` always; with an error curve also the
 * learning-dynamics analysis (docs/method.md: `phases.json`, `report.md`, `plots/errors.*`,
 * `plots/scatter.*`). A bad error curve does not lose the bias plot: it is reported in `error`.
 */
export async function writeAnalysisOutputs(
  out: string,
  records: readonly ResultRecord[],
  errorsFile: string | undefined,
  meta: ReportMeta,
  dynamics: Pick<AnalyzeOptions, 'method' | 'smooth'> = {},
  plots: PlotOptions = {},
): Promise<AnalysisOutputs> {
  const files: string[] = [];
  if (records.length === 0) return { files, phases: null };
  const plotsDir = path.join(out, 'plots');
  // decision-only lines (a cue-conflict run without --probe) have no estimate to plot or correlate
  const estimates = records.filter(isEstimateRecord);
  const specsOf = (analysis?: DynamicsAnalysis): PlotSpec[] => [
    ...(estimates.length > 0 ? plotSpecs(estimates, analysis, plots) : analysis ? [{ name: 'errors', caption: 'Test error and its phases', spec: errorsSpec(analysis) }] : []),
    ...cuePlotSpecs(records),
  ];
  if (!errorsFile) {
    files.push(...(await staged('plots', () => writePlotFiles(plotsDir, specsOf()))));
    return { files, phases: null };
  }
  let analysis: DynamicsAnalysis;
  try {
    const curve = await readErrorCsv(errorsFile);
    analysis = analyzeDynamics(estimates, curve, dynamics);
    const cue = analyzeCueDynamics(records, analysis.curve, analysis.phases, analysis.options.smooth);
    if (cue) analysis.cue = cue;
  } catch (err) {
    files.push(...(await staged('plots', () => writePlotFiles(plotsDir, specsOf()))));
    return { files, phases: null, error: (err as Error).message };
  }
  const specs = await staged('plots', async () => specsOf(analysis));
  const figures = specs.map((p) => ({ caption: p.caption, path: `plots/${p.name}.png` }));
  const written = await staged('analysis', () => writeDynamicsOutputs(out, analysis, { ...meta, figures }));
  files.push(written.phases, written.report);
  files.push(...(await staged('plots', () => writePlotFiles(plotsDir, specs))));
  return { files, phases: analysis.phases !== null };
}

/** `plots/cue.*` when the records carry decision-level summaries with epochs. */
function cuePlotSpecs(records: readonly ResultRecord[]): PlotSpec[] {
  const points = cuePoints(records);
  return points.length > 0 ? [{ name: 'cue', caption: 'Decision-level shape bias on cue-conflict images', spec: cueSpec(points) }] : [];
}
