/**
 * `report.md`: what was run, the phase boundaries, and per (tap, method) a table in the form
 * of the thesis's Table 5.1 (phase, epoch range, shape r, texture r, Score).
 */
import type { DynamicsAnalysis, DynamicsGroup } from '../dynamics/analyze.js';
import type { PhaseCorrelation } from '../dynamics/types.js';
import { cueReportSection } from './cue-section.js';
import { formatEpochRange, formatR, formatWithInterval, phaseTable } from './table.js';

export { formatEpochRange, formatR, formatWithInterval, phaseTable };

export interface ReportMeta {
  /** Checkpoint folder, probe set and errors file as given on the command line. */
  checkpoints?: string;
  probe?: string;
  /** The cue-conflict set, when given. */
  cueConflict?: string;
  errorsFile?: string;
  /** Library version and a timestamp (ISO), for provenance. */
  version?: string;
  generatedAt?: string;
  /** Figures to show at the end, paths relative to the report (e.g. `plots/layers.png`). */
  figures?: { caption: string; path: string }[];
}

/**
 * One line per (phase, bias) whose correlation exists but whose bias moves less within the
 * phase than its measurement noise (see `BiasNoise`).
 */
export function noiseNotes(correlations: readonly PhaseCorrelation[]): string[] {
  const out: string[] = [];
  for (const c of correlations) {
    for (const bias of ['shape', 'texture'] as const) {
      const nz = c.noise?.[bias];
      const r = bias === 'shape' ? c.shapeR : c.textureR;
      if (!nz?.restsOnNoise || r === null) continue;
      const against = nz.basis === 'bootstrap' ? `the mean width of its bootstrap 95% interval, ${nz.width.toFixed(4)}` : `${nz.width}, the noise assumed without \`--bootstrap\``;
      out.push(
        `- Phase ${c.phase}: the ${bias} fraction spans only ${nz.range.toFixed(4)} (smoothed) over epochs ${formatEpochRange(c)}, less than ${against}; ` +
          `its r = ${formatR(r)} rests on noise, not on a change of the bias.`,
      );
    }
  }
  return out;
}

function listEpochs(xs: readonly number[], max = 20): string {
  return xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')}, … (${xs.length} in all)`;
}

function groupSection(g: DynamicsGroup): string {
  const lines = [`## Tap \`${g.tap}\`, ${g.method}`, '', phaseTable(g.correlations), ''];
  const notes = noiseNotes(g.correlations);
  if (notes.length) lines.push('Correlations that rest on noise:', '', ...notes, '');
  const counts = g.correlations.map((c) => `Phase ${c.phase}: ${c.n}`).join(', ');
  lines.push(`${g.epochs.length} checkpoints on the error curve (${counts}).`);
  if (g.missing.inErrors.length) lines.push(`Checkpoint epochs missing from the error curve: ${listEpochs(g.missing.inErrors)}.`);
  if (g.duplicates.length) lines.push(`Left out for repeating an earlier checkpoint's epoch: ${g.duplicates.map((c) => `\`${c}\``).join(', ')}.`);
  return lines.join('\n');
}

/**
 * Renders the whole report. Pure: the same analysis and meta give the same text.
 */
export function renderReport(analysis: DynamicsAnalysis, meta: ReportMeta = {}): string {
  const o = analysis.options;
  const out: string[] = ['# Shape and texture over training: learning-dynamics report', ''];
  const inputs: string[] = [];
  if (meta.checkpoints) inputs.push(`- Checkpoints: \`${meta.checkpoints}\``);
  if (meta.probe) inputs.push(`- Probe set: \`${meta.probe}\``);
  if (meta.cueConflict) inputs.push(`- Cue-conflict set: \`${meta.cueConflict}\``);
  const errSource = meta.errorsFile ?? analysis.curve.source;
  if (errSource) {
    const col = analysis.curve.column ? ` (column \`${analysis.curve.column}\`, in percent)` : '';
    inputs.push(`- Test errors: \`${errSource}\`${col}, ${analysis.curve.epochs.length} epochs`);
  }
  if (meta.version) inputs.push(`- shapetex ${meta.version}${meta.generatedAt ? `, ${meta.generatedAt}` : ''}`);
  if (inputs.length) out.push(...inputs, '');

  const rule =
    o.method === 'threshold'
      ? `the threshold rule (Δ_i = |e_i − e_{i+${o.window}}|, θ = ${o.theta} pp${o.splitSmooth > 1 ? `, on a ${o.splitSmooth}-point moving average` : ''})`
      : `the extrema rule (first local minimum and the following maximum of a ${o.smooth}-point moving average)`;
  out.push(
    `The test-error curve was split into three phases with ${rule}. For each tap and estimator, ` +
      `Pearson r was computed between the test error and the shape fraction and between the test ` +
      `error and the texture fraction, over the checkpoints of each phase (biases smoothed with a ` +
      `centred ${o.smooth}-point moving average first); Score = (|r_shape| + |r_texture|)/2. ` +
      'Phase boundaries are shared by the phases they separate. N/A: no phase split, fewer than 3 ' +
      'checkpoints in the phase, or a constant series.',
    '',
    'Intervals are 95%. For r: Fisher z on the phase\'s n checkpoints, tanh(atanh(r) ± 1.959964/√(n − 3)) ' +
      '(N/A for n ≤ 3). For Score: a percentile bootstrap over the phase\'s epochs (the (error, shape, texture) ' +
      'triples resampled with replacement, 1000 times, seed 0). Both treat the checkpoints as independent; the ' +
      'moving average makes neighbours dependent, so the intervals are, if anything, too narrow. A bias whose ' +
      'smoothed range within a phase is below its measurement noise (the mean width of its bootstrap interval, or ' +
      '0.01 without `--bootstrap`) is listed under its table: that correlation rests on noise.',
    '',
  );
  const p = analysis.phases;
  if (p) {
    const j = p.indices.j !== undefined ? `, j = epoch ${analysis.curve.epochs[p.indices.j]}` : '';
    out.push(`Phase boundaries: epochs ${p.boundaries[0]} and ${p.boundaries[1]} (i1 = epoch ${p.boundaries[0]}${j}, i2 = epoch ${p.boundaries[1]}).`, '');
  } else {
    out.push('No phase split exists on this curve: every figure that depends on the phases is N/A.', '');
  }
  if (analysis.noEpoch.length) {
    out.push(`Checkpoints without an epoch, left out: ${analysis.noEpoch.map((c) => `\`${c}\``).join(', ')}.`, '');
  }
  if (!analysis.groups.length) out.push('No scored checkpoint has an epoch: nothing to correlate.', '');
  for (const g of analysis.groups) out.push(groupSection(g), '');
  if (analysis.cue) out.push(cueReportSection(analysis.cue), '');
  if (meta.figures?.length) {
    out.push('## Figures', '');
    for (const f of meta.figures) out.push(`![${f.caption}](${f.path})`, '');
  }
  return out.join('\n');
}
