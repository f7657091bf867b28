/**
 * `svoc build` reads and checks the AdaIN weight files first, before the VOC selection and the
 * textures: a wrong path or the wrong file then fails in a second with the option's name, not
 * after minutes of work. Both problems are usage errors (exit 2).
 */
import { stat } from 'node:fs/promises';
import { readStateDict, UsageError, type StateDict } from '@shapetex/core';
import { AdainWeightsError, checkConvWeights, DECODER_STEPS, ENCODER_STEPS } from '../adain/layers.js';
import type { WeightsSource } from '../adain/stylizer.js';

async function readOne(src: WeightsSource, option: string, what: string): Promise<StateDict> {
  if (typeof src !== 'string') return src;
  const st = await stat(src).catch(() => null);
  if (!st?.isFile()) throw new UsageError(`${option} ${src}: no such file; expected the AdaIN ${what} weights`);
  try {
    return await readStateDict(src);
  } catch (err) {
    throw new UsageError(`${option} ${src}: not a readable PyTorch weights file (${(err as Error).message})`, { cause: err });
  }
}

/**
 * The encoder and decoder state_dicts, checked against the AdaIN layouts (keys, chained shapes,
 * an RGB decoder output). Paths are read; state_dicts are checked as given.
 */
export async function readAdainWeights(vgg: WeightsSource, decoder: WeightsSource): Promise<{ vgg: StateDict; decoder: StateDict }> {
  const v = await readOne(vgg, '--vgg', 'encoder (vgg_normalised.pth)');
  const d = await readOne(decoder, '--decoder', 'decoder (decoder.pth)');
  const name = (src: WeightsSource, what: string): string => (typeof src === 'string' ? src : `${what} state_dict`);
  const checked = <T>(option: string, check: () => T): T => {
    try {
      return check();
    } catch (err) {
      throw new UsageError(`${option}: ${(err as Error).message}`, { cause: err });
    }
  };
  const features = checked('--vgg', () => checkConvWeights(v, ENCODER_STEPS, name(vgg, 'vgg'), 3, 'encoder (vgg_normalised)'));
  checked('--decoder', () => {
    const rgb = checkConvWeights(d, DECODER_STEPS, name(decoder, 'decoder'), features, 'decoder');
    if (rgb !== 3) throw new AdainWeightsError(`${name(decoder, 'decoder')}: 28.weight has ${rgb} output channels; the AdaIN decoder ends in RGB (3)`);
  });
  return { vgg: v, decoder: d };
}
