/**
 * A frozen name → value table without a prototype: names read from a file (`constructor`,
 * `__proto__`, `toString`) must find nothing rather than Object.prototype's members.
 */
export function lookupTable<T>(entries: Record<string, T>): Readonly<Partial<Record<string, T>>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
