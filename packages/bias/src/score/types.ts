import type { ChannelOrder, FeatureModel, Normalization, ResizeMethod, TokenChoice } from '@shapetex/core';
import type { CueConflictSet, ProbeSet } from '@shapetex/svoc';
import type { ClassMap } from '../cue/class-map.js';
import type { CueCheckpoint } from '../cue/score.js';
import type { EstimatorMethod, PercentRounding } from '../estimate/types.js';
import type { Pairing } from '../pairs/types.js';
import type { ScorePreset } from './preset.js';
import type { ResultRecord } from '../types.js';
import type { CheckpointEntry } from './discover.js';
import type { Shard } from './shard.js';

/**
 * What scoring needs of a loaded checkpoint: core's `FeatureModel` with only its `features`, tap
 * names and `dispose` required (a custom loader may leave the rest out; `hasLogits` absent =
 * unknown, tried when `cue` needs it).
 */
export type ScoringModel = Pick<FeatureModel, 'arch' | 'taps' | 'features' | 'dispose'>
  & Partial<Pick<FeatureModel, 'layerTaps' | 'inputSize' | 'hasLogits' | 'noLogitsReason'>>;

/** Loads one checkpoint (core's `loadModel` by default). */
export type ModelLoader = (file: string, opts: ModelLoadOptions) => Promise<ScoringModel>;

/** What a loader is asked for: core's `LoadModelOptions` that scoring sets. */
export interface ModelLoadOptions {
  arch?: string; numClasses?: number; token?: TokenChoice; heads?: number;
  /** An ONNX graph that takes each checkpoint's tensors by name (core's LoadModelOptions.graph). */
  graph?: string;
}

export interface ScoreOptions {
  /** A checkpoint folder or file, or an already discovered (and ordered) list. */
  checkpoints: string | readonly CheckpointEntry[];
  /** A probe-set folder (read with svoc's `readProbeSet`) or a probe set; optional with `cue`. */
  probe?: string | ProbeSet;
  /**
   * A cue-conflict set (folder or read set) for the decision-level shape bias, and the class
   * map (default: by the head's size). Its bootstrap uses `bootstrap` resamples, 1000 when 0.
   */
  cue?: { set: string | CueConflictSet; classMap?: ClassMap };
  /** Architecture; detected from each state_dict when omitted. */
  arch?: string;
  /** Classifier size when the weights do not say. */
  numClasses?: number;
  /**
   * `islam2021`: the reference implementation's measurement (image size 513, resize
   * `cv2-linear`, channel order `bgr` with norm `islam2021`, method `pooled`, pairing
   * `reference`, rounding `python`). Each option below given explicitly overrides it.
   */
  preset?: ScorePreset;
  /** Square input size; default 224. A ViT's position embeddings follow it (bicubic resample). */
  imageSize?: number;
  /** Transformer taps: class token or mean over patch tokens; default `cls`. CNNs ignore it. */
  token?: TokenChoice;
  /** Attention heads of a ViT / DeiT; default width / 64. */
  heads?: number;
  /**
   * An ONNX graph (`arch.onnx`) whose initializers take each checkpoint's tensors by name
   * (docs/architectures.md); `.onnx` files are then not checkpoints of the folder.
   */
  graph?: string;
  /** Preset name, `{ mean, std }` or `m1,m2,m3/s1,s2,s3` (R, G, B); default `imagenet`. */
  norm?: string | Normalization;
  /** `pil` (antialiased bilinear, default) or `cv2-linear` (OpenCV's INTER_LINEAR). */
  resize?: ResizeMethod;
  /** Channel order fed to the network: `rgb` (default) or `bgr`. */
  channelOrder?: ChannelOrder;
  /** `balanced` (default: one pair per factor per record) or `reference` (one pair per record). */
  pairing?: Pairing;
  /** Rounding of `percent`: `half-up` (default) or `python`. */
  rounding?: PercentRounding;
  /** Taps, or `all` for every tap of each model; default `['final']`. */
  taps?: readonly string[] | 'all';
  /** Estimators; default `['per-neuron']`. */
  methods?: readonly EstimatorMethod[];
  /** Anchors per factor; default every pairable record. */
  pairsPerFactor?: number;
  /** Pair-sampling (and bootstrap) seed; default 0. */
  seed?: number;
  /** Bootstrap resamples; default 0 (off). */
  bootstrap?: number;
  /** Images per forward pass; default 32. */
  batch?: number;
  /** Process only the checkpoints with index ≡ I (mod N) in the sorted order. */
  shard?: Shard;
  /** Checkpoints to pass over (already scored, when resuming); called after sharding. */
  skip?: (entry: CheckpointEntry) => boolean;
  /** Prepared probe pixels above this size go to a disk cache; default 1 GiB. */
  memoryLimitBytes?: number;
  cacheDir?: string;
  /** Progress events (decoding, then one per checkpoint start and end). */
  onProgress?: (event: ScoreProgress) => void;
  /** Replaces core's `loadModel` (tests, other model sources). */
  loadModel?: ModelLoader;
  /** Reads a checkpoint's own `epoch` entry for discovery; default core's `readCheckpointEpoch`. */
  readEpochEntry?: (file: string) => Promise<number | null | undefined>;
}

export type ScoreProgress =
  | { kind: 'decode'; done: number; total: number }
  | { kind: 'start'; index: number; total: number; checkpoint: string }
  | { kind: 'done'; index: number; total: number; checkpoint: string; images: number; seconds: number; ok: boolean };

/** Why a checkpoint could not be scored; one line of `errors.jsonl`. */
export interface CheckpointFailure {
  checkpoint: string;
  path: string;
  epoch: number | null;
  /** `load` (reading or building the model), `features` (forward pass), `estimate`, or `decisions` (cue-conflict logits). */
  stage: 'load' | 'features' | 'estimate' | 'decisions';
  error: string;
  message: string;
}

/**
 * A failure of the run itself rather than of one checkpoint: its inputs (a probe image that does
 * not decode), the analysis or the plots. One line of `errors.jsonl`, like a CheckpointFailure.
 */
export interface RunFailure {
  /** The input concerned (probe folder, error CSV, output folder). */
  input: string | null;
  stage: 'run' | 'analysis' | 'plots' | 'errors';
  error: string;
  message: string;
}

/** A line of `errors.jsonl`: a failure, the run it happened in (that run's startTime) and when. */
export type FailureLine = (CheckpointFailure | RunFailure) & { run?: string; time?: string };

/** The outcome of one checkpoint. */
export interface CheckpointResult {
  checkpoint: string;
  path: string;
  epoch: number | null;
  epochSource: CheckpointEntry['epochSource'];
  /** 0-based position among the checkpoints this call processes, and their count. */
  index: number;
  total: number;
  /** One record per (tap, method), taps in model order, methods as asked; empty on failure. */
  records: ResultRecord[];
  error?: CheckpointFailure;
  /** The decisions on the cue-conflict set, when one was given (the summary is also in each record's `cue`). */
  cue?: CueCheckpoint;
  arch?: string;
  /** Globals named in the checkpoint and refused (never run); empty when none (always for TF.js, safetensors). */
  refusedGlobals: string[];
  /** Images forwarded and seconds spent (load, forward, estimate). */
  images: number;
  seconds: number;
}
