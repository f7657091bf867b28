/**
 * Transformed filters kept in the kernels' memory between calls. Copying a layer's U in on
 * every call cost as much as its matrix products on small maps (F(4×4) at 512 channels is
 * 36 MB), so each plan's U is copied once and stays at its address until the arena is full;
 * then the arena starts over (an epoch), and plans copy theirs in again on next use. Memory
 * therefore stays bounded while models come and go, one per checkpoint.
 */
import type { WinogradKernels } from './module.js';
import { planFilters, type WinogradPlan } from './plan.js';
import type { TileSize } from './transforms.js';

/** Bytes of transformed filters kept at most: a ResNet-50's F(4×4) filters are about 180 MB. */
const ARENA_BYTES = 256 << 20;

export const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

interface Arena { epoch: number; used: number }
const arenas = new WeakMap<WinogradKernels, Arena>();
/** Where a plan's U lives, per kernels instance (one per thread) and tile size. */
const placed = new WeakMap<WinogradPlan, Map<string, { kernels: WinogradKernels; epoch: number; at: number }>>();

/** Grows the kernels' memory to hold `bytes`; returns a fresh float view of it. */
export function reserve(k: WinogradKernels, bytes: number): Float32Array {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
  return new Float32Array(k.memory.buffer);
}

/**
 * The byte address of the plan's transformed filters for tile size m in the kernels' memory,
 * copied in when not there; `end` is the first free byte after the arena, where a call's
 * scratch may start.
 */
export function residentFilters(k: WinogradKernels, plan: WinogradPlan, m: TileSize, capacity = ARENA_BYTES): { at: number; end: number } {
  let arena = arenas.get(k);
  if (!arena) arenas.set(k, (arena = { epoch: 0, used: 0 }));
  let mine = placed.get(plan);
  if (!mine) placed.set(plan, (mine = new Map()));
  const key = String(m);
  const hit = mine.get(key);
  if (hit && hit.kernels === k && hit.epoch === arena.epoch) return { at: hit.at, end: arena.used };
  const U = planFilters(plan, m);
  const bytes = align(U.length * 4);
  if (arena.used > 0 && arena.used + bytes > capacity) { arena.epoch++; arena.used = 0; }
  const at = arena.used;
  arena.used += bytes;
  reserve(k, arena.used).set(U, at / 4);
  mine.set(key, { kernels: k, epoch: arena.epoch, at });
  return { at, end: arena.used };
}
