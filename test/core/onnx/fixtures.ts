/**
 * The ONNX fixtures of test/fixtures/onnx (written by make_onnx.py with PyTorch): the files, the
 * NHWC input batch and PyTorch's reference rows per model and weight set.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ONNX_FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/onnx');

interface RefJson {
  imageSize: number;
  batch: number;
  intermediate: string;
  /** sum(p.numel() for p in SmallCNN().parameters()) */
  cnnParameters: number;
  arrays: Record<string, { shape: number[]; offset: number }>;
  cnnInitializers: string[];
  foldedInitializers: string[];
}

export const REF: RefJson = JSON.parse(readFileSync(path.join(ONNX_FIX, 'ref.json'), 'utf8')) as RefJson;
const BIN = new Float32Array(new Uint8Array(readFileSync(path.join(ONNX_FIX, 'ref.bin'))).buffer);

/** A reference array and its shape. */
export function refArray(name: string): { shape: number[]; data: Float32Array } {
  const a = REF.arrays[name];
  if (!a) throw new Error(`ref.json has no array ${name}`);
  const n = a.shape.reduce((x, y) => x * y, 1);
  return { shape: a.shape, data: BIN.subarray(a.offset, a.offset + n) };
}

/** Element-wise |a − b| ≤ tol, with the worst index in the message. */
export function expectRows(got: Float32Array | undefined, want: Float32Array, what: string, tol = 1e-4): void {
  expect(got, what).toBeDefined();
  expect(got!.length, `${what} length`).toBe(want.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got![i]! - want[i]!);
    if (!(d <= worst)) { worst = d; at = i; }
  }
  expect(worst, `${what}: worst |diff| at ${at}`).toBeLessThanOrEqual(tol);
}
