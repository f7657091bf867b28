import { PickleObject } from './pickle-values.js';
import type { StateDict, TensorEntry } from './types.js';

/** Keys under which training scripts keep the weights, in the order docs/formats.md gives. */
export const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'ema'] as const;

const MAX_WRAPPER_DEPTH = 4;

/** A decoded tensor (not a numpy array, not a placeholder). */
export function isTensorEntry(v: unknown): v is TensorEntry {
  if (typeof v !== 'object' || v === null || v instanceof PickleObject || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const t = v as Partial<TensorEntry>;
  return typeof t.dtype === 'string' && Array.isArray(t.shape) && ArrayBuffer.isView(t.data);
}

export interface FoundStateDict {
  stateDict: StateDict;
  /** Where it was found: '' for a bare state_dict, else the wrapper keys joined with '.'. */
  path: string;
}

/**
 * Finds the model's weights in a decoded checkpoint: a wrapper key (`state_dict`,
 * `model_state_dict`, `model`, `net`, `ema`, looked into recursively, so `{ ema: { model: … } }`
 * works), else the dict's own tensor entries (a bare state_dict), else a whole pickled
 * `nn.Module` (its `_parameters`/`_buffers`/`_modules`, decoded as inert data). A leading
 * `module.` (DataParallel, EMA wrappers) is removed when every name carries it.
 */
export function findStateDict(object: unknown): FoundStateDict | null {
  const found = search(object, 0, '');
  if (!found) return null;
  return { stateDict: stripModulePrefix(found.stateDict), path: found.path };
}

function search(v: unknown, depth: number, path: string): FoundStateDict | null {
  if (depth > MAX_WRAPPER_DEPTH) return null;
  if (v instanceof PickleObject) {
    const sd = moduleStateDict(v);
    return sd && sd.size > 0 ? { stateDict: sd, path } : null;
  }
  if (!(v instanceof Map)) return null;
  for (const key of STATE_DICT_KEYS) {
    if (!v.has(key)) continue;
    const inner = search(v.get(key), depth + 1, path ? `${path}.${key}` : key);
    if (inner) return inner;
  }
  const sd: StateDict = new Map();
  for (const [k, t] of v) if (typeof k === 'string' && isTensorEntry(t)) sd.set(k, t);
  return sd.size > 0 ? { stateDict: sd, path } : null;
}

/** torch.save(model): nn.Module.__dict__ holds `_parameters`, `_buffers` and child `_modules`. */
function moduleStateDict(root: PickleObject): StateDict | null {
  if (!(root.state instanceof Map) || !root.state.has('_modules')) return null;
  const out: StateDict = new Map();
  const seen = new Set<PickleObject>();
  // An explicit stack, not recursion: a module tree is as deep as the file makes it.
  const todo: [PickleObject, string][] = [[root, '']];
  while (todo.length > 0) {
    const [m, prefix] = todo.pop()!;
    if (seen.has(m)) continue;
    seen.add(m);
    const state = m.state;
    if (!(state instanceof Map)) continue;
    for (const field of ['_parameters', '_buffers']) {
      const d = state.get(field);
      if (d instanceof Map) for (const [k, t] of d) if (typeof k === 'string' && isTensorEntry(t)) out.set(prefix + k, t);
    }
    const children = state.get('_modules');
    if (children instanceof Map) {
      // Pushed in reverse so they pop in the file's order: names come out as a recursive walk gives them.
      const kids = [...children].filter((kv): kv is [string, PickleObject] => typeof kv[0] === 'string' && kv[1] instanceof PickleObject);
      for (let i = kids.length - 1; i >= 0; i--) todo.push([kids[i]![1], `${prefix}${kids[i]![0]}.`]);
    }
  }
  return out;
}

function stripModulePrefix(sd: StateDict): StateDict {
  let cur = sd;
  while (cur.size > 0 && [...cur.keys()].every((k) => k.startsWith('module.'))) {
    const next: StateDict = new Map();
    for (const [k, t] of cur) next.set(k.slice('module.'.length), t);
    cur = next;
  }
  return cur;
}
