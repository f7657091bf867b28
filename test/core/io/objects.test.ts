/** The rest of a checkpoint decodes as inert data: optimizer state, argparse.Namespace, numpy values, plain Python values. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NumpyArray, PickleObject, readCheckpoint, type TensorEntry } from '@shapetex/core';
import { EXPECTED, FIX } from './expect.js';

const side = EXPECTED.fixtures.extras_side;

describe.each(['extras.pth', 'extras_legacy.pth', 'extras_protocol4.pth'])('%s', (name) => {
  it('decodes the optimizer state, Namespace, numpy values and plain values', async () => {
    const ck = await readCheckpoint(path.join(FIX, name));
    const obj = ck.object as Map<string, unknown>;
    expect(obj).toBeInstanceOf(Map);

    const opt = obj.get('optimizer') as Map<string, unknown>;
    const state0 = (opt.get('state') as Map<number, Map<string, unknown>>).get(0)!;
    const step = state0.get('step') as TensorEntry;
    expect(Array.from(step.data as Float32Array)).toEqual([side.optimizer_step]);
    expect(Array.from((state0.get('exp_avg') as TensorEntry).data as Float32Array)).toEqual((side.exp_avg_0 as number[]).map(Math.fround));
    const group = (opt.get('param_groups') as Map<string, unknown>[])[0]!;
    expect(group.get('lr')).toBe(side.optimizer_lr);
    expect(group.get('params')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(group.get('betas')).toEqual([0.9, 0.999]);

    const args = obj.get('args') as Record<string, unknown>;
    expect(Object.getPrototypeOf(args)).toBeNull();
    expect({ ...args, nested: undefined }).toEqual({ lr: 0.1, arch: 'resnet18', milestones: [30, 60], noise: 0.2, nested: undefined });
    expect(args.nested).toEqual(new Map([['a', 1]]));

    expect(obj.get('np_scalar_f64')).toBe(0.125);
    expect(obj.get('np_scalar_i64')).toBe(-42);
    const arr = obj.get('np_array') as NumpyArray;
    expect(arr).toBeInstanceOf(NumpyArray);
    expect(arr.shape).toEqual([2, 3]);
    expect(Array.from(arr.data as Float32Array)).toEqual(side.np_array);
    const fortran = obj.get('np_fortran') as NumpyArray;
    expect(fortran.dtype).toBe('int32');
    expect(Array.from(fortran.data as Int32Array)).toEqual(side.np_fortran);

    const values = obj.get('values') as unknown[];
    expect(values.slice(0, 6)).toEqual([1, 2.5, 'three', null, true, [4, 5]]);
    expect(values[6]).toEqual(new Map([['k', new TextEncoder().encode('bytes')]]));
    expect(values[7]).toBe(2n ** 70n);
    expect(values[8]).toBe(-(2 ** 40));
    expect(obj.get('epoch')).toBe(41);
    expect(ck.epoch).toBe(41);
    expect(ck.refusedGlobals).toEqual([]);
  });
});

describe('whole pickled nn.Module', () => {
  it('refuses its classes, keeps them as inert PickleObjects, and still finds the weights', async () => {
    const ck = await readCheckpoint(path.join(FIX, 'whole_module.pth'));
    expect(ck.object).toBeInstanceOf(PickleObject);
    expect((ck.object as PickleObject).className).toBe('torch.nn.modules.container.Sequential');
    expect(ck.stateDict.size).toBe(EXPECTED.fixtures['whole_module.pth']!.order.length);
  });
});
