import { CheckpointError } from './errors.js';
import { NumpyArray } from './numpy.js';
import { PickleObject } from './pickle-values.js';

/**
 * The values a decoded container holds. Only the containers the unpickler builds are walked:
 * arrays (lists, tuples), Maps (dicts), Sets, placeholder objects, numpy arrays whose raw data
 * is an object, and plain records (argparse namespaces, tensor entries). Typed arrays, strings
 * and numbers are leaves.
 */
function childrenOf(v: object): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (v instanceof Map) {
    const out: unknown[] = [];
    for (const [k, x] of v) out.push(k, x);
    return out;
  }
  if (v instanceof Set) return [...v];
  if (v instanceof PickleObject) {
    const out: unknown[] = [...v.args, v.state];
    if (v.listItems) out.push(v.listItems);
    if (v.dictItems) out.push(v.dictItems);
    return out;
  }
  if (v instanceof NumpyArray) return [v.data];
  if (ArrayBuffer.isView(v)) return null;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto === null || proto === Object.prototype) return Object.values(v);
  return null;
}

/**
 * Checks a decoded pickle value, iteratively, for reference cycles (a list that contains itself,
 * directly or through other objects) and for nesting deeper than `maxDepth`. A pickle can fill a
 * container after nesting it, so depth can only be known from the finished graph; doing it here
 * lets every later walk (state_dict search, module trees, printing) recurse safely. Shared
 * objects (memo references) are visited once: the walk is linear in the objects decoded.
 */
export function checkObjectGraph(label: string, root: unknown, maxDepth: number): void {
  if (typeof root !== 'object' || root === null) return;
  /** Height of each finished object (1 for a container of leaves). */
  const height = new Map<object, number>();
  const onPath = new Set<object>();
  const frames: { node: object; children: unknown[]; next: number; height: number }[] = [];
  const enter = (node: object): void => {
    const children = childrenOf(node);
    if (children === null) {
      height.set(node, 0);
      return;
    }
    if (frames.length >= maxDepth) throw new CheckpointError(label, `pickle objects nested deeper than ${maxDepth} levels`);
    onPath.add(node);
    frames.push({ node, children, next: 0, height: 1 });
  };
  enter(root);
  while (frames.length > 0) {
    const f = frames[frames.length - 1]!;
    if (f.next === f.children.length) {
      frames.pop();
      onPath.delete(f.node);
      height.set(f.node, f.height);
      if (frames.length > 0) {
        const parent = frames[frames.length - 1]!;
        parent.height = Math.max(parent.height, f.height + 1);
      }
      continue;
    }
    const c = f.children[f.next++];
    if (typeof c !== 'object' || c === null) continue;
    if (onPath.has(c)) throw new CheckpointError(label, `pickle holds a reference cycle (a ${describe(c)} that contains itself); refused, since no checkpoint needs one`);
    const h = height.get(c);
    if (h !== undefined) {
      f.height = Math.max(f.height, h + 1);
      if (frames.length + h > maxDepth) throw new CheckpointError(label, `pickle objects nested deeper than ${maxDepth} levels`);
      continue;
    }
    enter(c);
  }
}

function describe(v: object): string {
  if (Array.isArray(v)) return 'list';
  if (v instanceof Map) return 'dict';
  if (v instanceof Set) return 'set';
  if (v instanceof PickleObject) return `${v.className} object`;
  return 'object';
}
