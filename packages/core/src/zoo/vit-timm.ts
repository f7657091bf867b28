/**
 * timm's Vision Transformers and DeiTs at 224 px with 16 px patches: vit_tiny/small/base_
 * patch16_224 and deit_tiny/small/base_patch16_224, plus the distilled DeiTs
 * deit_tiny/small/base_distilled_patch16_224. Keys: `patch_embed.proj`, `cls_token`
 * (`dist_token`), `pos_embed`, `blocks.i.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1,
 * mlp.fc2}`, `norm`, `head` (`head_dist`).
 *
 * A DeiT (Touvron et al. 2021) is the ViT network trained another way: its state_dict has the
 * same keys and shapes as the ViT of the same width, so detection cannot tell them apart and
 * names the ViT; `--arch deit_…` names it as a DeiT and builds the same network. A distilled
 * DeiT has a second prefix token (`dist_token`, after the class token) and is detected by it;
 * its `cls` taps are the class token, its `mean` taps average the patch tokens only.
 *
 * Width picks tiny (192), small (384) or base (768): a narrowed model is named after the
 * nearest on a log scale. Depth 12 and patch 16 are checked; heads are D / 64 unless given.
 */
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec } from './types.js';
import { buildVit, vitFits, type VitBlockKeys, type VitScheme } from './vit-network.js';

function timmBlock(sd: StateDict, i: number): VitBlockKeys | null {
  const p = `blocks.${i}`;
  if (!sd.has(`${p}.norm1.weight`)) return null;
  return {
    ln1: `${p}.norm1`,
    qkvWeight: `${p}.attn.qkv.weight`,
    qkvBias: `${p}.attn.qkv.bias`,
    proj: `${p}.attn.proj`,
    ln2: `${p}.norm2`,
    fc1: `${p}.mlp.fc1`,
    fc2: `${p}.mlp.fc2`,
  };
}

const TIMM_VIT: VitScheme = { patch: 'patch_embed.proj', cls: 'cls_token', pos: 'pos_embed', norm: 'norm', heads: ['head'], block: timmBlock };
const TIMM_DEIT_DISTILLED: VitScheme = { ...TIMM_VIT, dist: 'dist_token', heads: ['head', 'head_dist'] };

export const TIMM_SCHEMES = { vit: TIMM_VIT, distilled: TIMM_DEIT_DISTILLED } as const;

type Size = 'tiny' | 'small' | 'base';
const WIDTHS: Record<Size, number> = { tiny: 192, small: 384, base: 768 };

/** The named size whose width is nearest to D on a log scale. */
export function timmSize(D: number): Size {
  if (D < Math.sqrt(WIDTHS.tiny * WIDTHS.small)) return 'tiny';
  return D < Math.sqrt(WIDTHS.small * WIDTHS.base) ? 'small' : 'base';
}

function spec(name: string, size: Size, distilled: boolean, score: number): ArchitectureSpec {
  const v = { name, depth: 12, patch: 16 };
  const scheme = distilled ? TIMM_DEIT_DISTILLED : TIMM_VIT;
  return {
    name,
    family: distilled ? 'deit_distilled' : 'vit_timm',
    match: (sd) => (sd.has('patch_embed.proj.weight') && sd.has('cls_token') && sd.has('dist_token') === distilled
      ? vitFits(v, scheme, sd, (l) => timmSize(l.D) === size, score)
      : 0),
    build: (sd, o) => buildVit(v, scheme, sd, o),
  };
}

const SIZES: Size[] = ['tiny', 'small', 'base'];

export const timmVitSpecs: ArchitectureSpec[] = [
  ...SIZES.map((s) => spec(`vit_${s}_patch16_224`, s, false, 10)),
  // same network as the ViT of that width: reachable by name, never preferred by detection
  ...SIZES.map((s) => spec(`deit_${s}_patch16_224`, s, false, 9)),
  ...SIZES.map((s) => spec(`deit_${s}_distilled_patch16_224`, s, true, 10)),
];
