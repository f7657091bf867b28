import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseErrorCsv, readErrorCsv } from '@shapetex/bias';

describe('error curves from CSV (SPEC §7)', () => {
  it('reads every error column name, in percent as given', () => {
    for (const col of ['error', 'test_error', 'err', 'Test_Error', ' ERR ']) {
      const c = parseErrorCsv(`epoch,${col}\n1,40.5\n2,30\n3,35\n`);
      expect(c.epochs).toEqual([1, 2, 3]);
      expect(c.errors).toEqual([40.5, 30, 35]);
      expect(c.converted).toEqual({ fromFraction: false, fromAccuracy: false });
    }
  });

  it('fractions everywhere ≤ 1 become percent', () => {
    const c = parseErrorCsv('epoch,test_error\n1,0.5\n2,0.25\n3,1\n');
    expect(c.errors).toEqual([50, 25, 100]);
    expect(c.converted!.fromFraction).toBe(true);
  });

  it('error = 1 − accuracy from acc, accuracy or test_acc, as fractions or percent', () => {
    for (const col of ['acc', 'accuracy', 'test_acc']) {
      const f = parseErrorCsv(`epoch,${col}\n1,0.75\n2,0.5\n`);
      expect(f.errors).toEqual([25, 50]);
      expect(f.column).toBe(col);
      expect(f.converted).toEqual({ fromFraction: true, fromAccuracy: true });
      const p = parseErrorCsv(`epoch,${col}\n1,75\n2,50.5\n`);
      expect(p.errors).toEqual([25, 49.5]);
    }
  });

  it('prefers an error column over an accuracy column; ignores other columns and blank lines', () => {
    const c = parseErrorCsv('\uFEFFtrain_loss,acc,epoch,err\r\n0.9,0.1,1,0.3\r\n\r\n0.5,0.2,2,0.2\r\n');
    expect(c.column).toBe('err');
    expect(c.errors).toEqual([30, 20]);
  });

  it('sorts by epoch and rejects repeated epochs naming both lines', () => {
    const c = parseErrorCsv('epoch,error\n3,30\n1,10\n2,20\n');
    expect(c.epochs).toEqual([1, 2, 3]);
    expect(c.errors).toEqual([10, 20, 30]);
    expect(() => parseErrorCsv('epoch,error\n1,30\n2,20\n1,10\n', 'run.csv')).toThrow(
      "error curve run.csv: epoch 1 appears twice (lines 2 and 4)",
    );
  });

  it('clear errors: missing columns list what was found; bad cells name line and column', () => {
    expect(() => parseErrorCsv('step,error\n1,2\n', 'a.csv')).toThrow(/a\.csv: no 'epoch' column .*columns found: 'step', 'error'/);
    expect(() => parseErrorCsv('epoch,loss\n1,2\n', 'a.csv')).toThrow(
      /a\.csv: no error column .*'error', 'test_error', 'err', 'acc', 'accuracy', 'test_acc'; columns found: 'epoch', 'loss'/,
    );
    expect(() => parseErrorCsv('epoch,error\n1,20\n2,abc\n', 'a.csv')).toThrow(
      "error curve a.csv: line 3, column 'error' (column 2): 'abc' is not a finite number",
    );
    expect(() => parseErrorCsv('epoch,error\n1,20\n,10\n', 'a.csv')).toThrow(/line 3, column 'epoch' \(column 1\): '' is not/);
    expect(() => parseErrorCsv('epoch,error\n1\n', 'a.csv')).toThrow(/line 2 has 1 cells, no value for column 'error'/);
    expect(() => parseErrorCsv('epoch,error\n1,-3\n', 'a.csv')).toThrow(/line 2, column 'error' \(column 2\): -3 is outside \[0, 100\]/);
    expect(() => parseErrorCsv('epoch,error\n', 'a.csv')).toThrow(/no data rows/);
    expect(() => parseErrorCsv('\n\n', 'a.csv')).toThrow(/empty file/);
  });

  const dir = mkdtemp(join(tmpdir(), 'shapetex-errcsv-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('readErrorCsv reads a file and names it in errors', async () => {
    const file = join(await dir, 'errors.csv');
    await writeFile(file, 'epoch,"test_acc"\n1,0.6\n2,0.7\n');
    const c = await readErrorCsv(file);
    expect(c.source).toBe(file);
    expect(c.errors[0]).toBeCloseTo(40, 12);
    expect(c.errors[1]).toBeCloseTo(30, 12);
    await expect(readErrorCsv(join(await dir, 'missing.csv'))).rejects.toThrow(/missing\.csv: cannot read the file/);
  });
});
