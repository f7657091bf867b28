/**
 * ONNX files are untrusted data: only standard-domain operators run (a custom domain or ONNX
 * Runtime's own com.microsoft ops are refused naming the op and domain), external data must lie
 * inside the model's folder after symlinks are resolved and within its file, graph size and
 * nesting are limited, the input must be float32 [N, 3, H, W]. Every refusal is a typed
 * CheckpointError naming the file.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, CheckpointMemoryError, initBackend, loadModel, OnnxModelError, OnnxUnsafeError } from '@shapetex/core';
import { expectRows, ONNX_FIX, refArray } from './fixtures.js';

const fix = (n: string): string => path.join(ONNX_FIX, n);
const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-onnx-safety-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => { await initBackend('cpu', { log: null }); });

async function refusal(file: string): Promise<Error> {
  const err = await loadModel(file).then(() => null, (e: unknown) => e);
  expect(err, file).toBeInstanceOf(CheckpointError);
  expect((err as Error).message.startsWith(`${file}: `), (err as Error).message).toBe(true);
  return err as Error;
}

/** A folder holding external.onnx, with its data file placed by `place`. */
function externalCase(name: string, place: (dir: string) => void): string {
  const dir = path.join(tmp, name, 'model');
  mkdirSync(dir, { recursive: true });
  copyFileSync(fix('external.onnx'), path.join(dir, 'external.onnx'));
  place(dir);
  return path.join(dir, 'external.onnx');
}

describe('ONNX safety', () => {
  it('refuses a node of a custom domain, naming the op and the domain', async () => {
    const err = await refusal(fix('custom_domain.onnx'));
    expect(err).toBeInstanceOf(OnnxUnsafeError);
    expect(err.message).toMatch(/operator "Evil" of domain "com\.example\.evil": only the standard ONNX domain/);
  });

  it('refuses ONNX Runtime\'s own contrib domain com.microsoft too', async () => {
    const err = await refusal(fix('ms_domain.onnx'));
    expect(err).toBeInstanceOf(OnnxUnsafeError);
    expect(err.message).toMatch(/operator "Gelu" of domain "com\.microsoft"/);
  });

  it('reads external data beside the model (and gives the same rows as the embedded weights)', async () => {
    const m = await loadModel(fix('external.onnx'));
    const input = refArray('input');
    const x = tf.tensor4d(input.data, input.shape as [number, number, number, number]);
    expectRows((await m.features(x, ['logits'])).logits, refArray('cnn/logits').data, 'external logits');
    x.dispose();
    m.dispose();
  });

  it('refuses external data whose location leaves the model\'s folder', async () => {
    const dir = path.join(tmp, 'escape', 'model');
    mkdirSync(dir, { recursive: true });
    copyFileSync(fix('external_escape.onnx'), path.join(dir, 'm.onnx'));
    copyFileSync(fix('external.bin'), path.join(tmp, 'escape', 'external.bin'));
    const err = await refusal(path.join(dir, 'm.onnx'));
    expect(err).toBeInstanceOf(OnnxUnsafeError);
    expect(err.message).toMatch(/external data location "\.\.\/external\.bin" resolves to .*, outside the model's folder/);
  });

  it('refuses external data reached through a symlink that points outside the folder', async () => {
    const outside = path.join(tmp, 'outside.bin');
    copyFileSync(fix('external.bin'), outside);
    const file = externalCase('symlink', (dir) => symlinkSync(outside, path.join(dir, 'external.bin')));
    const err = await refusal(file);
    expect(err).toBeInstanceOf(OnnxUnsafeError);
    expect(err.message).toMatch(/resolves to .*outside\.bin, outside the model's folder/);
  });

  it('refuses external data past the end of its file', async () => {
    const file = externalCase('short', (dir) => {
      copyFileSync(fix('external.bin'), path.join(dir, 'external.bin'));
      truncateSync(path.join(dir, 'external.bin'), 1000);
    });
    const err = await refusal(file);
    expect(err).toBeInstanceOf(OnnxUnsafeError);
    expect(err.message).toMatch(/external data offset \d+ \+ length \d+ passes the end of external\.bin \(1000 bytes\)/);
  });

  it('a missing external data file is a typed error naming it', async () => {
    const err = await refusal(externalCase('missing', () => {}));
    expect(err).toBeInstanceOf(OnnxModelError);
    expect(err.message).toMatch(/external data file "external\.bin" cannot be opened/);
  });

  it('external data counts against the memory budget: 12 tensors over the same 16 MiB are refused', async () => {
    const dir = path.join(tmp, 'amplified');
    mkdirSync(dir, { recursive: true });
    copyFileSync(fix('external_amplified.onnx'), path.join(dir, 'm.onnx'));
    writeFileSync(path.join(dir, 'big.bin'), '');
    truncateSync(path.join(dir, 'big.bin'), 16 * 1024 * 1024);
    const err = await refusal(path.join(dir, 'm.onnx'));
    expect(err).toBeInstanceOf(CheckpointMemoryError);
    expect(err.message).toMatch(/external data of tensor "w\d+" would bring the memory materialised .* over its budget/);
  });

  it('refuses subgraphs nested past the limit', async () => {
    const err = await refusal(fix('nested_if.onnx'));
    expect(err).toBeInstanceOf(OnnxModelError);
    expect(err.message).toMatch(/subgraphs are nested 5 deep, over the limit of 4/);
  });

  it('refuses an input that is not float32 [N, 3, H, W]', async () => {
    const err = await refusal(fix('gray_input.onnx'));
    expect(err).toBeInstanceOf(OnnxModelError);
    expect(err.message).toMatch(/graph input "input" has shape \[N, 1, 16, 16\]; shapetex feeds float32 \[N, 3, H, W\]/);
  });

  it('refuses bytes that are not an ONNX model', async () => {
    const file = path.join(tmp, 'junk.onnx');
    writeFileSync(file, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
    const err = await refusal(file);
    expect(err).toBeInstanceOf(OnnxModelError);
    expect(err.message).toMatch(/not a readable ONNX model/);
  });
});
