/** Shared by the io tests: the fixtures made by test/fixtures/io/make_io_fixtures.py and their expected values. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { TensorEntry } from '@shapetex/core';

export const FIX = path.resolve(__dirname, '../../fixtures/io');

export interface ExpectedTensor {
  dtype: string;
  shape: number[];
  values: (number | string)[];
  exact?: (number | string)[];
  bits?: number[];
}

export interface ExpectedFixture {
  format: string;
  stateDictPath: string;
  refused: string[];
  epoch: number | null;
  order: string[];
  tensors: Record<string, ExpectedTensor>;
}

export const EXPECTED = JSON.parse(readFileSync(path.join(FIX, 'expected.json'), 'utf8')) as {
  pwned: string;
  fixtures: Record<string, ExpectedFixture> & { extras_side: Record<string, number | number[]> };
};

export const FIXTURE_NAMES = Object.keys(EXPECTED.fixtures).filter((k) => k !== 'extras_side');

function decode(v: number | string): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v as number;
}

/** Every element equal: floats compared as float32 values (or exactly / as bits with keepDtype). */
export function expectTensor(name: string, got: TensorEntry | undefined, want: ExpectedTensor, keepDtype = false): void {
  expect(got, name).toBeDefined();
  const t = got!;
  expect(t.dtype, name).toBe(want.dtype);
  expect(t.shape, name).toEqual(want.shape);
  const data = Array.from(t.data as ArrayLike<number | bigint>);
  expect(data.length, name).toBe(want.values.length);
  if (want.dtype === 'int64') {
    expect(t.data, name).toBeInstanceOf(BigInt64Array);
    expect(data.map(String), name).toEqual(want.values);
    return;
  }
  const isFloat = ['float32', 'float64', 'float16', 'bfloat16'].includes(want.dtype);
  if (isFloat && keepDtype && want.dtype === 'float64') {
    expect(t.data, name).toBeInstanceOf(Float64Array);
    data.forEach((x, i) => expect(Object.is(x, decode(want.exact![i]!)) || x === decode(want.exact![i]!), `${name}[${i}]`).toBe(true));
    return;
  }
  if (isFloat && keepDtype && want.bits) {
    expect(t.data, name).toBeInstanceOf(Uint16Array);
    expect(data, name).toEqual(want.bits);
    return;
  }
  if (isFloat) {
    expect(t.data, name).toBeInstanceOf(Float32Array);
    data.forEach((x, i) => {
      const w = decode(want.values[i]!);
      if (Number.isNaN(w)) expect(Number.isNaN(x as number), `${name}[${i}]`).toBe(true);
      else expect(x, `${name}[${i}]`).toBe(Math.fround(w));
    });
    return;
  }
  expect(data, name).toEqual(want.values);
}
