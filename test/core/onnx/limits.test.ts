/**
 * The graph size limits (ONNX_LIMITS) on a decoded model: node count, initializer count, rank
 * and elements of a tensor, each refused with an OnnxModelError naming the file and the limit;
 * the model as exported passes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkModelSafety, decodeModel, ONNX_LIMITS, OnnxModelError } from '@shapetex/core';
import { ONNX_FIX } from './fixtures.js';

const FILE = path.join(ONNX_FIX, 'cnn.onnx');
const fresh = () => decodeModel(FILE, new Uint8Array(readFileSync(FILE)));

function refused(edit: (m: ReturnType<typeof fresh>) => void): Error {
  const m = fresh();
  edit(m);
  let err: unknown = null;
  try { checkModelSafety(FILE, m); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(OnnxModelError);
  expect((err as Error).message.startsWith(`${FILE}: `)).toBe(true);
  return err as Error;
}

describe('ONNX graph limits', () => {
  it('the exported model passes', () => {
    expect(() => checkModelSafety(FILE, fresh())).not.toThrow();
  });

  it('refuses more nodes than the limit', () => {
    const err = refused((m) => { const n = m.graph!.node![0]!; m.graph!.node = Array.from({ length: ONNX_LIMITS.nodes + 1 }, () => n); });
    expect(err.message).toMatch(/more than 200000 nodes/);
  });

  it('refuses more initializers than the limit', () => {
    const err = refused((m) => { const t = m.graph!.initializer![0]!; m.graph!.initializer = Array.from({ length: ONNX_LIMITS.initializers + 1 }, () => t); });
    expect(err.message).toMatch(/more than 100000 initializers/);
  });

  it('refuses a tensor of rank past the limit, a negative dimension, and too many elements', () => {
    expect(refused((m) => { m.graph!.initializer![0]!.dims = Array(ONNX_LIMITS.rank + 1).fill(1); }).message).toMatch(/tensor "conv1\.weight" has rank 9, over the limit of 8/);
    expect(refused((m) => { m.graph!.initializer![0]!.dims = [8, -3]; }).message).toMatch(/tensor "conv1\.weight" has dimension -3/);
    expect(refused((m) => { m.graph!.initializer![0]!.dims = [65536, 65536]; }).message).toMatch(/has 4294967296 elements, over the limit/);
  });

  it('refuses a model-local function', () => {
    const err = refused((m) => { m.functions = [{ name: 'Evil', domain: 'my.ops' }]; });
    expect(err.message).toMatch(/local function "Evil" of domain "my\.ops"/);
  });
});
