/**
 * The inert JavaScript forms of Python objects the unpickler cannot (or must not) rebuild.
 * Python dicts become `Map`s, lists and tuples arrays, str strings, bytes `Uint8Array`s, ints
 * numbers (or `bigint` past 2^53), floats numbers, None `null`, sets `Set`s.
 */

/** A `module.name` reference read from a GLOBAL opcode. Never imported, never called. */
export class PickleGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * What calling or instantiating an unknown global yields: a record of the class name, the
 * arguments it would have been called with, and whatever the pickle then put into it
 * (BUILD state, appended items, set items). Nothing of the class runs.
 */
export class PickleObject {
  state: unknown = undefined;
  listItems: unknown[] | undefined = undefined;
  dictItems: Map<unknown, unknown> | undefined = undefined;
  constructor(readonly className: string, readonly args: unknown[]) {}
}
