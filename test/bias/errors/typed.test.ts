import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointError, exitCodeOf, UsageError } from '@shapetex/core';
import {
  checkResultRecord, classMapFor, estimateFromPairs, EstimateError, OutputFolderError, readJsonLines,
  readPhasesJson, readRunInfo, resultsCsv, toConvKernels, type ResultRecord,
} from '@shapetex/bias';

// Each failure of bias has a class, and the class gives the exit code (core's exitCodeOf):
// data that cannot give an estimate is an EstimateError (1, recorded for that checkpoint), a
// corrupt file of an output folder an OutputFolderError (a UsageError: 2, found before any work),
// a checkpoint whose kernels cannot be drawn a CheckpointError (1).

async function caught(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    return err;
  }
  throw new RangeError('expected the work to throw');
}

async function folderWith(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-typed-'));
  await writeFile(path.join(dir, name), text);
  return dir;
}

describe('typed errors of bias, with their exit codes', () => {
  it('features that cannot give an estimate: EstimateError, exit 1', async () => {
    const D = 2;
    const za = new Float32Array([1, 2, 3, NaN, 5, 6, 7, 8]);
    const zb = new Float32Array([2, 1, 4, 3, 6, 5, 8, 7]);
    const nan = await caught(() => estimateFromPairs(za, zb, new Int32Array([0, 0, 1, 1]), D));
    expect(nan).toBeInstanceOf(EstimateError);
    expect((nan as Error).message).toMatch(/unit 1 at row 1 of za is NaN/);
    const few = await caught(() => estimateFromPairs(zb, zb, new Int32Array([0, 0, 0, 1]), D));
    expect(few).toBeInstanceOf(EstimateError);
    expect((few as Error).message).toMatch(/factor 'texture' has 1 pair\(s\)/);
    expect(exitCodeOf(nan)).toBe(1);
  });

  it('a corrupt run.json, results.jsonl line or phases.json: OutputFolderError naming the file, exit 2', async () => {
    const notJson = await folderWith('run.json', '{"settingsHash": ');
    const err = await caught(() => readRunInfo(notJson));
    expect(err).toBeInstanceOf(OutputFolderError);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(path.join(notJson, 'run.json'));
    expect(exitCodeOf(err)).toBe(2);
    const noHash = await folderWith('run.json', '{"status": "done"}');
    expect(await caught(() => readRunInfo(noHash))).toBeInstanceOf(OutputFolderError);
    const nullRun = await folderWith('run.json', 'null');
    expect(await caught(() => readRunInfo(nullRun))).toBeInstanceOf(OutputFolderError);

    const lines = await folderWith('results.jsonl', '{"cut\n{}\n');
    const line = await caught(() => readJsonLines(path.join(lines, 'results.jsonl')));
    expect(line).toBeInstanceOf(OutputFolderError);
    expect((line as Error).message).toMatch(/results\.jsonl: line 1 is not valid JSON/);
    const field = await caught(() => checkResultRecord({ epoch: 'x' }, 'results.jsonl line 3'));
    expect(field).toBeInstanceOf(OutputFolderError);
    expect((field as Error).message).toMatch(/results\.jsonl line 3: field 'epoch' must be an integer or null/);

    const phases = await folderWith('phases.json', '[1, 2');
    const ph = await caught(() => readPhasesJson(phases));
    expect(ph).toBeInstanceOf(OutputFolderError);
    expect(exitCodeOf(ph)).toBe(2);
  });

  it('records of one folder with other factors: OutputFolderError naming the record', async () => {
    const rec = (checkpoint: string, factors: string[]) => ({ checkpoint, tap: 'final', method: 'pooled', factors }) as unknown as ResultRecord;
    const err = await caught(() => resultsCsv([rec('a.pth', ['shape', 'texture']), rec('b.pth', ['shape', 'color'])]));
    expect(err).toBeInstanceOf(OutputFolderError);
    expect((err as Error).message).toMatch(/record b\.pth \[final, pooled\] has factors shape,color, expected shape,texture/);
  });

  it('a head without a class map is a UsageError (exit 2); undrawable kernels are CheckpointErrors (exit 1)', async () => {
    const head = await caught(() => classMapFor(undefined, 7, 'resnet18'));
    expect(head).toBeInstanceOf(UsageError);
    expect((head as Error).message).toMatch(/resnet18: a 7-class head has no default class map/);
    expect(exitCodeOf(head)).toBe(2);
    const kernel = await caught(() => toConvKernels('conv1.weight', [2, 3, 3], new Float32Array(18), 'oihw'));
    expect(kernel).toBeInstanceOf(CheckpointError);
    expect((kernel as Error).message).toMatch(/conv1\.weight: expected a 4-D kernel, got shape \[2, 3, 3\]/);
    expect(exitCodeOf(kernel)).toBe(1);
  });
});
