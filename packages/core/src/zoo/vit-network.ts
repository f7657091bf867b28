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
import type { StateDict } from '../io/types.js';
import type { CreateModelOptions, Network, TokenChoice } from './types.js';
import { LOGITS, TOKEN_CHOICES } from './types.js';
import { checkKeys, classesOf, floats, shapeOf, type KeyShapes } from './keys.js';
import { convWeights, linearAt, linearWeights, normWeights, type ConstWeights, type LinearWeights, type NormWeights } from './graph/weights.js';
import type { Ops, ZooGraph } from './graph/ops.js';
import { graphNetwork } from './graph/network.js';
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

interface VitBlock { ln1: NormWeights; qkv: LinearWeights; proj: LinearWeights; heads: number; ln2: NormWeights; fc1: LinearWeights; fc2: LinearWeights }

function foldBlock(arch: string, sd: StateDict, b: VitBlockKeys, heads: number): VitBlock {
  return {
    ln1: normWeights(sd, b.ln1, VIT_LN_EPS),
    qkv: linearWeights(arch, sd, b.qkvWeight, b.qkvBias),
    proj: linearAt(arch, sd, b.proj),
    heads,
    ln2: normWeights(sd, b.ln2, VIT_LN_EPS),
    fc1: linearAt(arch, sd, b.fc1),
    fc2: linearAt(arch, sd, b.fc2),
  };
}

/** Pre-norm block: h = x + attn(ln1(x)); h + fc2(gelu(fc1(ln2(h)))). */
function runBlock<V>(ops: Ops<V>, x: V, b: VitBlock): V {
  const h = ops.add(x, ops.selfAttention(ops.layerNorm(x, b.ln1), b.qkv, b.proj, b.heads));
  return ops.add(h, ops.linear(ops.gelu(ops.linear(ops.layerNorm(h, b.ln2), b.fc1)), b.fc2));
}

/** The tap map of tokens [N, T, D]: the class token as a [N, D, 1, 1] map, or the patch grid [N, D, gh, gw]. */
export function tokenMap<V>(ops: Ops<V>, h: V, token: TokenChoice, prefix: number, gh: number, gw: number): V {
  return token === 'cls' ? ops.tokenGrid(ops.sliceTokens(h, 0, 1), 1, 1) : ops.tokenGrid(ops.sliceTokens(h, prefix, gh * gw), gh, gw);
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
 * `head_dist` on the normed distillation token (timm's eval-mode output). A vector [N, K].
 */
function vitLogits<V>(ops: Ops<V>, h: V, norm: NormWeights, heads: readonly LinearWeights[]): V {
  const outs = heads.map((head, i) => ops.linear(ops.layerNorm(ops.tokenVector(ops.sliceTokens(h, i, 1)), norm), head));
  return outs.length === 1 ? outs[0]! : ops.scale(outs.reduce((a, b) => ops.add(a, b)), 1 / outs.length);
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

/** The weights of a ViT as plain data, and its position embedding for any patch grid. */
interface VitWeights {
  patch: ReturnType<typeof convWeights>;
  prefixTokens: ConstWeights;
  blocks: VitBlock[];
  norm: NormWeights;
  classifier: LinearWeights[] | null;
  /** One constant per grid side, the same object each time (the TF lowering uploads it once). */
  posFor(g: number): ConstWeights;
}

function vitWeights(arch: string, scheme: VitScheme, sd: StateDict, layout: VitLayout, heads: number): VitWeights {
  const { D, patch: p, prefix } = layout;
  const pos = floats(sd.get(scheme.pos), scheme.pos).slice();
  const byGrid = new Map<number, ConstWeights>();
  return {
    patch: convWeights(sd, `${scheme.patch}.weight`, { bias: `${scheme.patch}.bias`, stride: p, pad: 0 }),
    prefixTokens: {
      name: scheme.cls,
      data: Float32Array.from([...floats(sd.get(scheme.cls), scheme.cls), ...(scheme.dist ? floats(sd.get(scheme.dist), scheme.dist) : [])]),
      shape: [1, prefix, D],
    },
    blocks: layout.blocks.map((b) => foldBlock(arch, sd, b, heads)),
    norm: normWeights(sd, scheme.norm, VIT_LN_EPS),
    // every head the layout names must be there for `logits` (a distilled DeiT needs both)
    classifier: scheme.heads.every((k) => sd.has(`${k}.weight`)) ? scheme.heads.map((k) => linearAt(arch, sd, k)) : null,
    posFor(g) {
      let c = byGrid.get(g);
      if (!c) {
        c = { name: g === layout.grid ? scheme.pos : `${scheme.pos}.${g}x${g}`, data: resamplePosEmbed(pos, D, prefix, g, g), shape: [1, prefix + g * g, D] };
        byGrid.set(g, c);
      }
      return c;
    },
  };
}

/** The forward pass: patches, prefix tokens, position embeddings, the blocks the taps need. */
function vitGraph(arch: string, layout: VitLayout, w: VitWeights, taps: readonly string[], token: TokenChoice): ZooGraph {
  const { patch: p, depth, prefix } = layout;
  return {
    forward(ops, { x, size }, wanted) {
      const need = blocksNeeded(arch, taps, wanted, depth, w.classifier !== null);
      const g = Math.floor(size / p);
      if (g < 1) throw new Error(`${arch}: a ${size}×${size} image is smaller than one ${p}×${p} patch`);
      const out: Record<string, ReturnType<typeof ops.relu>> = {};
      let h = ops.addConst(ops.prepend(ops.tokensOf(ops.conv(x, w.patch)), w.prefixTokens), w.posFor(g));
      for (let i = 0; i < need; i++) {
        const prev = h;
        h = ops.scope(() => runBlock(ops, prev, w.blocks[i]!));
        const name = `block${i + 1}`;
        if (wanted.includes(name)) out[name] = tokenMap(ops, h, token, prefix, g, g);
      }
      // LayerNorm is per token: normalising only the tokens the tap keeps gives the same values
      if (wanted.includes('final')) out.final = ops.layerNorm(tokenMap(ops, h, token, prefix, g, g), w.norm);
      if (w.classifier && wanted.includes(LOGITS)) out[LOGITS] = vitLogits(ops, h, w.norm, w.classifier);
      return out;
    },
  };
}

/** Build variant `v` of a ViT layout: the key shapes are checked before anything is uploaded. */
export function buildVit(v: VitVariant, scheme: VitScheme, sd: StateDict, opts: CreateModelOptions = {}): Network {
  const arch = v.name;
  const layout = readVitLayout(arch, scheme, sd);
  checkVariant(v, layout);
  checkKeys(arch, sd, layout.expected);
  const { D, patch: p, prefix, grid } = layout;
  const heads = vitHeads(arch, D, opts.heads);
  const token = tokenChoice(arch, opts.token);
  const w = vitWeights(arch, scheme, sd, layout, heads);
  const numClasses = opts.numClasses ?? classesOf(sd, `${scheme.heads[0]}.weight`);
  const taps = [...blockTaps(layout.depth), 'final'];
  return graphNetwork({
    arch,
    taps,
    ...(numClasses !== undefined ? { numClasses } : {}),
    defaultImageSize: grid * p,
    tapChannels: Object.fromEntries(taps.map((t) => [t, D])),
    transformer: { patch: p, grid, heads, prefixTokens: prefix, token },
    hasLogits: w.classifier !== null,
    ...(w.classifier ? {} : { noLogitsReason: `the checkpoint has no classifier weights (${scheme.heads.map((k) => `${k}.weight`).join(', ')})` }),
  }, vitGraph(arch, layout, w, taps, token));
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
