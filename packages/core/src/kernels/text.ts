/** Small builders of WebAssembly text shared by the kernel generators, and the GEMM's row count. */

/** Rows of the GEMM micro-kernel: MR rows × 8 columns keep 2·MR accumulators in registers. */
export const MR = 4;

/**
 * What the generated text may use beyond SIMD128. `fma`: relaxed SIMD's f32x4.relaxed_madd,
 * one fused multiply-add instruction where the CPU has FMA (x86 FMA3, Arm NEON) instead of a
 * multiply and an add: the relaxed form may or may not round once, so results move within
 * float rounding, never more.
 */
export interface WatFeatures {
  fma: boolean;
}

export const ZERO = '(v128.const i32x4 0 0 0 0)';
export const get = (n: string) => `(local.get $${n})`;
export const addr = (base: string, offset: string) => `(i32.add ${base} ${offset})`;
export const i32 = (v: number) => `(i32.const ${v})`;
export const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
export const set = (n: string, v: string) => `(local.set $${n} ${v})`;
export const splat = (c: number) => `(v128.const f32x4 ${c} ${c} ${c} ${c})`;

/** a·b + c on f32x4 values: one relaxed_madd with `fma`, else a multiply and an add. */
export function madd(a: string, b: string, c: string, { fma }: WatFeatures): string {
  return fma ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add ${c} (f32x4.mul ${a} ${b}))`;
}
