/** Small builders of WebAssembly text shared by the kernel generators, and the GEMM's row count. */

/** Rows of the GEMM micro-kernel: MR rows × 8 columns keep 2·MR accumulators in registers. */
export const MR = 4;

export const ZERO = '(v128.const i32x4 0 0 0 0)';
export const get = (n: string) => `(local.get $${n})`;
export const addr = (base: string, offset: string) => `(i32.add ${base} ${offset})`;
export const i32 = (v: number) => `(i32.const ${v})`;
export const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
export const set = (n: string, v: string) => `(local.set $${n} ${v})`;
