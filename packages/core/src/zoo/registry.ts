/**
 * Every architecture the zoo can build, in one plain array (after timm's registry). Detection
 * asks each spec how well a state_dict fits and takes the best; ties go to the earlier entry.
 */
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec, CreateModelOptions, Network } from './types.js';
import { resnetSpecs } from './resnet.js';
import { preactSpecs } from './preact.js';
import { cifarResnetSpecs } from './resnet-cifar.js';
import { densenetSpecs } from './densenet.js';
import { mobilenetSpecs } from './mobilenet.js';
import { efficientnetSpecs } from './efficientnet.js';
import { vggSpecs } from './vgg.js';
import { vitSpecs } from './vit.js';
import { timmVitSpecs } from './vit-timm.js';
import { convnextSpecs } from './convnext.js';
import { UnknownArchitectureError } from './errors.js';

export const ARCHITECTURES: readonly ArchitectureSpec[] = [
  ...resnetSpecs,
  ...preactSpecs,
  ...cifarResnetSpecs,
  ...densenetSpecs,
  ...mobilenetSpecs,
  ...efficientnetSpecs,
  ...vggSpecs,
  ...vitSpecs,
  ...timmVitSpecs,
  ...convnextSpecs,
];

/** Registered architecture names, in registry order. */
export function listArchitectures(): string[] {
  return ARCHITECTURES.map((s) => s.name);
}

/** The spec registered under `arch`, or UnknownArchitectureError. */
export function architectureSpec(arch: string, source = 'createModel'): ArchitectureSpec {
  const spec = ARCHITECTURES.find((s) => s.name === arch);
  if (!spec) throw new UnknownArchitectureError(source, listArchitectures(), arch);
  return spec;
}

/**
 * The name of the architecture that fits `sd` best (highest `match`), from key names and shapes
 * alone. UnknownArchitectureError when none fits.
 */
export function detectArchitecture(sd: StateDict, source = 'state_dict'): string {
  let best: ArchitectureSpec | undefined;
  let bestScore = 0;
  for (const s of ARCHITECTURES) {
    const score = s.match(sd);
    if (score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  if (!best) throw new UnknownArchitectureError(source, listArchitectures(), undefined, [...sd.keys()].slice(0, 5));
  return best.name;
}

/** Build the inference network of `arch` (detected when undefined or `auto`) from a state_dict. */
export function buildNetwork(arch: string | undefined, sd: StateDict, opts: CreateModelOptions = {}, source = 'state_dict'): Network {
  const name = arch === undefined || arch === 'auto' ? detectArchitecture(sd, source) : arch;
  return architectureSpec(name, source).build(sd, opts);
}
