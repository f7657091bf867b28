/** The analysis outputs (phases.json, report.md), each written atomically: a killed run leaves the old file or the new one. */
import { join } from 'node:path';
import { writeFileAtomic } from '@shapetex/core';
import type { DynamicsAnalysis } from '../dynamics/analyze.js';
import { renderReport, type ReportMeta } from './markdown.js';

/** `phases.json`: the analysis as data (boundaries, per-phase r and Score per tap and method). */
export function phasesJson(analysis: DynamicsAnalysis): string {
  return `${JSON.stringify(analysis, null, 2)}\n`;
}

/**
 * Writes `outDir/phases.json` and `outDir/report.md`; returns their paths.
 */
export async function writeDynamicsOutputs(
  outDir: string,
  analysis: DynamicsAnalysis,
  meta: ReportMeta = {},
): Promise<{ phases: string; report: string }> {
  const phases = join(outDir, 'phases.json');
  const report = join(outDir, 'report.md');
  await writeFileAtomic(phases, phasesJson(analysis));
  await writeFileAtomic(report, renderReport(analysis, meta));
  return { phases, report };
}
