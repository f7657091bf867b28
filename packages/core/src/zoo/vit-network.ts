/**
 * The Vision Transformer (Dosovitskiy et al. 2021) shared by torchvision's and timm's layouts:
 * a p×p stride-p patch convolution, prefix tokens (class, and DeiT's distillation token) put in
 * front of the patch tokens, learned position embeddings added, pre-norm encoder blocks
 * x + attn(ln1(x)), x + mlp(ln2(x)) with exact GELU, a final LayerNorm (ε = 1e-6 throughout).
 * The two layouts differ only in key names ({@link VitScheme}); width D, MLP width, depth, patch
 * size and the trained grid are read from the weights.
 *
 * Taps: `block1..blockN` = each block's output tokens; `final` = the tokens after the final
 * LayerNorm. A tap is the class token ([N, 1, 1, D]) or, with `token: 'mean'`, the patch tokens
 * as their [N, gh, gw, D] grid, whose global average pool is the mean over patch tokens.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../io/types.js';
import type { CreateModelOptions, Network, TokenChoice } from './types.js';
import { LOGITS, TOKEN_CHOICES } from './types.js';
import { checkKeys, classesOf, shapeOf, type KeyShapes } from './keys.js';
import { applyConv, disposeConv, foldConv, type FoldedConv } from './conv-layer.js';
import { applyLinear, disposeLinear, floatsOf, linearAt, linearOf, type Linear } from './linear.js';
import { applyLayerNorm, disposeLayerNorm, layerNormOf, type LayerNorm } from './layer-norm.js';
import { applySelfAttention, disposeSelfAttention, type SelfAttention } from './attention.js';
import { gelu } from './gelu.js';
import { resamplePosEmbed } from './pos-embed.js';
import { CheckpointError } from '../io/errors.js';
import { CORE_DEFAULTS } from '../defaults.js';

/** LayerNorm ε of torchvision's and timm's ViTs and DeiTs. */
export const VIT_LN_EPS = 1e-6;
/** Head size of every named ViT / DeiT (ViT-Ti 192/3 … ViT-L 1024/16): heads = D / 64. */
export const VIT_HEAD_DIM = 64;

/** Key names of one encoder block. */
export interface VitBlockKeys {
  ln1: string;
  qkvWeight: string;
  qkvBias: string;
  proj: string;
  ln2: string;
  fc1: string;
  fc2: string;
}

/** Where a layout keeps each part (torchvision or timm). */
export interface VitScheme {
  patch: string;
  cls: string;
  /** DeiT's distillation token, when the variant has one. */
  dist?: string;
  pos: string;
  norm: string;
  /** Classifier Linear prefixes that may be present (their class count is read). */
  heads: string[];
  /** Key names of block i (0-based); null when the state_dict has no block i. */
  block(sd: StateDict, i: number): VitBlockKeys | null;
}

export interface VitLayout {
  D: number;
  mlp: number;
  patch: number;
  depth: number;
  /** Prefix tokens (1, or 2 with a distillation token). */
  prefix: number;
  /** Side of the trained (square) patch grid. */
  grid: number;
  blocks: VitBlockKeys[];
  expected: KeyShapes;
}

/** Number of consecutive blocks present from block 0. */
export function countBlocks(scheme: VitScheme, sd: StateDict): number {
  let n = 0;
  while (scheme.block(sd, n)) n++;
  return n;
}

/**
 * Read D, patch size, depth, MLP width and the trained grid from the weights and list the key
 * shapes they imply. Throws (naming the key) on a layout this scheme cannot read.
 */
