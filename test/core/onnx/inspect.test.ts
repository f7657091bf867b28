/**
 * inspectCheckpoint on ONNX models: every tap candidate with its shape, from value_info when the
 * graph declares every shape, else from a run on a zero batch; the two agree on the same graph.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, inspectCheckpoint, OnnxBindingError } from '@shapetex/core';
import { ONNX_FIX, REF } from './fixtures.js';

const fix = (n: string): string => path.join(ONNX_FIX, n);
beforeAll(async () => { await initBackend('cpu', { log: null }); });

describe('inspect of an ONNX model', () => {
  it('lists outputs then intermediates with shapes from a zero batch; taps with D; the parameters of the initializers', async () => {
    const info = await inspectCheckpoint(fix('cnn.onnx'));
    expect(info.format).toBe('onnx');
    expect(info.onnx!.shapesFrom).toBe('a zero batch');
    expect(info.onnx!.final).toBe('stage2');
    expect(info.onnx!.candidates.slice(0, 2)).toEqual([
      { name: 'stage2', kind: 'output', shape: [1, 16, 8, 8], usable: true },
      { name: 'logits', kind: 'output', shape: [1, 10], usable: true },
    ]);
    expect(info.onnx!.candidates.find((c) => c.name === REF.intermediate)).toEqual({ name: REF.intermediate, kind: 'intermediate', shape: [1, 8, 16, 16], usable: true });
    expect(info.taps).toEqual([{ name: 'stage2', D: 16 }, { name: 'logits', D: 10 }, { name: 'final', D: 16 }]);
    expect(info.numClasses).toBe(10);
    expect(info.inputSize).toBe(16);
    // conv1 8·3·3·3, bn1 2·8, conv2 16·8·3·3, bn2 2·16, fc 16·10 + 10, as PyTorch's model.parameters() counts
    expect(info.parameters).toBe(216 + 16 + 1152 + 32 + 170);
    expect(info.parameters).toBe(REF.cnnParameters);
    expect(info.dtypes).toEqual({ float32: 12 });
  });

  it('takes the shapes from value_info when the graph declares them all, the same shapes past the batch', async () => {
    const ran = await inspectCheckpoint(fix('cnn.onnx'));
    const declared = await inspectCheckpoint(fix('cnn_shapes.onnx'));
    expect(declared.onnx!.shapesFrom).toBe('value_info');
    expect(declared.onnx!.candidates.map((c) => [c.name, c.shape.slice(1)])).toEqual(ran.onnx!.candidates.map((c) => [c.name, c.shape.slice(1)]));
    expect(declared.onnx!.candidates.every((c) => c.shape[0] === 'N')).toBe(true);
  });

  it('with a graph: the checkpoint bound first (its format, a binding error as when loading)', async () => {
    const info = await inspectCheckpoint(fix('cnn_epoch1.pth'), { graph: fix('cnn.onnx') });
    expect(info.format).toBe('torch-zip');
    expect(info.arch).toBe('onnx:cnn.onnx');
    expect(info.onnx!.candidates).toHaveLength(8);
    await expect(inspectCheckpoint(fix('cnn_epoch1.pth'), { graph: fix('cnn_folded.onnx') })).rejects.toBeInstanceOf(OnnxBindingError);
  });
});
