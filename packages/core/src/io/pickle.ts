import { OBJECT_COST, type MemoryBudget } from './budget.js';
import { CheckpointError } from './errors.js';
import { checkObjectGraph } from './pickle-graph.js';
import { PickleGlobal, PickleObject } from './pickle-values.js';

/**
 * A restricted unpickler: a pure data decoder for pickle protocols 0–5 as torch writes them.
 * GLOBAL/STACK_GLOBAL only ever produce a `PickleGlobal` name; REDUCE/NEWOBJ/BUILD go through
 * the caller's `call`/`build` hooks, which decode a fixed set of known names with our own code
 * and turn everything else into an inert `PickleObject`. Nothing named in the file is imported,
 * evaluated or called. Every length is checked against the bytes that remain; every object made
 * is charged to the read's memory budget; and the decoded value is checked to be acyclic and at
 * most MAX_NESTING deep (containers can be filled after they were nested, so only a walk of the
 * finished graph can say), so later tree walks can neither loop nor overflow the stack.
 */
export interface UnpickleHooks {
  /** BINPERSID / PERSID: the pickled persistent id → the object it stands for. */
  persistentLoad(pid: unknown): unknown;
  /** REDUCE / NEWOBJ on a global: a decoded value, or an inert PickleObject. */
  call(fn: PickleGlobal, args: unknown[]): unknown;
  /** GLOBAL / STACK_GLOBAL: record the name (e.g. as refused) and return its inert reference. */
  global(module: string, name: string): PickleGlobal;
  /** BUILD: apply `state` to `obj`; return false to fall back to the default handling. */
  build?(obj: unknown, state: unknown): boolean;
}

export interface UnpickleResult {
  value: unknown;
  /** Offset just past the STOP opcode (legacy torch files hold several pickles back to back). */
  end: number;
}

/** Thrown when the buffer ends before STOP, so a caller reading a file in chunks can fetch more. */
export class PickleNeedsMoreBytes extends Error {}

export const MAX_NESTING = 1000;
/** Python ints wider than this are refused: no checkpoint holds one, and parsing them is quadratic. */
const MAX_LONG_BYTES = 1024;

