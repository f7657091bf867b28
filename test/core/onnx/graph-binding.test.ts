/**
 * `loadModel(ckpt, { graph })`: each checkpoint's tensors bound to the graph's initializers by
 * name equal PyTorch's forward of that checkpoint; a missing, extra or mis-shaped tensor is an
 * OnnxBindingError naming it with both shapes; a graph exported in eval mode (names lost) gets
 * the names-preserving export call in the message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadBoundOnnx, loadModel, NAMES_PRESERVING_EXPORT, OnnxBindingError, readStateDict, type StateDict } from '@shapetex/core';
import { expectRows, ONNX_FIX, REF, refArray } from './fixtures.js';
import { writeSafetensors } from './safetensors-writer.js';

const fix = (n: string): string => path.join(ONNX_FIX, n);
const GRAPH = fix('cnn.onnx');
const tmp = mkdtempSync(path.join(tmpdir(), 'shapetex-onnx-bind-'));
let x: tf.Tensor4D;

beforeAll(async () => {
  await initBackend('cpu', { log: null });
  const input = refArray('input');
  x = tf.tensor4d(input.data, input.shape as [number, number, number, number]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function bindingError(sd: StateDict, graph = GRAPH, file = 'edited.pth'): Promise<OnnxBindingError> {
  const err = await loadBoundOnnx(file, sd, graph).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(OnnxBindingError);
  return err as OnnxBindingError;
}

describe('--graph: a checkpoint\'s tensors bound to the graph by name', () => {
  it('the graph keeps the state_dict names as initializer names (training=PRESERVE, do_constant_folding=False)', () => {
    expect(REF.cnnInitializers).toContain('bn1.running_mean');
    expect(REF.cnnInitializers).toContain('conv1.weight');
    expect(REF.foldedInitializers.some((n) => n.startsWith('onnx::Conv_'))).toBe(true);
  });

  for (const epoch of [1, 2, 3]) {
    it(`cnn_epoch${epoch}.pth bound to cnn.onnx equals PyTorch with that checkpoint's weights`, async () => {
      const m = await loadModel(fix(`cnn_epoch${epoch}.pth`), { graph: GRAPH });
      expect(m.arch).toBe('onnx:cnn.onnx');
      const got = await m.features(x, ['final', 'logits', REF.intermediate]);
      expectRows(got.final, refArray(`epoch${epoch}/stage2`).data, `epoch${epoch} stage2`);
      expectRows(got.logits, refArray(`epoch${epoch}/logits`).data, `epoch${epoch} logits`);
      expectRows(got[REF.intermediate], refArray(`epoch${epoch}/${REF.intermediate}`).data, `epoch${epoch} ${REF.intermediate}`);
      m.dispose();
    });
  }

  it('the same checkpoint saved as safetensors binds the same way', async () => {
    const file = path.join(tmp, 'cnn_epoch2.safetensors');
    writeSafetensors(file, await readStateDict(fix('cnn_epoch2.pth')));
    const m = await loadModel(file, { graph: GRAPH });
    expectRows((await m.features(x, ['logits'])).logits, refArray('epoch2/logits').data, 'safetensors logits');
    m.dispose();
  });

  it('a missing tensor is named with the shape the graph expects', async () => {
    const sd = await readStateDict(fix('cnn_epoch1.pth'));
    sd.delete('bn2.running_var');
    const err = await bindingError(sd);
    expect(err.problems).toEqual([{ tensor: 'bn2.running_var', kind: 'missing', expected: [16] }]);
    expect(err.message).toMatch(/^edited\.pth: .*bn2\.running_var: in the graph \[16\], missing from the checkpoint/);
    expect(err.message).not.toMatch(/TrainingMode/);
  });

  it('an extra tensor is named with its shape; BatchNorm\'s num_batches_tracked is not one', async () => {
    const sd = await readStateDict(fix('cnn_epoch1.pth'));
    expect(sd.has('bn1.num_batches_tracked')).toBe(true);
    sd.set('head2.weight', { dtype: 'float32', shape: [4, 16], data: new Float32Array(64) });
    const err = await bindingError(sd);
    expect(err.problems).toEqual([{ tensor: 'head2.weight', kind: 'extra', found: [4, 16] }]);
    expect(err.message).toMatch(/head2\.weight: in the checkpoint \[4, 16\], not an initializer of the graph/);
  });

  it('a mis-shaped tensor is named with the expected and the found shape', async () => {
    const sd = await readStateDict(fix('cnn_epoch1.pth'));
    sd.set('fc.weight', { dtype: 'float32', shape: [12, 16], data: new Float32Array(192) });
    const err = await bindingError(sd);
    expect(err.problems).toEqual([{ tensor: 'fc.weight', kind: 'shape', expected: [10, 16], found: [12, 16] }]);
    expect(err.message).toMatch(/fc\.weight: the graph expects \[10, 16\], the checkpoint has \[12, 16\]/);
  });

  it('a graph that lost the names (eval-mode export, BatchNorm folded) is named as such, with the export call that keeps them', async () => {
    const err = await loadModel(fix('cnn_epoch1.pth'), { graph: fix('cnn_folded.onnx') }).then(() => null, (e: unknown) => e) as OnnxBindingError;
    expect(err).toBeInstanceOf(OnnxBindingError);
    expect(err.message).toMatch(/cnn_epoch1\.pth: /);
    expect(err.message).toMatch(/onnx::Conv_\d+: in the graph \[8, 3, 3, 3\], missing from the checkpoint/);
    expect(err.message).toMatch(/bn1\.running_mean: in the checkpoint \[8\], not an initializer/);
    expect(err.message).toContain(`Export it again keeping the names: ${NAMES_PRESERVING_EXPORT}`);
    expect(NAMES_PRESERVING_EXPORT).toBe('torch.onnx.export(model, x, "arch.onnx", training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)');
  });

  it('the graph is parsed once for a run of checkpoints', async () => {
    const { onnxGraph } = await import('@shapetex/core');
    const a = await onnxGraph(GRAPH);
    const b = await onnxGraph(GRAPH);
    expect(b).toBe(a);
  });
});
