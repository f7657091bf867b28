/**
 * torchvision's Vision Transformers: vit_b_16, vit_b_32, vit_l_16 (`torchvision.models.
 * vision_transformer`). Keys: `conv_proj`, `class_token`, `encoder.pos_embedding`,
 * `encoder.layers.encoder_layer_i.{ln_1, self_attention.in_proj_*, self_attention.out_proj,
 * ln_2, mlp}`, `encoder.ln`, `heads.head`. The MLP's Linears are `mlp.0` / `mlp.3` since
 * torchvision 0.12 and `mlp.linear_1` / `mlp.linear_2` before; both load.
 *
 * Depth and patch size name the variant (12 blocks and 16 px for vit_b_16, 12 and 32 for
 * vit_b_32, 24 and 16 for vit_l_16); width, MLP width and the trained image size are read from
 * the weights, heads are D / 64 unless given.
 */
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec } from './types.js';
import { buildVit, vitFits, type VitBlockKeys, type VitScheme } from './vit-network.js';

function torchvisionBlock(sd: StateDict, i: number): VitBlockKeys | null {
  const p = `encoder.layers.encoder_layer_${i}`;
  if (!sd.has(`${p}.ln_1.weight`)) return null;
  const old = sd.has(`${p}.mlp.linear_1.weight`);
  return {
    ln1: `${p}.ln_1`,
    qkvWeight: `${p}.self_attention.in_proj_weight`,
    qkvBias: `${p}.self_attention.in_proj_bias`,
    proj: `${p}.self_attention.out_proj`,
    ln2: `${p}.ln_2`,
    fc1: old ? `${p}.mlp.linear_1` : `${p}.mlp.0`,
    fc2: old ? `${p}.mlp.linear_2` : `${p}.mlp.3`,
  };
}

export const TORCHVISION_VIT: VitScheme = {
  patch: 'conv_proj',
  cls: 'class_token',
  pos: 'encoder.pos_embedding',
  norm: 'encoder.ln',
  heads: ['heads.head'],
  block: torchvisionBlock,
};

const VARIANTS = [
  { name: 'vit_b_16', depth: 12, patch: 16 },
  { name: 'vit_b_32', depth: 12, patch: 32 },
  { name: 'vit_l_16', depth: 24, patch: 16 },
] as const;

export const vitSpecs: ArchitectureSpec[] = VARIANTS.map((v) => ({
  name: v.name,
  family: 'vit',
  match: (sd) => (sd.has('conv_proj.weight') && sd.has('class_token') ? vitFits(v, TORCHVISION_VIT, sd, () => true, 10) : 0),
  build: (sd, o) => buildVit(v, TORCHVISION_VIT, sd, o),
}));
