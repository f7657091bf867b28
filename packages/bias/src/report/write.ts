/** Atomic writers for the analysis outputs: a killed run leaves the old file or the new one. */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DynamicsAnalysis } from '../dynamics/analyze.js';
import { renderReport, type ReportMeta } from './markdown.js';

/** Writes to a temporary name beside `file`, then renames over it. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(`cannot write ${file}: ${(err as Error).message}`);
  }
}

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
