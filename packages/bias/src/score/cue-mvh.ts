/**
 * A checkpoint's decisions in the model-vs-human toolbox's raw-data format, so its plotting and
 * analysis code (ShapeBias: texture from the image name, shape from `category`) reads them:
 *
 *   subj,session,trial,rt,object_response,category,condition,imagename
 *
 * as its evaluator writes for a model: `subj` the model's name, session 1, trials numbered from 1,
 * `rt` NaN (a model has no reaction time), `object_response` the decided category, `category`
 * the shape category (the "correct" one), `condition` NaN (its ImageNet-style info mapping),
 * `imagename` the image's file name. File: `cue-conflict_{model}_session-1.csv`, the model name
 * with `_` made `-` as the toolbox does.
 */
import type { CueImage } from '@shapetex/svoc';
import { csvField } from './csv.js';

export const MVH_HEADER = ['subj', 'session', 'trial', 'rt', 'object_response', 'category', 'condition', 'imagename'] as const;

/**
 * The toolbox's model name for a checkpoint (its path relative to the checkpoint folder, without
 * extension): characters outside [A-Za-z0-9.-] become `-`.
 */
export function mvhModelName(checkpoint: string): string {
  // a TF.js checkpoint is named by its folder (`epoch_3/model.json` → `epoch-3`)
  const stem = checkpoint.replace(/[\\/]model\.json$/i, '').replace(/\.pth\.tar$/i, '').replace(/\.(pth|pt|tar|ckpt|bin|safetensors)$/i, '');
  return stem.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
}

export function mvhFileName(checkpoint: string): string {
  return `cue-conflict_${mvhModelName(checkpoint)}_session-1.csv`;
}

/** The CSV text (header, one row per image in the set's order). */
export function mvhCsv(checkpoint: string, images: readonly CueImage[], responses: readonly string[]): string {
  if (responses.length !== images.length) throw new RangeError(`model-vs-human CSV: ${responses.length} responses for ${images.length} images`);
  const subj = mvhModelName(checkpoint);
  const rows = images.map((im, i) => [subj, 1, i + 1, 'NaN', responses[i]!, im.shape, 'NaN', im.file.split('/').pop()!].map(csvField).join(','));
  return [MVH_HEADER.join(','), ...rows].join('\n') + '\n';
}