export function readVitLayout(arch: string, scheme: VitScheme, sd: StateDict): VitLayout {
  const [D, , p, p2] = shapeOf(arch, sd, `${scheme.patch}.weight`, 4) as [number, number, number, number];
  if (p !== p2) throw new CheckpointError(null, `state_dict does not fit ${arch}: ${scheme.patch}.weight has a ${p}×${p2} kernel, expected square patches`);
  const prefix = scheme.dist ? 2 : 1;
  const tokens = shapeOf(arch, sd, scheme.pos, 3)[1]!;
  const grid = Math.round(Math.sqrt(tokens - prefix));
  if (grid < 1 || grid * grid !== tokens - prefix) {
    throw new CheckpointError(null, `state_dict does not fit ${arch}: ${scheme.pos} holds ${tokens} tokens, not ${prefix} prefix token(s) and a square patch grid`);
  }
  const depth = countBlocks(scheme, sd);
  if (depth === 0) throw new CheckpointError(null, `state_dict does not fit ${arch}: no encoder blocks found`);
  const blocks: VitBlockKeys[] = [];
  for (let i = 0; i < depth; i++) blocks.push(scheme.block(sd, i)!);
  const mlp = shapeOf(arch, sd, `${blocks[0]!.fc1}.weight`, 2)[0]!;
  const e: KeyShapes = new Map();
  e.set(`${scheme.patch}.weight`, [D, 3, p, p]);
  e.set(`${scheme.patch}.bias`, [D]);
  e.set(scheme.cls, [1, 1, D]);
  if (scheme.dist) e.set(scheme.dist, [1, 1, D]);
  e.set(scheme.pos, [1, prefix + grid * grid, D]);
  const ln = (k: string): void => { e.set(`${k}.weight`, [D]); e.set(`${k}.bias`, [D]); };
  for (const b of blocks) {
    ln(b.ln1);
    e.set(b.qkvWeight, [3 * D, D]);
    e.set(b.qkvBias, [3 * D]);
    e.set(`${b.proj}.weight`, [D, D]);
    e.set(`${b.proj}.bias`, [D]);
    ln(b.ln2);
    e.set(`${b.fc1}.weight`, [mlp, D]);
    e.set(`${b.fc1}.bias`, [mlp]);
    e.set(`${b.fc2}.weight`, [D, mlp]);
    e.set(`${b.fc2}.bias`, [D]);
  }
  ln(scheme.norm);
  for (const h of scheme.heads) {
    const k = classesOf(sd, `${h}.weight`);
    if (k !== undefined) {
      e.set(`${h}.weight`, [k, D]);
      e.set(`${h}.bias`, [k]);
    }
  }
  return { D, mlp, patch: p, depth, prefix, grid, blocks, expected: e };
}

/** Heads of a width-D model: the option, else D / 64; an error says which to pass. */
export function vitHeads(arch: string, D: number, heads: number | undefined): number {
  if (heads !== undefined) {
    if (!Number.isInteger(heads) || heads < 1 || D % heads !== 0) throw new Error(`${arch}: heads = ${heads} must be a positive integer dividing the width D = ${D}`);
    return heads;
  }
  if (D % VIT_HEAD_DIM !== 0) {
    throw new Error(`${arch}: width D = ${D} is not a multiple of ${VIT_HEAD_DIM}, so the head count cannot be read from the weights; pass heads (--heads)`);
  }
  return D / VIT_HEAD_DIM;
}

/** The token option, checked. */
export function tokenChoice(arch: string, token: string | undefined): TokenChoice {
  const t = token ?? CORE_DEFAULTS.token;
  if (!(TOKEN_CHOICES as readonly string[]).includes(t)) throw new Error(`${arch}: token must be one of ${TOKEN_CHOICES.join(', ')}, found ${JSON.stringify(token)}`);
  return t as TokenChoice;
}

interface VitBlock { ln1: LayerNorm; attn: SelfAttention; ln2: LayerNorm; fc1: Linear; fc2: Linear }

function foldBlock(arch: string, sd: StateDict, b: VitBlockKeys, heads: number): VitBlock {
  return {
    ln1: layerNormOf(arch, sd, b.ln1, VIT_LN_EPS),
    attn: { qkv: linearOf(arch, sd, b.qkvWeight, b.qkvBias), proj: linearAt(arch, sd, b.proj), heads },
    ln2: layerNormOf(arch, sd, b.ln2, VIT_LN_EPS),
    fc1: linearAt(arch, sd, b.fc1),
    fc2: linearAt(arch, sd, b.fc2),
  };
}

