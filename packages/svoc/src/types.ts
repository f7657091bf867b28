/**
 * Probe-set records and manifests (docs/formats.md). A record is one probe image; its `factors` map
 * each factor name to the value it takes (for SVOC: `shape` = content key, `texture` = texture id).
 */
export interface ProbeRecord {
  /** Path relative to the probe set's root. */
  file: string;
  factors: Record<string, string | number>;
  /** SVOC: VOC class 1..20. Synthetic sets: the index of the value of the first factor, 1-based. */
  classId: number;
  className: string;
  /** SVOC: the VOC image id, e.g. `2007_000039`. Synthetic sets: the shape key. */
  contentId: string;
  /** As the set numbers its textures: 1..T in shapetex-built sets, 0..T−1 in folders the reference's generator wrote. */
  textureId: number;
  textureName: string;
}

export interface TextureEntry {
  id: number;
  name: string;
  source?: string;
  sha256?: string;
}

export interface Manifest {
  /** `cue-conflict`: a set built by `svoc cue-conflict` (factors shape and texture are category names). */
  kind: 'svoc' | 'synthetic' | 'cue-conflict';
  version: string;
  factors: string[];
  records: ProbeRecord[];
  textures: TextureEntry[];
  classes: { id: number; name: string }[];
  build: Record<string, unknown>;
  created?: string;
}

export interface ProbeSet {
  /** Absolute path of the set's folder. */
  root: string;
  records: ProbeRecord[];
  /** Factor names in the set's order; SVOC: `['shape', 'texture']`. */
  factors: string[];
  manifest?: Manifest;
}

/** VOC classes 1..20 in the standard order (docs/formats.md). */
export const VOC_CLASSES = [
  'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
] as const;
