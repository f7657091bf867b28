/** The per-phase table of `report.md` and the number formats every report section shares. */
import type { PhaseCorrelation } from '../dynamics/types.js';

/** r and Score to 3 decimals; N/A where undefined. */
export function formatR(v: number | null): string {
  return v === null ? 'N/A' : v.toFixed(3);
}

/** "2–12" (en dash, as in the thesis); N/A when the phase does not exist. */
export function formatEpochRange(c: Pick<PhaseCorrelation, 'startEpoch' | 'endEpoch'>): string {
  return c.startEpoch === null || c.endEpoch === null ? 'N/A' : `${c.startEpoch}–${c.endEpoch}`;
}

/** "0.944 [0.612, 0.993]": a figure and its 95% interval; N/A where the figure is, "[N/A]" where only the interval is. */
export function formatWithInterval(v: number | null, ci: readonly [number, number] | null | undefined): string {
  if (v === null) return 'N/A';
  return ci ? `${formatR(v)} [${formatR(ci[0])}, ${formatR(ci[1])}]` : `${formatR(v)} [N/A]`;
}

/**
 * Markdown rows `| phase | epochs | n | shape r [95% CI] | texture r [95% CI] | Score [95% CI] |`,
 * one per phase.
 */
export function phaseTable(correlations: readonly PhaseCorrelation[]): string {
  const rows = correlations.map(
    (c) =>
      `| ${c.phase} | ${formatEpochRange(c)} | ${c.n} | ${formatWithInterval(c.shapeR, c.shapeCi)} | ` +
      `${formatWithInterval(c.textureR, c.textureCi)} | ${formatWithInterval(c.score, c.scoreCi)} |`,
  );
  return [
    '| Phase | Epochs | n | Shape r [95% CI] | Texture r [95% CI] | Score [95% CI] |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}
