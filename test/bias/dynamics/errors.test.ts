/** The analysis errors of bias: exported, thrown for an unusable error curve or series, exit 1 by class. */
import { describe, expect, it } from 'vitest';
import { exitCodeOf, UsageError } from '@shapetex/core';
import { ProbeSetError } from '@shapetex/svoc';
import { AnalysisError, parseErrorCsv, parseSheetEpochs, samplePairs, splitPhases } from '@shapetex/bias';

describe('bias error classes', () => {
  it('AnalysisError is exported and maps to 1', () => {
    const e = new AnalysisError('x');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('AnalysisError');
    expect(exitCodeOf(e)).toBe(1);
  });

  it('an unusable error curve or series is an AnalysisError; a bad option value a RangeError', () => {
    expect(() => parseErrorCsv('step,error\n1,0.5\n', 'c.csv')).toThrow(AnalysisError);
    expect(() => splitPhases([1, 2], { epochs: [1] })).toThrow(AnalysisError);
    expect(() => splitPhases([1, 2, 3], { window: 0 })).toThrow(RangeError);
  });

  it('a probe set that cannot be paired is a ProbeSetError; an unreadable --at a UsageError', () => {
    expect(() => samplePairs({ root: '/p', records: [], factors: ['shape', 'texture'] })).toThrow(ProbeSetError);
    expect(() => parseSheetEpochs('one,two')).toThrow(UsageError);
  });
});
