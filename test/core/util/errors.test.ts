/**
 * The error classes a caller of core may catch, from the package index, each an instance of its
 * base; and the exit-code table of docs/cli.md, decided by class and never by name.
 */
import { describe, expect, it } from 'vitest';
import * as core from '@shapetex/core';
import {
  ArchitectureMismatchError, CheckpointError, CheckpointMemoryError, exitCodeOf, InterruptedError, OutputLockedError,
  TfjsModelError, UnknownArchitectureError, UsageError, isUsageError,
} from '@shapetex/core';

const holder = { pid: 1, hostname: 'elsewhere', tool: 'bias-score', startTime: '2026-01-01T00:00:00.000Z' };

describe('core error classes', () => {
  it('are exported from the package index', () => {
    for (const name of ['UsageError', 'InterruptedError', 'OutputLockedError', 'CheckpointError', 'CheckpointMemoryError',
      'ArchitectureMismatchError', 'UnknownArchitectureError', 'TfjsModelError', 'UnknownTapError', 'NoLogitsError', 'ImageError', 'BackendUnavailableError']) {
      expect(typeof (core as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('every reason a checkpoint cannot be read or built is a CheckpointError, its message as before', () => {
    const cases: [CheckpointError, string, string][] = [
      [new CheckpointError('a.pth', 'truncated'), 'CheckpointError', 'a.pth: truncated'],
      [new CheckpointMemoryError('a.pth', 'a tensor', 10 << 20, 1 << 20, 100), 'CheckpointMemoryError', 'a.pth: a tensor would bring'],
      [new TfjsModelError('m/model.json', 'no weightsManifest'), 'TfjsModelError', 'm/model.json: no weightsManifest'],
      [new UnknownArchitectureError('state_dict', ['resnet18'], 'resnet19'), 'UnknownArchitectureError', 'state_dict: unknown architecture "resnet19"; known: resnet18'],
      [new ArchitectureMismatchError('resnet18', ['fc.weight'], [], []), 'ArchitectureMismatchError', 'state_dict does not fit resnet18: missing keys: fc.weight'],
    ];
    for (const [err, name, message] of cases) {
      expect(err).toBeInstanceOf(CheckpointError);
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe(name);
      expect(err.message.startsWith(message), err.message).toBe(true);
    }
    expect(new TfjsModelError('m/model.json', 'x').file).toBe('m/model.json');
    expect(new ArchitectureMismatchError('resnet18', [], [], []).file).toBeNull();
  });

  it('isUsageError goes by class', () => {
    const named = Object.assign(new Error('looks like one'), { name: 'UsageError' });
    expect(isUsageError(new UsageError('bad option'))).toBe(true);
    expect(isUsageError(named)).toBe(false);
  });
});

describe('exitCodeOf: the exit code by class (docs/cli.md, "Exit codes")', () => {
  it('2 for a usage error or an output folder in use, 130 for an interrupted run, 1 for the rest', () => {
    expect(exitCodeOf(new UsageError('bad option'))).toBe(2);
    expect(exitCodeOf(new OutputLockedError('/out', holder))).toBe(2);
    expect(exitCodeOf(new InterruptedError('stopped'))).toBe(130);
    expect(exitCodeOf(new CheckpointError('a.pth', 'truncated'))).toBe(1);
    expect(exitCodeOf(new TfjsModelError('m/model.json', 'x'))).toBe(1);
    expect(exitCodeOf(new Error('anything'))).toBe(1);
    expect(exitCodeOf('not even an Error')).toBe(1);
  });

  it('never by name: an Error merely named like a class maps to 1', () => {
    for (const name of ['UsageError', 'OutputLockedError', 'InterruptedError', 'AbortError']) {
      expect(exitCodeOf(Object.assign(new Error('x'), { name })), name).toBe(1);
    }
  });
});