const MARK = Symbol('mark');

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function unpickle(bytes: Uint8Array, start: number, label: string, hooks: UnpickleHooks, opts: { partial?: boolean; budget?: MemoryBudget } = {}): UnpickleResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength;
  let pos = start;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();
  const budget = opts.budget;
  const cost = (bytes: number): void => budget?.charge(bytes, 'the objects of the pickle');
  const container = <T>(v: T, slots = 0): T => {
    cost(OBJECT_COST.container + slots * OBJECT_COST.slot);
    return v;
  };

  const fail = (msg: string): never => {
    throw new CheckpointError(label, `pickle at byte ${pos}: ${msg}`);
  };
  const need = (n: number): void => {
    if (!Number.isSafeInteger(n) || n < 0) fail(`invalid length ${n}`);
    if (pos + n > end) {
      if (opts.partial) throw new PickleNeedsMoreBytes();
      fail(`needs ${n} bytes but only ${end - pos} remain (truncated pickle)`);
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) fail('no MARK to pop to');
    stack = prev as unknown[];
    return items;
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++]!;
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`length ${v} is absurd`);
    return Number(v);
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const b = bytes.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const str = (n: number): string => {
    const b = take(n);
    cost(OBJECT_COST.string + 2 * n);
    try {
      return utf8.decode(b);
    } catch {
      return fail('string is not valid UTF-8');
    }
  };
  const latin1 = (b: Uint8Array): string => {
    cost(OBJECT_COST.string + 2 * b.length);
    let s = '';
    for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
    return s;
  };
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) {
      if (opts.partial) throw new PickleNeedsMoreBytes();
      fail('unterminated text line');
    }
    const s = latin1(bytes.subarray(pos, nl));
    pos = nl + 1;
    return s;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) fail(`memo key ${i} was never stored`);
    return memo.get(i);
  };
  const intValue = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
  const longLE = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    if (b.length > MAX_LONG_BYTES) fail(`integer of ${b.length} bytes is too large`);
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    return intValue(v);
  };
  const textInt = (s: string): number | bigint | boolean => {
    const t = s.endsWith('L') ? s.slice(0, -1) : s;
    if (t === '00') return false;
    if (t === '01') return true;
    if (!/^[-+]?\d{1,400}$/.test(t)) fail(`bad integer literal "${s.slice(0, 40)}"`);
    return intValue(BigInt(t));
  };
  const call = (fn: unknown, args: unknown): unknown => {
    if (!Array.isArray(args)) fail('call arguments are not a tuple');
    const argv = args as unknown[];
    let out: unknown;
    if (fn instanceof PickleGlobal) out = hooks.call(fn, argv);
    else if (fn instanceof PickleObject) out = new PickleObject(`${fn.className}()`, argv);
    else return fail('REDUCE/NEWOBJ on something that is not a class or function');
    if (typeof out === 'object' && out !== null) cost(OBJECT_COST.container + argv.length * OBJECT_COST.slot);
    return out;
  };
  const setItems = (target: unknown, kv: unknown[]): void => {
    if (kv.length % 2 !== 0) fail('SETITEMS with an odd number of items');
    let map: Map<unknown, unknown>;
    if (target instanceof Map) map = target;
    else if (target instanceof PickleObject) map = target.dictItems ??= new Map();
    else return fail('SETITEM(S) on something that is not a dict');
    cost((kv.length / 2) * 2 * OBJECT_COST.slot);
    for (let i = 0; i < kv.length; i += 2) map.set(kv[i], kv[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    let list: unknown[];
    if (Array.isArray(target)) list = target;
    else if (target instanceof PickleObject) list = target.listItems ??= [];
    else return fail('APPEND(S) on something that is not a list');
    cost(items.length * OBJECT_COST.slot);
    for (const it of items) list.push(it);
  };
  const addItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Set)) return fail('ADDITEMS on something that is not a set');
    cost(items.length * 2 * OBJECT_COST.slot);
    for (const it of items) target.add(it);
  };
  const tuple = (items: unknown[]): unknown[] => items;
  const putMemo = (i: number): void => {
    cost(OBJECT_COST.slot);
    memo.set(i, top());
  };

  for (;;) {
    const at = pos;
    const op = u8();
    // Every opcode may leave one more slot on the stack, even those that allocate nothing.
    cost(8);
    switch (op) {
      case 0x80: { // PROTO
        const v = u8();
        if (v > 5) fail(`unsupported pickle protocol ${v}`);
        break;
      }
      case 0x95: u64(); break; // FRAME: framing is advisory, the opcodes follow inline.
      case 0x2e: { // STOP
        const value = pop();
        checkObjectGraph(label, value, MAX_NESTING);
        return { value, end: pos };
      }
      case 0x28: metastack.push(stack); stack = container([]); break; // MARK
      case 0x30: if (stack.length) stack.pop(); else popMark(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: cost(OBJECT_COST.slot); stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: need(4); stack.push(view.getInt32(pos, true)); pos += 4; break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(longLE(take(u8()))); break; // LONG1
      case 0x8b: { // LONG4
        need(4);
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) fail('negative LONG4 length');
        stack.push(longLE(take(n)));
        break;
      }
      case 0x49: stack.push(textInt(line())); break; // INT
      case 0x4c: stack.push(textInt(line())); break; // LONG
      case 0x47: need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; // BINFLOAT (big-endian)
      case 0x46: { // FLOAT
        const s = line().trim();
        const v = Number(s);
        if (s === '' || (Number.isNaN(v) && !/^[-+]?nan$/i.test(s))) fail(`bad float literal "${s.slice(0, 40)}"`);
        stack.push(v);
        break;
      }
      case 0x58: stack.push(str(u32())); break; // BINUNICODE
      case 0x8c: stack.push(str(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(str(u64())); break; // BINUNICODE8
      case 0x54: { // BINSTRING (Python 2 str; decoded as latin-1 like encoding='latin1')
        need(4);
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) fail('negative BINSTRING length');
        stack.push(latin1(take(n)));
        break;
      }
      case 0x55: stack.push(latin1(take(u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(take(u32())); break; // BINBYTES
      case 0x43: stack.push(take(u8())); break; // SHORT_BINBYTES
      case 0x8e: stack.push(take(u64())); break; // BINBYTES8
      case 0x96: { const b = take(u64()); cost(b.length); stack.push(b.slice()); break; } // BYTEARRAY8
      case 0x97: case 0x98: fail('out-of-band pickle buffers are not supported'); break; // NEXT_BUFFER, READONLY_BUFFER
      case 0x29: stack.push(container([])); break; // EMPTY_TUPLE
      case 0x5d: stack.push(container([])); break; // EMPTY_LIST
      case 0x7d: stack.push(container(new Map())); break; // EMPTY_DICT
      case 0x8f: stack.push(container(new Set())); break; // EMPTY_SET
      case 0x85: stack.push(container([pop()], 1)); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(container([a, b], 2)); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(container([a, b, c], 3)); break; } // TUPLE3
      case 0x74: { const items = popMark(); stack.push(tuple(items)); break; } // TUPLE (the MARK's array, charged there)
      case 0x6c: { const items = popMark(); stack.push(tuple(items)); break; } // LIST
      case 0x64: { const items = popMark(); const m = container(new Map()); stack.push(m); setItems(m, items); break; } // DICT
      case 0x91: { const items = popMark(); const s = container(new Set()); addItems(s, items); stack.push(s); break; } // FROZENSET
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x90: { const items = popMark(); addItems(top(), items); break; } // ADDITEMS
      case 0x71: putMemo(u8()); break; // BINPUT
      case 0x72: putMemo(u32()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x70: { // PUT
        const s = line();
        if (!/^\d{1,10}$/.test(s)) fail(`bad PUT index "${s.slice(0, 20)}"`);
        putMemo(Number(s));
        break;
      }
      case 0x68: stack.push(memoGet(u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET
      case 0x67: { // GET
        const s = line();
        if (!/^\d{1,10}$/.test(s)) fail(`bad GET index "${s.slice(0, 20)}"`);
        stack.push(memoGet(Number(s)));
        break;
      }
      case 0x63: { const module = line(); const name = line(); stack.push(hooksGlobal(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(hooksGlobal(module as string, name as string));
        break;
      }
      case 0x82: case 0x83: case 0x84: { // EXT1, EXT2, EXT4: copyreg's extension registry, never consulted.
        const code = op === 0x82 ? u8() : op === 0x83 ? u16() : u32();
        stack.push(hooksGlobal('copyreg.extension', String(code)));
        break;
      }
      case 0x51: stack.push(hooks.persistentLoad(pop())); break; // BINPERSID
      case 0x50: stack.push(hooks.persistentLoad(line())); break; // PERSID
      case 0x52: { const args = pop(); const fn = pop(); stack.push(call(fn, args)); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(call(cls, args)); break; } // NEWOBJ
      case 0x92: { pop(); const args = pop(); const cls = pop(); stack.push(call(cls, args)); break; } // NEWOBJ_EX (kwargs dropped)
      case 0x69: { // INST
        const module = line();
        const name = line();
        const args = popMark();
        stack.push(call(hooksGlobal(module, name), tuple(args)));
        break;
      }
      case 0x6f: { // OBJ
        const items = popMark();
        if (items.length === 0) fail('OBJ without a class');
        stack.push(call(items[0], tuple(items.slice(1))));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const obj = top();
        if (hooks.build?.(obj, state)) break;
        if (obj instanceof PickleObject) obj.state = state;
        // A BUILD on a decoded dict (OrderedDict's `_metadata`) or list carries attributes we do not keep.
        break;
      }
      case 0x53: case 0x56: fail(`protocol-0 string opcode ${String.fromCharCode(op)} is not supported`); break;
      default:
        pos = at;
        fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }

  function hooksGlobal(module: string, name: string): PickleGlobal {
    if (module.length > 512 || name.length > 512) fail('global name too long');
    return hooks.global(module, name);
  }
}
