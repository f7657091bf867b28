import { stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { UsageError } from '@shapetex/core';
import { compareCheckpoints, epochFromNameRules, resolveEpoch, type EpochSource } from './epoch.js';

/** Default globs of docs/formats.md: state_dict files, TF.js models, then the other extensions. */
export const CHECKPOINT_GLOBS: readonly string[] = ['**/*.{pth,pt,tar,ckpt,bin,safetensors}', '**/model.json', '**/*.th', '**/*.onnx'];

/** What a `--graph` run scores: the state_dict files (an `.onnx` file is then the graph, not a checkpoint). */
export const STATE_DICT_GLOBS: readonly string[] = CHECKPOINT_GLOBS.filter((g) => !g.endsWith('.onnx'));

/** Discovery's patterns for a run: the state_dict files only when a `--graph` is given. */
export function discoverPatterns(graph: string | undefined): Pick<DiscoverOptions, 'patterns'> {
  return graph === undefined ? {} : { patterns: STATE_DICT_GLOBS };
}

/** One checkpoint of a folder, in the run's order. */
export interface CheckpointEntry {
  /** Absolute path of the file (for TF.js, of `model.json`). */
  path: string;
  /** Path relative to the checkpoints root, `/`-separated: the `checkpoint` column of results. */
  checkpoint: string;
  epoch: number | null;
  /** Which docs/formats.md rule gave the epoch (`none`: no rule applied; reported, not dropped). */
  epochSource: EpochSource;
}

export interface DiscoverOptions {
  /** Globs relative to the root; default {@link CHECKPOINT_GLOBS}. */
  patterns?: readonly string[];
  /**
   * Reads a checkpoint's own integer `epoch` entry (docs/formats.md, third rule). Only called for
   * checkpoints whose name gives no epoch by the first two rules; `null`/`undefined` = none.
   * A throw is treated as "no entry": the checkpoint's real failure is reported when it is scored.
   */
  readEpochEntry?: (file: string) => Promise<number | null | undefined>;
}

/**
 * The checkpoints under `input` (a folder, searched with `patterns`, or a single checkpoint
 * file), each with its epoch by docs/formats.md, ordered by epoch then naturally by path, those without
 * an epoch last. Weight shards (`*.bin`) in a folder that holds a TF.js `model.json` belong to
 * that model and are not checkpoints of their own; hidden files and folders are skipped (they
 * are temporary files of interrupted writes).
 */
export async function discoverCheckpoints(input: string, options: DiscoverOptions = {}): Promise<{ root: string; checkpoints: CheckpointEntry[] }> {
  const abs = path.resolve(input);
  const info = await stat(abs).catch((err: Error) => {
    throw new UsageError(`checkpoints ${input}: not found (${err.message})`, { cause: err });
  });
  let root: string;
  let rels: string[];
  if (info.isDirectory()) {
    root = abs;
    const found = await fg([...(options.patterns ?? CHECKPOINT_GLOBS)], { cwd: root, onlyFiles: true, dot: false, followSymbolicLinks: true });
    const modelDirs = new Set(found.filter((f) => path.posix.basename(f) === 'model.json').map((f) => path.posix.dirname(f)));
    rels = found.filter((f) => !(f.toLowerCase().endsWith('.bin') && modelDirs.has(path.posix.dirname(f))));
  } else {
    root = path.dirname(abs);
    rels = [path.basename(abs)];
  }
  const checkpoints: CheckpointEntry[] = [];
  for (const rel of [...new Set(rels)]) {
    const file = path.join(root, rel);
    let entry: number | null | undefined;
    if (epochFromNameRules(rel).epoch === null && options.readEpochEntry) {
      entry = await options.readEpochEntry(file).catch(() => undefined);
    }
    const { epoch, source } = resolveEpoch(rel, entry);
    checkpoints.push({ path: file, checkpoint: rel.split(path.sep).join('/'), epoch, epochSource: source });
  }
  checkpoints.sort(compareCheckpoints);
  return { root, checkpoints };
}
