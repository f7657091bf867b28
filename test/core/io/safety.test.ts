/**
 * The unpickler decodes data only: pickles whose payloads would run a shell command or exec
 * Python load without running anything, and say which globals they refused.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PickleGlobal, PickleObject, readCheckpoint, readStateDict } from '@shapetex/core';
import { EXPECTED, FIX } from './expect.js';
import { ascii, str, zipWith } from './build-pickle.js';

describe.each(['malicious.pth', 'malicious_legacy.pth'])('%s', (name) => {
  it('loads without executing os.system or exec, and lists them as refused', async () => {
    rmSync(EXPECTED.pwned, { force: true });
    const ck = await readCheckpoint(path.join(FIX, name));
    expect(existsSync(EXPECTED.pwned)).toBe(false);
    expect([...ck.refusedGlobals].sort()).toEqual(['builtins.exec', 'posix.system']);
    const payload = (ck.object as Map<string, unknown>).get('payload') as PickleObject;
    expect(payload).toBeInstanceOf(PickleObject);
    expect(payload.className).toBe('posix.system');
    expect(payload.args).toEqual([`touch ${EXPECTED.pwned}`]);
    const sd = await readStateDict(path.join(FIX, name));
    expect(Array.from(sd.get('w')!.data as Float32Array)).toEqual([1, 1]);
    expect(existsSync(EXPECTED.pwned)).toBe(false);
  });
});

describe('globals from a hand-written pickle', () => {
  it('subprocess.Popen via STACK_GLOBAL + REDUCE and a BUILD on it stay inert', async () => {
    const pkl = new Uint8Array([
      0x80, 0x04, 0x7d, // PROTO 4, EMPTY_DICT
      ...str('x'),
      ...str('subprocess'), ...str('Popen'), 0x93, // STACK_GLOBAL
      ...str('touch /tmp/never'), 0x85, 0x52, // TUPLE1, REDUCE
      0x7d, 0x62, // EMPTY_DICT, BUILD
      0x73, // SETITEM x
      ...str('y'), ...str('builtins'), ...str('eval'), 0x93, // a callable kept as a value
      0x73, // SETITEM y
      0x2e, // STOP
    ]);
    const ck = await readCheckpoint(zipWith({ 'archive/data.pkl': pkl }));
    const obj = ck.object as Map<string, unknown>;
    expect(obj.get('x')).toBeInstanceOf(PickleObject);
    expect((obj.get('x') as PickleObject).args).toEqual(['touch /tmp/never']);
    expect(obj.get('y')).toBeInstanceOf(PickleGlobal);
    expect(ck.refusedGlobals).toEqual(['subprocess.Popen', 'builtins.eval']);
    expect(ck.stateDictPath).toBeNull();
    await expect(readStateDict(zipWith({ 'archive/data.pkl': pkl }))).rejects.toThrow(/no state_dict found/);
  });
});


describe('names that collide with JavaScript object internals', () => {
  it('torch.constructor and torch.__proto__ are refused like any unknown name', async () => {
    const g = (m: string, n: string): number[] => [...str(m), ...str(n), 0x93];
    const pkl = new Uint8Array([0x80, 0x04, 0x5d, 0x28, ...g('torch', 'constructor'), ...g('torch', '__proto__'), ...g('__builtin__', 'toString'), 0x65, 0x2e]);
    const ck = await readCheckpoint(zipWith({ 'archive/data.pkl': pkl }));
    expect(ck.refusedGlobals).toEqual(['torch.constructor', 'torch.__proto__', 'builtins.toString']);
  });

  it('a safetensors dtype named "constructor" is an error, not Object', async () => {
    const header = JSON.stringify({ w: { dtype: 'constructor', shape: [1], data_offsets: [0, 4] } });
    const st = new Uint8Array(8 + header.length + 4);
    new DataView(st.buffer).setBigUint64(0, BigInt(header.length), true);
    st.set(new TextEncoder().encode(header), 8);
    await expect(readCheckpoint(st)).rejects.toThrow(/dtype "constructor"; expected one of F32/);
  });

  it('an argparse.Namespace attribute named __proto__ stays an own property', async () => {
    const pkl = new Uint8Array([
      0x80, 0x02, 0x63, ...ascii('argparse\nNamespace\n'), 0x29, 0x81, // NEWOBJ Namespace()
      0x7d, ...str('__proto__'), ...str('polluted'), 0x73, 0x62, 0x2e, // BUILD {'__proto__': 'polluted'}
    ]);
    const ck = await readCheckpoint(zipWith({ 'archive/data.pkl': pkl }));
    const ns = ck.object as Record<string, unknown>;
    expect(Object.getPrototypeOf(ns)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(ns, '__proto__')?.value).toBe('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
