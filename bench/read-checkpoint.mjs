// Reads one checkpoint with readStateDict and reports wall time, peak RSS and the bytes held by
// its tensors, so "no second copy" can be checked: peak RSS ≈ baseline + tensor bytes.
// Usage: node bench/read-checkpoint.mjs <checkpoint> [more checkpoints…]
// (make a ~500 MB one with torch in /tmp; do not commit it)
import { readStateDict } from '@shapetex/core';
import { statSync } from 'node:fs';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node bench/read-checkpoint.mjs <checkpoint>…');
  process.exit(2);
}
const MB = 1024 * 1024;
let peak = process.memoryUsage().rss;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
for (const file of files) {
  global.gc?.();
  const base = process.memoryUsage().rss;
  peak = base;
  const t0 = performance.now();
  const sd = await readStateDict(file);
  const ms = performance.now() - t0;
  peak = Math.max(peak, process.memoryUsage().rss);
  let tensorBytes = 0;
  const buffers = new Set();
  for (const t of sd.values()) if (!buffers.has(t.data.buffer)) { buffers.add(t.data.buffer); tensorBytes += t.data.buffer.byteLength; }
  console.log(JSON.stringify({
    file, fileMB: +(statSync(file).size / MB).toFixed(1), tensors: sd.size, ms: Math.round(ms),
    baselineRssMB: Math.round(base / MB), peakRssMB: Math.round(peak / MB), heldBuffersMB: Math.round(tensorBytes / MB),
    overheadMB: Math.round((peak - base - tensorBytes) / MB),
  }));
}
clearInterval(timer);