function runBlock(x: tf.Tensor3D, b: VitBlock): tf.Tensor3D {
  const h = tf.add(x, applySelfAttention(applyLayerNorm(x, b.ln1), b.attn)) as tf.Tensor3D;
  return tf.add(h, applyLinear(gelu(applyLinear(applyLayerNorm(h, b.ln2), b.fc1)), b.fc2)) as tf.Tensor3D;
}

function releaseBlock(b: VitBlock): void {
  disposeLayerNorm(b.ln1);
  disposeSelfAttention(b.attn);
  disposeLayerNorm(b.ln2);
  disposeLinear(b.fc1);
  disposeLinear(b.fc2);
}

/** The tap map of tokens [N, T, D]: class token [N, 1, 1, D] or patch grid [N, gh, gw, D]. */
export function tokenMap(h: tf.Tensor3D, token: TokenChoice, prefix: number, gh: number, gw: number): tf.Tensor4D {
  const [N, , D] = h.shape;
  if (token === 'cls') return tf.reshape(tf.slice(h, [0, 0, 0], [N, 1, D]), [N, 1, 1, D]);
  return tf.reshape(tf.slice(h, [0, prefix, 0], [N, gh * gw, D]), [N, gh, gw, D]);
}

export function blockTaps(depth: number): string[] {
  return Array.from({ length: depth }, (_, i) => `block${i + 1}`);
}

/** Check requested taps (and `logits` when there is a head); returns how many blocks must run. */
export function blocksNeeded(arch: string, taps: readonly string[], wanted: readonly string[], depth: number, hasLogits: boolean): number {
  let need = 0;
  for (const t of wanted) {
    if (t === LOGITS && hasLogits) {
      need = depth;
      continue;
    }
    if (!taps.includes(t)) throw new Error(`${arch}: unknown tap ${JSON.stringify(t)}; taps: ${taps.join(', ')}`);
    need = Math.max(need, t === 'final' ? depth : Number(t.slice('block'.length)));
  }
  return need;
}

/**
 * The classifier on the final tokens h [N, T, D] (before the final norm): the head on the
 * normed class token, as torchvision's and timm's forward; a distilled DeiT averages it with
 * `head_dist` on the normed distillation token (timm's eval-mode output). [N, 1, 1, K].
 */
function vitLogits(h: tf.Tensor3D, norm: LayerNorm, heads: Linear[]): tf.Tensor4D {
  const [N, , D] = h.shape;
  const outs = heads.map((head, i) => applyLinear(applyLayerNorm(tf.reshape(tf.slice(h, [0, i, 0], [N, 1, D]), [N, D]) as tf.Tensor2D, norm), head));
  const y = outs.length === 1 ? outs[0]! : tf.div(tf.addN(outs), outs.length);
  return tf.reshape(y, [N, 1, 1, y.shape[1]!]);
}

/** What names a variant: its depth and patch size (the rest is read from the weights). */
export interface VitVariant { name: string; depth: number; patch: number }

/** Errors when the weights' depth or patch size are not the variant's. */
function checkVariant(v: VitVariant, l: VitLayout): void {
  const wrong: string[] = [];
  if (l.depth !== v.depth) wrong.push(`${l.depth} encoder blocks, expected ${v.depth}`);
  if (l.patch !== v.patch) wrong.push(`patch size ${l.patch}, expected ${v.patch}`);
  if (wrong.length) throw new CheckpointError(null, `state_dict does not fit ${v.name}: ${wrong.join('; ')}`);
}

