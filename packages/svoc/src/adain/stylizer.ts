import { currentBackend, readStateDict, type OnnxDevice, type StateDict } from '@shapetex/core';
import { AdainWeightsError, checkConvWeights, DECODER_STEPS, ENCODER_STEPS } from './layers.js';
import { createTfStylizer } from './tf-stylizer.js';
import { createOnnxStylizer } from './onnx-stylizer.js';
import type { AdainWeights, Stylizer, StylizerEngine } from './stylizer-contract.js';

export type { Stylizer, StylizeOptions, StylizerEngine } from './stylizer-contract.js';

/** A path to a PyTorch weights file (zip or legacy format) or an already-read state_dict. */
export type WeightsSource = string | StateDict;

export interface StylizerOptions {
  /** The VGG-normalised encoder: the official `vgg_normalised.pth`, or its state_dict. */
  vgg: WeightsSource;
  /** The AdaIN decoder: the official `decoder.pth`, or its state_dict. */
  decoder: WeightsSource;
  /**
   * Which engine runs the networks: `onnx` (ONNX Runtime, graphs emitted from the same layer
   * lists, adain/onnx-graph.ts) or `tfjs` (the TF.js backend in force). Default: `onnx` when the
   * backend in force is `onnx`, else `tfjs`.
   */
  engine?: StylizerEngine;
  /** ONNX Runtime's intra-op threads and device (default: the onnx backend's settings, else 1 / cpu). */
  threads?: number;
  device?: OnnxDevice;
}



export async function readWeights(src: WeightsSource, what: string): Promise<{ sd: StateDict; source: string }> {
  if (typeof src !== 'string') return { sd: src, source: `${what} state_dict` };
  return { sd: await readStateDict(src), source: src };
}

async function readAdainWeights(opts: StylizerOptions): Promise<AdainWeights> {
  const vgg = await readWeights(opts.vgg, 'vgg');
  const decoder = await readWeights(opts.decoder, 'decoder');
  const featureChannels = checkConvWeights(vgg.sd, ENCODER_STEPS, vgg.source, 3, 'encoder (vgg_normalised)');
  const outChannels = checkConvWeights(decoder.sd, DECODER_STEPS, decoder.source, featureChannels, 'decoder');
  if (outChannels !== 3) throw new AdainWeightsError(`${decoder.source}: 28.weight has ${outChannels} output channels; the AdaIN decoder ends in RGB (3)`);
  return { vgg, decoder, featureChannels };
}

/**
 * Builds an AdaIN stylizer (Huang & Belongie, ICCV 2017; docs/formats.md) from the official
 * pytorch-AdaIN weight files or their state_dicts, on ONNX Runtime or TF.js (`engine`). Errors
 * name the file and, for a wrong file (e.g. the decoder given as the encoder), the keys it lacks.
 */
export async function createStylizer(opts: StylizerOptions): Promise<Stylizer> {
  const w = await readAdainWeights(opts);
  const backend = currentBackend();
  const engine = opts.engine ?? ((backend?.name as string | undefined) === 'onnx' ? 'onnx' : 'tfjs');
  if (engine === 'tfjs') return createTfStylizer(w);
  // the onnx backend's threads and device; any other backend's device string is not ORT's
  const ort = (backend?.name as string | undefined) === 'onnx' ? (backend as { threads?: number; device?: OnnxDevice }) : undefined;
  const threads = opts.threads ?? ort?.threads;
  const device = opts.device ?? ort?.device;
  return createOnnxStylizer(w, { ...(threads !== undefined ? { threads } : {}), ...(device !== undefined ? { device } : {}) });
}
