/**
 * The colours of every figure, fixed by name so that a factor, a phase or a run has the same
 * colour in every plot of an output folder and of a comparison. Factor colours are Tableau's
 * (blue shape, orange texture, green colour, grey residual); the phases get colours none of the
 * factors use, so shading behind bias lines never reads as a bias; runs get ColorBrewer's Dark2.
 */

const FACTOR_COLOURS: Record<string, string> = {
  shape: '#1f77b4',
  texture: '#ff7f0e',
  color: '#2ca02c',
  colour: '#2ca02c',
  residual: '#7f7f7f',
};

/** For factors without a fixed colour, in order of appearance (Tableau's remaining colours). */
const OTHER_FACTOR_COLOURS = ['#d62728', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#9467bd'];

export const PHASE_NAMES = ['Phase 1', 'Phase 2', 'Phase 3'] as const;
/** Purple, olive, teal: distinct from every factor colour above, light when shaded at 15%. */
export const PHASE_COLOURS = ['#9467bd', '#a09a1a', '#17a2b8'] as const;

/** ColorBrewer Dark2, then grey: one colour per run, by the run's position on the command line. */
const RUN_COLOURS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];

/** A Vega-Lite colour scale with an explicit domain and range. */
export interface ColourScale {
  domain: string[];
  range: string[];
}

/** The colour of each factor: fixed for the known names, then the others in order. */
export function factorScale(factors: readonly string[]): ColourScale {
  let next = 0;
  const range = factors.map((f) => FACTOR_COLOURS[f] ?? OTHER_FACTOR_COLOURS[next++ % OTHER_FACTOR_COLOURS.length]!);
  return { domain: [...factors], range };
}

/** Phase 1, 2, 3 in their colours. */
export function phaseScale(): ColourScale {
  return { domain: [...PHASE_NAMES], range: [...PHASE_COLOURS] };
}

/** One colour per run, in the order the runs were given (repeating after eight runs). */
export function runScale(labels: readonly string[]): ColourScale {
  return { domain: [...labels], range: labels.map((_, i) => RUN_COLOURS[i % RUN_COLOURS.length]!) };
}
