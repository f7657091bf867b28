/** A minimal safetensors writer for tests: float32 tensors (int64 kept as int64), header then data (the format's spec). */
import { writeFileSync } from 'node:fs';
import type { StateDict } from '@shapetex/core';

export function writeSafetensors(file: string, sd: StateDict): void {
  const header: Record<string, unknown> = {};
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, e] of sd) {
    const f = e.data instanceof BigInt64Array ? e.data : Float32Array.from(e.data as ArrayLike<number>);
    header[name] = { dtype: f instanceof BigInt64Array ? 'I64' : 'F32', shape: e.shape, data_offsets: [offset, offset + f.byteLength] };
    parts.push(Buffer.from(f.buffer));
    offset += f.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([len, json, ...parts]));
}
