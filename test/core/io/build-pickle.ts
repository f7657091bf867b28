/** Hand-assembled torch zip archives and pickles, for inputs PyTorch would never write. */

export const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** SHORT_BINUNICODE. */
export const str = (s: string): number[] => [0x8c, s.length, ...ascii(s)];

/** BININT (4-byte signed) or, past 32 bits, LONG1 with an 8-byte two's-complement body. */
export function int(n: number | bigint): number[] {
  const b = BigInt(n);
  if (b >= -(2n ** 31n) && b < 2n ** 31n) {
    const dv = new DataView(new ArrayBuffer(4));
    dv.setInt32(0, Number(b), true);
    return [0x4a, ...new Uint8Array(dv.buffer)];
  }
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigInt64(0, b, true);
  return [0x8a, 8, ...new Uint8Array(dv.buffer)];
}

/**
 * A protocol-2 pickle of `{ 'w': <fn>(<storage> '0', offset, shape, stride[, False, OrderedDict()]) }`;
 * `_rebuild_tensor` (torch ≤ 0.4) takes only the first four arguments.
 */
export function tensorPickle(
  shape: (number | bigint)[],
  stride: (number | bigint)[],
  offset: number | bigint = 0,
  { fn = '_rebuild_tensor_v2', storage = 'FloatStorage', legacy = false, before = [] }: {
    fn?: string;
    storage?: string;
    /** Legacy persistent ids carry a sixth element, the view metadata (None). */
    legacy?: boolean;
    /** Opcodes run right after the dict is created (e.g. extra SETITEMs). */
    before?: number[];
  } = {},
): Uint8Array {
  const tuple = (xs: (number | bigint)[]): number[] => [0x28, ...xs.flatMap(int), 0x74];
  const v2Tail = fn === '_rebuild_tensor' ? [] : [0x89, 0x63, ...ascii('collections\nOrderedDict\n'), 0x29, 0x52];
  return new Uint8Array([
    0x80, 0x02, 0x7d, ...before, ...str('w'),
    0x63, ...ascii(`torch._utils\n${fn}\n`),
    0x28, // MARK: argument tuple
    0x28, ...str('storage'), 0x63, ...ascii(`torch\n${storage}\n`), ...str('0'), ...str('cpu'), ...int(4), ...(legacy ? [0x4e] : []), 0x74, 0x51, // persistent id, BINPERSID
    ...int(offset), ...tuple(shape), ...tuple(stride), ...v2Tail,
    0x74, 0x52, // TUPLE, REDUCE
    0x73, 0x2e, // SETITEM, STOP
  ]);
}

/** A stored (uncompressed) zip of the given entries. */
export function zipWith(files: Record<string, Uint8Array>, deflated: Record<string, Uint8Array> = {}, zip64 = false): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = deflated[name] ?? content;
    const n = new TextEncoder().encode(name);
    const loc = new DataView(new ArrayBuffer(30));
    loc.setUint32(0, 0x04034b50, true);
    loc.setUint16(8, deflated[name] ? 8 : 0, true);
    loc.setUint32(18, data.length, true);
    loc.setUint32(22, content.length, true);
    loc.setUint16(26, n.length, true);
    const cen = new DataView(new ArrayBuffer(46));
    cen.setUint32(0, 0x02014b50, true);
    cen.setUint16(10, deflated[name] ? 8 : 0, true);
    // zip64: the 32-bit slots saturate and an extra field (id 1) holds size, compressed size, offset.
    cen.setUint32(20, zip64 ? 0xffffffff : data.length, true);
    cen.setUint32(24, zip64 ? 0xffffffff : content.length, true);
    cen.setUint16(28, n.length, true);
    cen.setUint32(42, zip64 ? 0xffffffff : offset, true);
    const extra = new DataView(new ArrayBuffer(zip64 ? 28 : 0));
    if (zip64) {
      cen.setUint16(30, 28, true);
      extra.setUint16(0, 1, true);
      extra.setUint16(2, 24, true);
      extra.setBigUint64(4, BigInt(content.length), true);
      extra.setBigUint64(12, BigInt(data.length), true);
      extra.setBigUint64(20, BigInt(offset), true);
    }
    parts.push(new Uint8Array(loc.buffer), n, data);
    central.push(new Uint8Array(cen.buffer), n, new Uint8Array(extra.buffer));
    offset += 30 + n.length + data.length;
  }
  const cdSize = central.reduce((a, b) => a + b.length, 0);
  const count = Object.keys(files).length;
  const eocd = new DataView(new ArrayBuffer(22));
  eocd.setUint32(0, 0x06054b50, true);
  eocd.setUint16(8, zip64 ? 0xffff : count, true);
  eocd.setUint16(10, zip64 ? 0xffff : count, true);
  eocd.setUint32(12, zip64 ? 0xffffffff : cdSize, true);
  eocd.setUint32(16, zip64 ? 0xffffffff : offset, true);
  const tail: Uint8Array[] = [];
  if (zip64) {
    const rec = new DataView(new ArrayBuffer(56));
    rec.setUint32(0, 0x06064b50, true);
    rec.setBigUint64(4, 44n, true);
    rec.setBigUint64(24, BigInt(count), true);
    rec.setBigUint64(32, BigInt(count), true);
    rec.setBigUint64(40, BigInt(cdSize), true);
    rec.setBigUint64(48, BigInt(offset), true);
    const locator = new DataView(new ArrayBuffer(20));
    locator.setUint32(0, 0x07064b50, true);
    locator.setBigUint64(8, BigInt(offset + cdSize), true);
    locator.setUint32(16, 1, true);
    tail.push(new Uint8Array(rec.buffer), new Uint8Array(locator.buffer));
  }
  const all = [...parts, ...central, ...tail, new Uint8Array(eocd.buffer)];
  const out = new Uint8Array(all.reduce((a, b) => a + b.length, 0));
  let p = 0;
  for (const a of all) {
    out.set(a, p);
    p += a.length;
  }
  return out;
}

/** A torch zip holding `pickle` as data.pkl and one float32 storage '0' of `values`. */
export function torchZip(pickle: Uint8Array, values: number[] = [1, 2, 3, 4]): Uint8Array {
  return zipWith({ 'archive/data.pkl': pickle, 'archive/data/0': new Uint8Array(new Float32Array(values).buffer) });
}

/** A legacy-format file: magic, protocol 1001, sys_info, `main`, the key list ['0'], then storage '0' of float32 `values`. */
export function legacyFile(main: Uint8Array, values: number[] = [1, 2, 3, 4]): Uint8Array {
  const magic = new Uint8Array(10);
  let m = 0x1950a86a20f9469cfc6cn;
  for (let i = 0; i < 10; i++, m >>= 8n) magic[i] = Number(m & 0xffn);
  const count = new Uint8Array(8);
  new DataView(count.buffer).setBigInt64(0, BigInt(values.length), true);
  const parts = [
    new Uint8Array([0x80, 0x02, 0x8a, 0x0a, ...magic, 0x2e]),
    new Uint8Array([0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e]),
    new Uint8Array([0x80, 0x02, 0x7d, 0x2e]),
    main,
    new Uint8Array([0x80, 0x02, 0x5d, ...str('0'), 0x61, 0x2e]),
    count,
    new Uint8Array(new Float32Array(values).buffer),
  ];
  const out = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
