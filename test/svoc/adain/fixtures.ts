import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ADAIN_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/adain');

export interface Entry { dtype: 'float32'; shape: number[]; data: Float32Array }

export const f32 = (name: string): Float32Array => {
  const b = readFileSync(path.join(ADAIN_FIXTURES, name));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** A state_dict from the raw dump the fixture script writes beside each .pth file. */
export function rawStateDict(stem: string): Map<string, Entry> {
  const flat = f32(`${stem}.f32`);
  const table = JSON.parse(readFileSync(path.join(ADAIN_FIXTURES, `${stem}.keys.json`), 'utf8')) as { key: string; shape: number[]; offset: number }[];
  const sd = new Map<string, Entry>();
  for (const t of table) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    sd.set(t.key, { dtype: 'float32', shape: t.shape, data: flat.slice(t.offset, t.offset + n) });
  }
  return sd;
}

export interface AdainMeta { content: number[]; style: number[]; out: number[]; widths: number[]; relu4_1_shape: number[] }
export const meta = (): AdainMeta => JSON.parse(readFileSync(path.join(ADAIN_FIXTURES, 'adain.json'), 'utf8')) as AdainMeta;

export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
