import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appendJsonLines, csvField, diffSettings, parseShard, readJsonLines, readResults, resultsCsv, resultsCsvHeader,
  selectShard, settingsHash, sortRecords, type ResultRecord, type RunSettings,
} from '@shapetex/bias';

function rec(checkpoint: string, epoch: number | null, tap = 'final', method: ResultRecord['method'] = 'per-neuron', ci = false): ResultRecord {
  const r: ResultRecord = {
    epoch, checkpoint, tap, method, D: 64, factors: ['shape', 'texture'],
    dims: [20, 10, 34], fractions: [0.3125, 0.15625, 0.53125], scores: [0.5, -0.25, 1], percent: [31.3, 15.6, 53.1],
    deadUnits: 2, pairs: [16, 16],
  };
  if (ci) r.ci = { low: [0.25, 0.1], high: [0.375, 0.2] };
  return r;
}

describe('results.csv', () => {
  it('has SPEC §8\'s exact columns for SVOC, and per-factor columns for any K with bootstrap', () => {
    expect(resultsCsvHeader(['shape', 'texture'], false).join(', ')).toBe(
      'epoch, checkpoint, tap, method, D, shape_dims, texture_dims, residual_dims, shape_fraction, texture_fraction, residual_fraction, shape_score, texture_score, dead_units, shape_pairs, texture_pairs',
    );
    expect(resultsCsvHeader(['shape', 'texture', 'color'], true).slice(-9)).toEqual([
      'shape_pairs', 'texture_pairs', 'color_pairs', 'shape_ci_low', 'shape_ci_high', 'texture_ci_low', 'texture_ci_high', 'color_ci_low', 'color_ci_high',
    ]);
  });

  it('writes one row per record with full-precision numbers, empty epoch for none, quoted names', () => {
    const text = resultsCsv([rec('run,1/e_epoch3.pth', 3), rec('last.pth', null, 'stage4', 'pooled', true)]);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]!.split(',').slice(-4)).toEqual(['shape_ci_low', 'shape_ci_high', 'texture_ci_low', 'texture_ci_high']);
    expect(lines[1]).toBe('3,"run,1/e_epoch3.pth",final,per-neuron,64,20,10,34,0.3125,0.15625,0.53125,0.5,-0.25,2,16,16,,,,');
    expect(lines[2]).toBe(',last.pth,stage4,pooled,64,20,10,34,0.3125,0.15625,0.53125,0.5,-0.25,2,16,16,0.25,0.375,0.1,0.2');
    expect(csvField('a"b')).toBe('"a""b"');
    expect(() => resultsCsv([rec('a', 1), { ...rec('b', 2), factors: ['shape', 'color'] }])).toThrow(/b \[final, per-neuron\] has factors shape,color, expected shape,texture/);
  });

  it('orders rows by epoch then name, no-epoch last, keeping tap/method order within a checkpoint', () => {
    const rows = [rec('b10', 10, 'final'), rec('b10', 10, 'stage1'), rec('x', null), rec('a2', 2, 'final', 'pooled'), rec('a2', 2, 'final')];
    expect(sortRecords(rows).map((r) => `${r.checkpoint}:${r.tap}:${r.method}`)).toEqual([
      'a2:final:pooled', 'a2:final:per-neuron', 'b10:final:per-neuron', 'b10:stage1:per-neuron', 'x:final:per-neuron',
    ]);
  });
});

describe('results.jsonl', () => {
  it('appends lines and reads them back; an interrupted last checkpoint is dropped whole', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-jsonl-'));
    const file = path.join(dir, 'results.jsonl');
    await appendJsonLines(file, [rec('a', 1), rec('a', 1, 'stage4')]);
    await appendJsonLines(file, [rec('b', 2), rec('b', 2, 'stage4')]);
    expect((await readResults(dir)).records.map((r) => r.checkpoint)).toEqual(['a', 'a', 'b', 'b']);
    // a kill in the middle of c's write: one full line and a cut one
    await appendFile(file, JSON.stringify(rec('c', 3)) + '\n' + JSON.stringify(rec('c', 3, 'stage4')).slice(0, 40));
    const back = await readResults(dir);
    expect(back.dropped).toBe('c');
    expect(back.records.map((r) => r.checkpoint)).toEqual(['a', 'a', 'b', 'b']);
  });

  it('names the line of a corrupt record that is not the last', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shapetex-jsonl-'));
    await writeFile(path.join(dir, 'results.jsonl'), '{"bad json\n' + JSON.stringify(rec('a', 1)) + '\n');
    await expect(readJsonLines(path.join(dir, 'results.jsonl'))).rejects.toThrow(/results\.jsonl: line 1 is not valid JSON/);
    await writeFile(path.join(dir, 'results.jsonl'), JSON.stringify({ ...rec('a', 1), dims: [1, 2] }) + '\n');
    await expect(readResults(dir)).rejects.toThrow(/line 1: field 'dims' must be an array of 3 numbers/);
    expect((await readJsonLines(path.join(dir, 'missing.jsonl'))).values).toEqual([]);
    expect(await readFile(path.join(dir, 'results.jsonl'), 'utf8')).toContain('"dims":[1,2]');
  });
});

describe('shards', () => {
  it('parses I/N and covers every item exactly once over the N shards', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    for (const bad of ['3/3', '1/0', '-1/2', 'a/b', '1']) expect(() => parseShard(bad)).toThrow(/--shard/);
    const items = Array.from({ length: 11 }, (_, i) => i);
    const shards = [0, 1, 2].map((index) => selectShard(items, { index, count: 3 }));
    expect(shards[1]).toEqual([1, 4, 7, 10]);
    expect(shards.flat().sort((a, b) => a - b)).toEqual(items);
  });
});

describe('run settings', () => {
  const base: RunSettings = {
    probeHash: 'abc', factors: ['shape', 'texture'], arch: null, numClasses: null, imageSize: 224,
    norm: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, taps: ['final'], methods: ['per-neuron'],
    pairsPerFactor: null, seed: 0, bootstrap: 0,
  };
  it('hashes content, not key order, and names what differs', () => {
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as unknown as RunSettings;
    expect(settingsHash(reordered)).toBe(settingsHash(base));
    const other = { ...base, seed: 1, taps: 'all' as const };
    expect(settingsHash(other)).not.toBe(settingsHash(base));
    expect(diffSettings(base, other)).toEqual(['seed: 0 → 1', 'taps: ["final"] → "all"']);
  });
});
