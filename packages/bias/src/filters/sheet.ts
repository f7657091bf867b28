/**
 * Which checkpoints a side-by-side sheet shows: epochs given by the user, or the phase
 * boundaries of a `phases.json` (first epoch of the curve, boundary 1, boundary 2, last epoch).
 * Pure functions of data.
 */
import { UsageError } from '@shapetex/core';
import type { DynamicsAnalysis } from '../dynamics/analyze.js';
import { AnalysisError } from '../dynamics/errors.js';

/** An epoch the sheet asks for, with the phase label it stands for (from `--at phases`). */
export interface SheetEpoch {
  epoch: number;
  label?: string;
}

/** The checkpoint a sheet panel shows for an asked epoch. */
export interface SheetPick<T extends { epoch: number | null }> {
  asked: number;
  label?: string;
  entry: T;
  /** True when no checkpoint has the asked epoch and the nearest one was taken. */
  nearest: boolean;
}

/** `--at`: comma-separated epochs (integers ≥ 0), or `phases`. */
export function parseSheetEpochs(text: string): number[] | 'phases' {
  if (text.trim().toLowerCase() === 'phases') return 'phases';
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new UsageError(`expected comma-separated epochs (integers ≥ 0) or "phases", got ${JSON.stringify(text)}`);
  return parts.map((p) => Number.parseInt(p, 10));
}

/**
 * The four epochs of a phase split: the curve's first epoch, the two boundaries, the curve's
 * last epoch, labelled `start`, `phase 1→2`, `phase 2→3`, `end`. Throws when the analysis has no
 * split (`phases: null`): the curve did not show the three phases.
 */
export function phaseSheetEpochs(analysis: Pick<DynamicsAnalysis, 'curve' | 'phases'>, source = 'phases.json'): SheetEpoch[] {
  const epochs = analysis.curve?.epochs;
  if (!Array.isArray(epochs) || epochs.length === 0) throw new AnalysisError(`${source}: no curve.epochs; expected the phases.json that bias-score writes with --errors`);
  if (analysis.phases === null || analysis.phases === undefined) {
    throw new AnalysisError(`${source}: the error curve has no phase split (phases is null), so there are no phase boundaries to show; pick epochs with --at e1,e2,…`);
  }
  const [b1, b2] = analysis.phases.boundaries;
  return [
    { epoch: epochs[0]!, label: 'start' },
    { epoch: b1, label: 'phase 1→2' },
    { epoch: b2, label: 'phase 2→3' },
    { epoch: epochs[epochs.length - 1]!, label: 'end' },
  ];
}

/**
 * The checkpoint of each asked epoch among `entries` (the first one in `entries` when several
 * share an epoch). With `nearest`, an epoch no checkpoint has takes the checkpoint of the
 * closest epoch (the earlier on a tie) and is marked; without, it is an error that lists the
 * epochs there are.
 */
export function pickSheetCheckpoints<T extends { epoch: number | null }>(asked: readonly SheetEpoch[], entries: readonly T[], nearest: boolean): SheetPick<T>[] {
  const withEpoch = entries.filter((e): e is T & { epoch: number } => e.epoch !== null);
  if (withEpoch.length === 0) throw new AnalysisError('no checkpoint with an epoch to put on the sheet');
  const available = [...new Set(withEpoch.map((e) => e.epoch))].sort((a, b) => a - b);
  return asked.map((a) => {
    const exact = withEpoch.find((e) => e.epoch === a.epoch);
    if (exact) return { asked: a.epoch, ...(a.label !== undefined ? { label: a.label } : {}), entry: exact, nearest: false };
    if (!nearest) throw new AnalysisError(`no checkpoint of epoch ${a.epoch} for the sheet; epochs available: ${available.join(', ')}`);
    let best = available[0]!;
    for (const e of available) if (Math.abs(e - a.epoch) < Math.abs(best - a.epoch)) best = e;
    return { asked: a.epoch, ...(a.label !== undefined ? { label: a.label } : {}), entry: withEpoch.find((e) => e.epoch === best)!, nearest: true };
  });
}
