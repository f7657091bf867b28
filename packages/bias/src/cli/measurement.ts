import { Option, type Command } from 'commander';
import { CHANNEL_ORDERS, RESIZE_METHODS, type ChannelOrder, type ResizeMethod } from '@shapetex/core';
import type { EstimatorMethod, PercentRounding } from '../estimate/types.js';
import type { Pairing } from '../pairs/types.js';
import type { MeasurementOptions, ScorePreset } from '../score/preset.js';
import { choiceOption } from './options.js';

/**
 * The options of bias-score that a `--preset` sets, beyond `--image-size`, `--norm` and
 * `--method` (defined with the others in program.ts). Their defaults are applied by the library
 * (score/preset.ts), so that a preset can tell an option given from one left out.
 */
export function addMeasurementOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--preset <name>', 'islam2021: the reference implementation\'s measurement (--image-size 513 --resize cv2-linear --channel-order bgr --norm islam2021 --method pooled --pairing reference --rounding python); options given explicitly override it')
      .argParser(choiceOption<ScorePreset>('--preset', ['islam2021'])))
    .addOption(new Option('--resize <method>', 'pil (antialiased bilinear) or cv2-linear (OpenCV INTER_LINEAR, no antialiasing) [default: pil]')
      .argParser(choiceOption<ResizeMethod>('--resize', RESIZE_METHODS)))
    .addOption(new Option('--channel-order <order>', 'channel order fed to the network: rgb or bgr [default: rgb]')
      .argParser(choiceOption<ChannelOrder>('--channel-order', CHANNEL_ORDERS)))
    .addOption(new Option('--pairing <kind>', 'balanced (one pair per factor per record) or reference (one pair per record, factor uniform in 0..3) [default: balanced]')
      .argParser(choiceOption<Pairing>('--pairing', ['balanced', 'reference'])))
    .addOption(new Option('--rounding <rule>', 'rounding of percentages: half-up or python (round(x, 1), ties to even on the double) [default: half-up]')
      .argParser(choiceOption<PercentRounding>('--rounding', ['half-up', 'python'])))
    .option('--strict-probe', 'an image in a manifest-less probe folder whose name does not parse is a usage error, not a warning');
}

/** The flags commander gives for the options above (and the preset-controlled ones of program.ts). */
export interface MeasurementFlags {
  preset?: ScorePreset;
  imageSize?: number;
  norm?: string;
  method?: EstimatorMethod[];
  resize?: ResizeMethod;
  channelOrder?: ChannelOrder;
  pairing?: Pairing;
  rounding?: PercentRounding;
  strictProbe?: boolean;
}

/**
 * The measurement options as the library takes them: only those given on the command line,
 * so that the preset, then the library's defaults, fill the rest. (`--image-size`, `--norm`
 * and `--method` keep their defaults in commander for the help text; their source tells.)
 */
export function measurementOptions(cmd: Command, o: MeasurementFlags): MeasurementOptions {
  const given = (key: string): boolean => {
    const src = cmd.getOptionValueSource(key);
    return src !== undefined && src !== 'default';
  };
  return {
    ...(o.preset !== undefined ? { preset: o.preset } : {}),
    ...(given('imageSize') ? { imageSize: o.imageSize! } : {}),
    ...(given('norm') ? { norm: o.norm! } : {}),
    ...(given('method') ? { methods: o.method! } : {}),
    ...(o.resize !== undefined ? { resize: o.resize } : {}),
    ...(o.channelOrder !== undefined ? { channelOrder: o.channelOrder } : {}),
    ...(o.pairing !== undefined ? { pairing: o.pairing } : {}),
    ...(o.rounding !== undefined ? { rounding: o.rounding } : {}),
  };
}
