/** The first convolution of a checkpoint file: PyTorch zip/legacy, safetensors, or TF.js model.json. */
import { CheckpointError, isTfjsModelPath, readCheckpoint, readTfjsArtifacts, tfjsWeightValues } from '@shapetex/core';
import { findFirstConv, toConvKernels } from './first-conv.js';
import type { ConvKernels } from './types.js';

export interface FirstConvOptions {
  /** The weight to show instead of the first convolution (its key in the file). */
  layer?: string;
}

/**
 * Reads the kernels of a checkpoint's first convolution (see {@link findFirstConv}) in
 * [O, I, kh, kw] order. State dicts (PyTorch, safetensors) hold [O, I, kh, kw] kernels; a
 * TF.js model.json holds [kh, kw, I, O] ones, which are transposed. Errors name the file.
 */
export async function firstConvKernels(file: string, opts: FirstConvOptions = {}): Promise<ConvKernels> {
  if (isTfjsModelPath(file)) {
    // core's reader: manifest checked, shards kept inside the model folder, no backend needed
    const weights = tfjsWeightValues((await readTfjsArtifacts(file)).artifacts, file);
    const key = findFirstConv(weights.map((w) => ({ key: w.name, shape: w.shape })), 'hwio', file, opts.layer);
    const w = weights.find((x) => x.name === key)!;
    if (!w.data) throw new CheckpointError(file, `${key} holds ${w.dtype} values; expected floating-point kernels`);
    return toConvKernels(key, w.shape, w.data, 'hwio');
  }
  const ckpt = await readCheckpoint(file);
  if (ckpt.stateDict.size === 0) throw new CheckpointError(file, `no state_dict found in this ${ckpt.format} checkpoint`);
  const weights = [...ckpt.stateDict].map(([key, t]) => ({ key, shape: t.shape }));
  const key = findFirstConv(weights, 'oihw', file, opts.layer);
  const t = ckpt.stateDict.get(key)!;
  if (!(t.data instanceof Float32Array)) throw new CheckpointError(file, `${key} holds ${t.dtype} values; expected floating-point kernels`);
  return toConvKernels(key, t.shape, t.data, 'oihw');
}
