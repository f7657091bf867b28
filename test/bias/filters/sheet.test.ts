// Which checkpoints the side-by-side sheet shows, from epochs or a phase split.
import { describe, expect, it } from 'vitest';
import { parseSheetEpochs, phaseSheetEpochs, pickSheetCheckpoints } from '@shapetex/bias';

const entries = [1, 2, 5, 9].map((epoch) => ({ epoch, checkpoint: `e${epoch}` })).concat({ epoch: null as unknown as number, checkpoint: 'final' });

describe('parseSheetEpochs', () => {
  it('reads a comma list or "phases"', () => {
    expect(parseSheetEpochs('1, 5,12')).toEqual([1, 5, 12]);
    expect(parseSheetEpochs('Phases')).toBe('phases');
    expect(() => parseSheetEpochs('1,x')).toThrow(/comma-separated epochs/);
    expect(() => parseSheetEpochs('-1')).toThrow(/comma-separated epochs/);
  });
});

describe('phaseSheetEpochs', () => {
  const curve = { epochs: [2, 3, 4, 5, 6, 7, 8], errors: [], smoothed: [] };
  it('first epoch, the two boundaries, last epoch, labelled', () => {
    const phases = { boundaries: [4, 7] } as never;
    expect(phaseSheetEpochs({ curve, phases })).toEqual([
      { epoch: 2, label: 'start' }, { epoch: 4, label: 'phase 1→2' }, { epoch: 7, label: 'phase 2→3' }, { epoch: 8, label: 'end' },
    ]);
  });
  it('no split is a clear error naming the file', () => {
    expect(() => phaseSheetEpochs({ curve, phases: null }, 'out/phases.json')).toThrow(/out\/phases\.json: the error curve has no phase split/);
  });
});

describe('pickSheetCheckpoints', () => {
  it('takes the checkpoint of each epoch asked for', () => {
    const picks = pickSheetCheckpoints([{ epoch: 5 }, { epoch: 1 }], entries, false);
    expect(picks.map((p) => [p.asked, p.entry.checkpoint, p.nearest])).toEqual([[5, 'e5', false], [1, 'e1', false]]);
  });
  it('an epoch without a checkpoint is an error listing those there are', () => {
    expect(() => pickSheetCheckpoints([{ epoch: 3 }], entries, false)).toThrow('no checkpoint of epoch 3 for the sheet; epochs available: 1, 2, 5, 9');
  });
  it('from phases: the nearest epoch instead, the earlier on a tie, marked', () => {
    const picks = pickSheetCheckpoints([{ epoch: 0, label: 'start' }, { epoch: 7, label: 'phase 1→2' }, { epoch: 8, label: 'phase 2→3' }, { epoch: 40, label: 'end' }], entries, true);
    expect(picks.map((p) => [p.asked, p.entry.epoch, p.nearest, p.label])).toEqual([
      [0, 1, true, 'start'], [7, 5, true, 'phase 1→2'], [8, 9, true, 'phase 2→3'], [40, 9, true, 'end'],
    ]);
  });
});
