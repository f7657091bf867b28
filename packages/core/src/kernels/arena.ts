/**
 * Filters kept in tfjs-wasm's heap between calls, in the layout the GEMM reads. Copying a
 * layer's Winograd U in on every call cost as much as its matrix products on small maps
 * (F(4×4) at 512 channels is 36 MB), so each plan's filters (with the bias) are copied once
 * and stay at their address until the arena is full; then every block is freed and the arena
 * starts over (an epoch), and plans copy theirs in again on next use. Memory therefore stays bounded while models come and go, one
 * per checkpoint.
 */
import type { ConvKernels } from './module.js';

/** Bytes of filters kept at most: a ResNet-50's F(4×4) filters are about 180 MB. */
const ARENA_BYTES = 256 << 20;

/** 64-byte alignment: a cache line, and whole SIMD vectors. */
export const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** A malloc'd block with a 64-byte aligned start; `free` takes `block`. */
export function allocAligned(k: ConvKernels, bytes: number, what: string): { block: number; at: number } {
  const block = k.alloc(bytes + 64);
  if (!block) throw new Error(`winograd: tfjs-wasm's heap has no room for ${what} (${bytes} bytes)`);
  return { block, at: align(block) };
}

interface Arena { epoch: number; used: number; blocks: Set<number> }
/** One arena per tfjs-wasm heap, shared by the kernels' instances on it (with and without FMA). */
const arenas = new WeakMap<WebAssembly.Memory, Arena>();
interface Placement { kernels: ConvKernels; epoch: number; block: number; bytes: number; at: number[] }
/** Where an owner's (a conv plan's) arrays live, per key. */
const placed = new WeakMap<object, Map<string, Placement>>();

function arenaOf(k: ConvKernels): Arena {
  let arena = arenas.get(k.memory);
  if (!arena) arenas.set(k.memory, (arena = { epoch: 0, used: 0, blocks: new Set() }));
  return arena;
}

/**
 * The byte addresses, in the kernels' memory, of the arrays an owner keeps there under `key`
 * (a conv's transformed filters and bias), copied in when not there; `arrays` makes them on a
 * miss. Each array starts 16-byte aligned.
 */
export function resident(k: ConvKernels, owner: object, key: string, arrays: () => Float32Array[], capacity = ARENA_BYTES): number[] {
  const arena = arenaOf(k);
  let mine = placed.get(owner);
  if (!mine) placed.set(owner, (mine = new Map()));
  const hit = mine.get(key);
  if (hit && hit.kernels.memory === k.memory && hit.epoch === arena.epoch) return hit.at;
  const values = arrays();
  const sizes = values.map((v) => Math.ceil(v.length / 4) * 16);
  const bytes = sizes.reduce((s, b) => s + b, 0);
  if (arena.used > 0 && arena.used + bytes > capacity) {
    for (const block of arena.blocks) k.free(block);
    arena.blocks.clear();
    arena.epoch++;
    arena.used = 0;
  }
  const { block, at: start } = allocAligned(k, bytes, `a convolution's filters (${key})`);
  arena.blocks.add(block);
  arena.used += bytes;
  const heap = new Float32Array(k.memory.buffer);
  const at: number[] = [];
  let next = start;
  values.forEach((v, i) => { at.push(next); heap.set(v, next / 4); next += sizes[i]!; });
  mine.set(key, { kernels: k, epoch: arena.epoch, block, bytes, at });
  return at;
}

/**
 * Frees what an owner keeps in the arena (its model is being disposed), so a run that loads
 * one small model per checkpoint does not fill the arena with dead filters before it starts over.
 */
export function releaseResident(owner: object): void {
  const mine = placed.get(owner);
  if (!mine) return;
  for (const p of mine.values()) {
    const arena = arenas.get(p.kernels.memory);
    if (arena && p.epoch === arena.epoch && arena.blocks.delete(p.block)) {
      p.kernels.free(p.block);
      arena.used -= p.bytes;
    }
  }
  placed.delete(owner);
}

/** Bytes the arena of these kernels' heap holds now (for tests and the memory bench). */
export function residentBytes(k: ConvKernels): number {
  return arenas.get(k.memory)?.used ?? 0;
}
