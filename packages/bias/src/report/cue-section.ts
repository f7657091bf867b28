/** The decision-level section of `report.md`. */
import { formatR, phaseTable } from './table.js';
import type { CueDynamics } from '../dynamics/cue.js';

export function cueReportSection(c: CueDynamics): string {
  const lines = [
    '## Decision-level shape bias (cue-conflict)',
    '',
    `Shape bias = shape decisions / (shape + texture decisions) on the cue-conflict images (class map \`${c.classMap}\`). ` +
      'Per phase, Pearson r between the test error and the cue shape bias (smoothed as above); the decision-level ' +
      'texture bias is 1 − shape bias, so its r is the negative and Score = |r|.',
    '',
    phaseTable(c.correlations),
    '',
    `${c.epochs.length} checkpoints on the error curve with a defined cue shape bias.`,
    '',
    '### Cue shape bias against the shape dimension fraction',
    '',
    'Pearson r over epochs (every checkpoint with an epoch; unsmoothed) between the decision-level shape bias and the ' +
      'representational shape fraction of each tap and estimator.',
    '',
  ];
  if (c.versusShapeFraction.length === 0) {
    lines.push('No representational estimate to compare with (run with --probe as well).');
  } else {
    lines.push('| Tap | Method | Checkpoints | r |', '| --- | --- | ---: | ---: |');
    for (const v of c.versusShapeFraction) lines.push(`| ${v.tap} | ${v.method} | ${v.n} | ${formatR(v.r)} |`);
  }
  return lines.join('\n');
}
