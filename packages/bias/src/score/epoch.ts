/**
 * Epochs of checkpoints from their names and the order of a checkpoint folder (the rules are
 * listed in docs/checkpoints.md). Pure functions of strings.
 *
 * Digits that belong to a word are never an epoch: `resnet18`, `vgg16`, `b0` name an
 * architecture and `0676ba61` is a hash, so only a number marked as an epoch (`epoch7`,
 * `7epochs`, `ep7`, `e007`) or a number standing alone between separators (`net_100`) counts.
 */

/** Which rule gave a checkpoint its epoch. */
export type EpochSource = 'after-epoch' | 'before-epoch' | 'after-ep' | 'entry' | 'last-integer' | 'none';

export interface NameEpoch {
  epoch: number | null;
  source: EpochSource;
}

// `epoch0042`, `epoch=7`, `epoch_7`, `epoch-7`, `Epoch 7`: the separator is optional.
const AFTER_EPOCH = /epoch[_=\-\s]?(\d+)/i;
// `1000epochs`, `30_epoch`: a number right before the word, which must end there (`epochs_`),
// so `3epochsfoo` is not taken for a count of epochs.
// The number must be a word of its own: in `resnet18_epoch_best` the 18 names the architecture.
const BEFORE_EPOCH = /(?<![a-z0-9])(\d+)[_\-\s]?epochs?(?![a-z])/i;
// `ep3`, `e042`: the short marker must start a word (`_ep3`, not `step3` or `resnet_e2e`) and
// the digits must end it, so a hash such as `e0676ba6` is not read as epoch 676.
const AFTER_EP = /(?:^|[^a-z0-9])(?:ep|e)[_=\-]?(\d+)(?![a-z0-9])/i;
// A number that is a word of its own: bounded by separators or the ends of the name.
const NUMBER_WORD = /(?<![a-z0-9])\d+(?![a-z0-9])/gi;
// Longer digit words are dates, timestamps or hashes, not epoch counts.
const MAX_EPOCH_DIGITS = 6;

/** The name a checkpoint's epoch is read from: a TF.js `model.json` is named by its folder. */
export function checkpointName(relPath: string): string {
  const parts = relPath.split(/[\\/]/).filter((p) => p.length > 0);
  const base = parts[parts.length - 1] ?? '';
  if (base.toLowerCase() === 'model.json' && parts.length > 1) return parts[parts.length - 2]!;
  return stripExtension(base);
}

function stripExtension(base: string): string {
  // `.pth.tar` is one checkpoint extension in practice (torchvision's reference scripts).
  return base.replace(/\.pth\.tar$/i, '').replace(/\.[a-z0-9]+$/i, '');
}

/** Folders holding the checkpoint, innermost first (excluding the one `checkpointName` used). */
function enclosingFolders(relPath: string): string[] {
  const parts = relPath.split(/[\\/]/).filter((p) => p.length > 0);
  const base = parts[parts.length - 1] ?? '';
  const usedFolder = base.toLowerCase() === 'model.json' && parts.length > 1 ? 1 : 0;
  return parts.slice(0, parts.length - 1 - usedFolder).reverse();
}

/**
 * The epoch given by the name rules that come before the checkpoint's own entry: the number
 * right after `epoch` (`_epoch0042_` → 42, `epoch=7`, `epoch_7`), else the number right before
 * `epoch`/`epochs` (`_1000epochs_` → 1000), else the number right after a word-initial `ep` or
 * `e` (`_ep3` → 3, `_e042` → 42). Looked for in the checkpoint's name first, then in its
 * enclosing folders innermost first (`epoch_0003/model.json`, `epoch_7/weights.pth`). Null when
 * no rule applies.
 */
export function epochFromNameRules(relPath: string): NameEpoch {
  const names = [checkpointName(relPath), ...enclosingFolders(relPath)];
  for (const name of names) {
    const after = AFTER_EPOCH.exec(name);
    if (after) return { epoch: Number.parseInt(after[1]!, 10), source: 'after-epoch' };
    const before = BEFORE_EPOCH.exec(name);
    if (before) return { epoch: Number.parseInt(before[1]!, 10), source: 'before-epoch' };
    const short = AFTER_EP.exec(name);
    if (short) return { epoch: Number.parseInt(short[1]!, 10), source: 'after-ep' };
  }
  return { epoch: null, source: 'none' };
}

/**
 * The last rule: the last number of the checkpoint's name that is a word of its own
 * (`net_100` → 100, `ckpt-5-of-9` → 9), at most six digits; digits inside a word (`resnet18`,
 * `b0`, the hash `0676ba61`) are not numbers here. Null when the name has none.
 */
export function lastInteger(relPath: string): number | null {
  const found = (checkpointName(relPath).match(NUMBER_WORD) ?? []).filter((d) => d.length <= MAX_EPOCH_DIGITS);
  return found.length > 0 ? Number.parseInt(found[found.length - 1]!, 10) : null;
}

/**
 * The epoch of a checkpoint by the rules in order: after `epoch`, before `epoch(s)`, after
 * `ep`/`e`, the checkpoint's own integer `epoch` entry (`entry`, read by the caller; pass `undefined`
 * when it was not read or absent), the last number word of the name. `{ epoch: null }` when no rule
 * applies: such a checkpoint is reported, not dropped.
 */
export function resolveEpoch(relPath: string, entry?: number | null): NameEpoch {
  const named = epochFromNameRules(relPath);
  if (named.epoch !== null) return named;
  if (entry !== undefined && entry !== null && Number.isSafeInteger(entry) && entry >= 0) return { epoch: entry, source: 'entry' };
  const last = lastInteger(relPath);
  return last === null ? { epoch: null, source: 'none' } : { epoch: last, source: 'last-integer' };
}

/**
 * Natural order of names: runs of digits compare by value (`ep2` < `ep10`), the rest by code
 * unit (locale-free, so every machine sorts a folder the same way); ties on value (`ep02` vs
 * `ep2`) fall back to plain code-unit order.
 */
export function naturalCompare(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i]!;
    const y = tb[i]!;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      // Compare digit runs by value without parsing (they may exceed 2^53): strip leading
      // zeros, then the longer run is larger, else lexicographic.
      const nx = x.replace(/^0+(?=\d)/, '');
      const ny = y.replace(/^0+(?=\d)/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  if (ta.length !== tb.length) return ta.length - tb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Checkpoint order: by epoch, then naturally by path; checkpoints without an epoch
 * last, naturally by path.
 */
export function compareCheckpoints(a: { epoch: number | null; checkpoint: string }, b: { epoch: number | null; checkpoint: string }): number {
  if (a.epoch !== b.epoch) {
    if (a.epoch === null) return 1;
    if (b.epoch === null) return -1;
    return a.epoch - b.epoch;
  }
  return naturalCompare(a.checkpoint, b.checkpoint);
}
