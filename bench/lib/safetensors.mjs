// Minimal safetensors writer (8-byte little-endian header length, JSON header, raw tensors) so
// the end-to-end benchmark can make checkpoints where PyTorch is absent.
import { writeFileSync, renameSync } from 'node:fs';

const DTYPES = { float32: 'F32', int64: 'I64' };

export function writeSafetensors(file, stateDict) {
  const header = {};
  const chunks = [];
  let offset = 0;
  for (const [name, { dtype, shape, data }] of stateDict) {
    const code = DTYPES[dtype];
    if (!code) throw new Error(`writeSafetensors: ${name} has dtype ${dtype}; only ${Object.keys(DTYPES).join(', ')}`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    header[name] = { dtype: code, shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // keeps the data 8-byte aligned
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  writeFileSync(file + '.tmp', Buffer.concat([head, Buffer.from(json), ...chunks]));
  renameSync(file + '.tmp', file);
}