/** Build variant `v` of a ViT layout: the key shapes are checked before anything is uploaded. */
export function buildVit(v: VitVariant, scheme: VitScheme, sd: StateDict, opts: CreateModelOptions = {}): Network {
  const arch = v.name;
  const layout = readVitLayout(arch, scheme, sd);
  checkVariant(v, layout);
  checkKeys(arch, sd, layout.expected);
  const { D, patch: p, depth, prefix, grid } = layout;
  const heads = vitHeads(arch, D, opts.heads);
  const token = tokenChoice(arch, opts.token);
  const patch: FoldedConv = foldConv(sd, `${scheme.patch}.weight`, { bias: `${scheme.patch}.bias`, stride: p, pad: 0 });
  const prefixTokens = tf.tensor3d(
    Float32Array.from([...floatsOf(arch, sd, scheme.cls), ...(scheme.dist ? floatsOf(arch, sd, scheme.dist) : [])]),
    [1, prefix, D],
  );
  const pos = floatsOf(arch, sd, scheme.pos).slice();
  const blocks = layout.blocks.map((b) => foldBlock(arch, sd, b, heads));
  const norm = layerNormOf(arch, sd, scheme.norm, VIT_LN_EPS);
  // One position embedding per patch grid seen, kept across forwards (made inside their tidy).
  const posByGrid = new Map<string, tf.Tensor3D>();
  const posFor = (gh: number, gw: number): tf.Tensor3D => {
    const key = `${gh}x${gw}`;
    let t = posByGrid.get(key);
    if (!t) {
      t = tf.keep(tf.tensor3d(resamplePosEmbed(pos, D, prefix, gh, gw), [1, prefix + gh * gw, D]));
      posByGrid.set(key, t);
    }
    return t;
  };
  const numClasses = opts.numClasses ?? classesOf(sd, `${scheme.heads[0]}.weight`);
  // every head the layout names must be there for `logits` (a distilled DeiT needs both)
  const classifier = scheme.heads.every((k) => sd.has(`${k}.weight`)) ? scheme.heads.map((k) => linearAt(arch, sd, k)) : null;
  const taps = [...blockTaps(depth), 'final'];
  let disposed = false;
  return {
    arch,
    taps,
    ...(numClasses !== undefined ? { numClasses } : {}),
    defaultImageSize: grid * p,
    tapChannels: Object.fromEntries(taps.map((t) => [t, D])),
    transformer: { patch: p, grid, heads, prefixTokens: prefix, token },
    hasLogits: classifier !== null,
    ...(classifier ? {} : { noLogitsReason: `the checkpoint has no classifier weights (${scheme.heads.map((k) => `${k}.weight`).join(', ')})` }),
    forward(x, wanted) {
      if (disposed) throw new Error(`${arch}: network used after dispose()`);
      const need = blocksNeeded(arch, taps, wanted, depth, classifier !== null);
      if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`${arch}: input must be NHWC with 3 channels, found [${x.shape.join(', ')}]`);
      const [N, H, W] = x.shape;
      const gh = Math.floor(H / p);
      const gw = Math.floor(W / p);
      if (gh < 1 || gw < 1) throw new Error(`${arch}: a ${H}×${W} image is smaller than one ${p}×${p} patch`);
      const out: Record<string, tf.Tensor4D> = {};
      if (!wanted.length) return out;
      const patches = tf.reshape(applyConv(x, patch), [N, gh * gw, D]);
      let h = tf.add(tf.concat([tf.tile(prefixTokens, [N, 1, 1]), patches], 1), posFor(gh, gw)) as tf.Tensor3D;
      for (let i = 0; i < need; i++) {
        h = runBlock(h, blocks[i]!);
        const name = `block${i + 1}`;
        if (wanted.includes(name)) out[name] = tokenMap(h, token, prefix, gh, gw);
      }
      // LayerNorm is per token: normalising only the tokens the tap keeps gives the same values
      if (wanted.includes('final')) out.final = applyLayerNorm(tokenMap(h, token, prefix, gh, gw), norm);
      if (classifier && wanted.includes(LOGITS)) out[LOGITS] = vitLogits(h, norm, classifier);
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      disposeConv(patch);
      prefixTokens.dispose();
      blocks.forEach(releaseBlock);
      disposeLayerNorm(norm);
      classifier?.forEach(disposeLinear);
      for (const t of posByGrid.values()) t.dispose();
      posByGrid.clear();
    },
  };
}

/**
 * Score helper for ViT specs: `score` when the layout reads, has the variant's depth and patch
 * size, passes `accept` and every key fits; else 0.
 */
export function vitFits(v: VitVariant, scheme: VitScheme, sd: StateDict, accept: (l: VitLayout) => boolean, score: number): number {
  try {
    const l = readVitLayout(v.name, scheme, sd);
    checkVariant(v, l);
    if (!accept(l)) return 0;
    checkKeys(v.name, sd, l.expected);
    return score;
  } catch {
    return 0;
  }
}
