/**
 * A model's template (onnx/model-template.ts) against onnx-proto's own encoder: another set of
 * weights written into the template gives the very bytes that encoding the model anew gives,
 * for every slot layout (float data of several lengths, an empty one, int64 shapes between
 * them); what does not fit the template, or a template already lent, gets null.
 */
import { describe, expect, it } from 'vitest';
import { encodeModel, floatTensor, int64Tensor, node, valueInfo, createRng, type GraphParts, type ITensorProto } from '@shapetex/core';
import { buildModelTemplate, fillModelTemplate } from '../../../packages/core/dist/onnx/model-template.js';

function random(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** A small conv model whose initializers mix float slots of several sizes with int64 shapes. */
function parts(seed: number, shape: readonly number[] = [2, 8]): GraphParts {
  const initializers: ITensorProto[] = [
    floatTensor('conv.weight', [4, 3, 3, 3], random(108, seed)),
    int64Tensor('shape', [2], shape),
    floatTensor('conv.bias', [4], random(4, seed + 1)),
    floatTensor('empty', [0], new Float32Array(0)),
    // 300 values: a length whose varint takes two bytes, unlike the others'
    floatTensor('scale', [300], random(300, seed + 2)),
    floatTensor('one', [], Float32Array.of(seed)),
  ];
  return {
    name: 'templated',
    nodes: [node('Conv', ['image', 'conv.weight', 'conv.bias'], ['y'], { pads: [1, 1, 1, 1] }), node('Reshape', ['y', 'shape'], ['out'])],
    initializers,
    inputs: [valueInfo('image', ['N', 3, 2, 2])],
    outputs: [valueInfo('out', ['N', 8])],
    doc: 'a template test',
  };
}

describe('a model template', () => {
  it('filled with other weights, its bytes equal a fresh encoding of those weights, byte for byte', () => {
    const t = buildModelTemplate(parts(1));
    expect(t).not.toBeNull();
    expect(t!.slots.map((s) => [s.name, s.length])).toEqual([['conv.weight', 432], ['conv.bias', 16], ['empty', 0], ['scale', 1200], ['one', 4]]);
    for (const seed of [2, 3, 1]) {
      const p = parts(seed);
      const lent = fillModelTemplate(t!, p.initializers);
      expect(lent).not.toBeNull();
      const want = encodeModel(p);
      expect(lent!.bytes.length).toBe(want.length);
      expect(Buffer.from(lent!.bytes).equals(Buffer.from(want))).toBe(true);
      lent!.done();
    }
  });

  it('is lent to one model at a time, and refuses initializers that are not its graph\'s', () => {
    const t = buildModelTemplate(parts(1))!;
    const lent = fillModelTemplate(t, parts(2).initializers);
    expect(lent).not.toBeNull();
    expect(fillModelTemplate(t, parts(3).initializers)).toBeNull();
    lent!.done();
    // other int64 values, a renamed slot, a slot of another length, one slot missing
    expect(fillModelTemplate(t, parts(2, [4, 4]).initializers)).toBeNull();
    const renamed = parts(2).initializers.map((x) => (x.name === 'conv.bias' ? { ...x, name: 'conv.b' } : x));
    expect(fillModelTemplate(t, renamed)).toBeNull();
    const longer = parts(2).initializers.map((x) => (x.name === 'scale' ? floatTensor('scale', [301], random(301, 9)) : x));
    expect(fillModelTemplate(t, longer)).toBeNull();
    expect(fillModelTemplate(t, parts(2).initializers.filter((x) => x.name !== 'one'))).toBeNull();
    // none of the refusals wrote into the template or kept it: the right weights still fill it
    const again = fillModelTemplate(t, parts(3).initializers);
    expect(Buffer.from(again!.bytes).equals(Buffer.from(encodeModel(parts(3))))).toBe(true);
    again!.done();
  });
});
