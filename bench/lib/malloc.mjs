// glibc's allocator settings that the set-up and memory benches compare: `default`, glibc as it
// comes, and `retain`, core's RETAIN_MALLOC_TUNABLES (why: packages/core/src/util/malloc.ts),
// which keeps freed memory mapped for the next checkpoint's session. glibc reads tunables only
// when a process starts, so a bench runs a setting in a child process of its own.
import { RETAIN_MALLOC_TUNABLES } from '@shapetex/core';

export const MALLOC = { default: null, retain: RETAIN_MALLOC_TUNABLES };

/** The environment for a child measuring `variant` (an unknown name is an error, not a default). */
export function mallocEnv(variant, env = process.env) {
  if (!Object.hasOwn(MALLOC, variant)) throw new Error(`unknown --malloc '${variant}' (expected ${Object.keys(MALLOC).join(' or ')})`);
  const { GLIBC_TUNABLES: _, ...rest } = env;
  return MALLOC[variant] === null ? rest : { ...rest, GLIBC_TUNABLES: MALLOC[variant] };
}
