import { analyzeDynamics, type AnalyzeOptions } from '../dynamics/analyze.js';
import { readErrorCsv } from '../dynamics/errors-csv.js';
import path from 'node:path';
import { plotSpecs, writePlotFiles } from '../report/render.js';
import { writeDynamicsOutputs } from '../report/write.js';
import type { ReportMeta } from '../report/markdown.js';
import type { ResultRecord } from '../types.js';

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
 * learning-dynamics analysis (SPEC §7: `phases.json`, `report.md`, `plots/errors.*`,
 * `plots/scatter.*`). A bad error curve does not lose the bias plot: it is reported in `error`.
 */
export async function writeAnalysisOutputs(
  out: string,
  records: readonly ResultRecord[],
  errorsFile: string | undefined,
  meta: ReportMeta,
  dynamics: Pick<AnalyzeOptions, 'method' | 'smooth'> = {},
): Promise<AnalysisOutputs> {
  const files: string[] = [];
  if (records.length === 0) return { files, phases: null };
  if (!errorsFile) {
    files.push(...(await writePlotFiles(path.join(out, 'plots'), plotSpecs(records))));
    return { files, phases: null };
  }
  let analysis;
  try {
    const curve = await readErrorCsv(errorsFile);
    analysis = analyzeDynamics(records, curve, dynamics);
  } catch (err) {
    files.push(...(await writePlotFiles(path.join(out, 'plots'), plotSpecs(records))));
    return { files, phases: null, error: (err as Error).message };
  }
  const plots = plotSpecs(records, analysis);
  const figures = plots.map((p) => ({ caption: p.caption, path: `plots/${p.name}.png` }));
  const written = await writeDynamicsOutputs(out, analysis, { ...meta, figures });
  files.push(written.phases, written.report);
  files.push(...(await writePlotFiles(path.join(out, 'plots'), plots)));
  return { files, phases: analysis.phases !== null };
}
