/**
 * Transformed filters kept in tfjs-wasm's heap between calls. Copying a layer's U in on every
 * call cost as much as its matrix products on small maps (F(4×4) at 512 channels is 36 MB),
 * so each plan's U (with its bias) is copied once and stays at its address until the arena
 * is full; then every block is freed and the arena starts over (an epoch), and plans copy
 * theirs in again on next use. Memory therefore stays bounded while models come and go, one
 * per checkpoint.
 */
import type { WinogradKernels } from './module.js';
import { planFilters, type WinogradPlan } from './plan.js';
import type { TileSize } from './transforms.js';

/** Bytes of transformed filters kept at most: a ResNet-50's F(4×4) filters are about 180 MB. */
const ARENA_BYTES = 256 << 20;

/** 64-byte alignment: a cache line, and whole SIMD vectors. */
export const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** A malloc'd block with a 64-byte aligned start; `free` takes `block`. */
export function allocAligned(k: WinogradKernels, bytes: number, what: string): { block: number; at: number } {
  const block = k.alloc(bytes + 64);
  if (!block) throw new Error(`winograd: tfjs-wasm's heap has no room for ${what} (${bytes} bytes)`);
  return { block, at: align(block) };
}

interface Arena { epoch: number; used: number; blocks: number[] }
const arenas = new WeakMap<WinogradKernels, Arena>();
/** Where a plan's filters live, per kernels instance (one per tfjs-wasm heap) and tile size. */
const placed = new WeakMap<WinogradPlan, Map<TileSize, { kernels: WinogradKernels; epoch: number; U: number; bias: number }>>();

/**
 * The byte addresses of the plan's transformed filters for tile size m, and of its bias, in
 * the kernels' memory, copied in when not there.
 */
export function residentFilters(k: WinogradKernels, plan: WinogradPlan, m: TileSize, capacity = ARENA_BYTES): { U: number; bias: number } {
  let arena = arenas.get(k);
  if (!arena) arenas.set(k, (arena = { epoch: 0, used: 0, blocks: [] }));
  let mine = placed.get(plan);
  if (!mine) placed.set(plan, (mine = new Map()));
  const hit = mine.get(m);
  if (hit && hit.kernels === k && hit.epoch === arena.epoch) return { U: hit.U, bias: hit.bias };
  const U = planFilters(plan, m);
  const bytes = (U.length + plan.K) * 4;
  if (arena.used > 0 && arena.used + bytes > capacity) {
    for (const block of arena.blocks) k.free(block);
    arena.blocks = [];
    arena.epoch++;
    arena.used = 0;
  }
  const { block, at } = allocAligned(k, bytes, `the transformed filters of a ${plan.C} → ${plan.K} convolution`);
  arena.blocks.push(block);
  arena.used += bytes;
  const heap = new Float32Array(k.memory.buffer);
  heap.set(U, at / 4);
  heap.set(plan.bias, at / 4 + U.length);
  const where = { kernels: k, epoch: arena.epoch, U: at, bias: at + U.length * 4 };
  mine.set(m, where);
  return { U: where.U, bias: where.bias };
}
