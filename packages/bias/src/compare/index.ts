export { compareRuns } from './compare.js';
export type { CompareOptions, CompareSummary } from './compare.js';
export { compareData, compareRow, compareTables } from './table.js';
export { COMPARE_CSV_HEADER, compareCsv, compareTableMarkdown, renderComparison } from './text.js';
export { boundaryRows, compareBiasSpec, compareErrorsSpec } from './specs.js';
export { readComparedRun, runLabels } from './read.js';
export type { ComparedRun, CompareRow, CompareTable, Comparison, PhaseFigures } from './types.js';
