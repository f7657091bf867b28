/** `compare.md` and `compare.csv`: the comparison as text. Pure functions. */
import { csvField } from '../score/csv.js';
import { formatR } from '../report/markdown.js';
import type { Comparison, CompareRow, PhaseFigures } from './types.js';

const cells = (f: PhaseFigures | null): string[] => [formatR(f?.shapeR ?? null), formatR(f?.textureR ?? null), formatR(f?.score ?? null)];

/** "12, 41", or N/A. */
function boundaryText(row: CompareRow): string {
  return row.boundaries ? row.boundaries.join(', ') : 'N/A';
}

/** Markdown table of one (tap, method), one line per run. */
export function compareTableMarkdown(rows: readonly CompareRow[]): string {
  const head = [
    '| Run | Phase ends (epochs) | Phase 1+2 shape r | Phase 1+2 texture r | Phase 1+2 Score | Phase 3 shape r | Phase 3 texture r | Phase 3 Score |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  return [...head, ...rows.map((r) => `| ${r.run} | ${boundaryText(r)} | ${[...cells(r.early), ...cells(r.late)].join(' | ')} |`)].join('\n');
}

export interface CompareFigure {
  caption: string;
  /** Relative to the report. */
  path: string;
}

/** The whole `compare.md`. */
export function renderComparison(c: Comparison, figures: readonly CompareFigure[] = [], meta: { version?: string; generatedAt?: string } = {}): string {
  const out = ['# Comparison of training runs', ''];
  for (const r of c.runs) {
    const split = r.errors === null ? 'no error curve' : r.boundaries ? `${r.phaseMethod} split, phases end at epochs ${r.boundaries.join(' and ')}` : `${r.phaseMethod ?? 'no'} analysis, no phase split`;
    const status = r.status ?? 'complete';
    const unfinished = status.startsWith('interrupted') || status === 'running' ? `; **${status} run**: only the checkpoints it finished` : '';
    out.push(`- **${r.label}**: \`${r.dir}\`, ${r.checkpoints} checkpoints, taps ${r.taps.join(', ')}; ${split}${unfinished}`);
  }
  if (meta.version) out.push('', `shapetex ${meta.version}${meta.generatedAt ? `, ${meta.generatedAt}` : ''}`);
  out.push(
    '',
    'Per run, Pearson r between the test error and the shape fraction and between the test error and the texture fraction ' +
      'over the checkpoints of Phase 1+2 and of Phase 3 of that run\'s own error curve; Score = (|r_shape| + |r_texture|)/2. ' +
      'N/A: the run has no error curve or no phase split, fewer than 3 checkpoints in the phase, or a constant series.',
    '',
  );
  for (const t of c.tables) {
    out.push(`## Tap \`${t.tap}\`, ${t.method}`, '', compareTableMarkdown(t.rows), '');
    const notes = t.rows.filter((r) => r.note);
    if (notes.length) out.push(...notes.map((r) => `- ${r.run}: ${r.note}.`), '');
  }
  if (figures.length) {
    out.push('## Figures', '');
    for (const f of figures) out.push(`![${f.caption}](${f.path})`, '');
  }
  return out.join('\n');
}

/** Column names of `compare.csv`. */
export const COMPARE_CSV_HEADER = [
  'tap', 'method', 'run', 'dir', 'boundary_1', 'boundary_2',
  'phase12_shape_r', 'phase12_texture_r', 'phase12_score', 'phase12_n',
  'phase3_shape_r', 'phase3_texture_r', 'phase3_score', 'phase3_n', 'note',
] as const;

/** `compare.csv`: one line per (tap, method, run); empty cells where the figure is N/A. */
export function compareCsv(c: Comparison): string {
  const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : v);
  const lines = [COMPARE_CSV_HEADER.join(',')];
  for (const t of c.tables) {
    for (const r of t.rows) {
      const f = (p: typeof r.early) => [num(p?.shapeR), num(p?.textureR), num(p?.score), p ? p.n : ''];
      lines.push([t.tap, t.method, r.run, r.dir, num(r.boundaries?.[0]), num(r.boundaries?.[1]), ...f(r.early), ...f(r.late), r.note ?? ''].map((v) => csvField(v as string | number)).join(','));
    }
  }
  return lines.join('\n') + '\n';
}
