/**
 * DenseNet-BC (Huang et al. 2017) with torchvision's module layout: stem conv0/norm0/ReLU/
 * max-pool 3x3/2 pad 1, dense blocks of (norm1, ReLU, conv1 1x1, norm2, ReLU, conv2 3x3) layers
 * whose outputs are concatenated, transitions (norm, ReLU, conv 1x1, avg-pool 2x2/2), norm5.
 * `final` = ReLU(norm5(features)) (docs/method.md). The four registered names differ only in block
 * config; growth rate, bottleneck width and every channel count are read from the weights.
 */
import type { StateDict } from '../io/types.js';
import type { ArchitectureSpec, CreateModelOptions, Network } from './types.js';
import { checkKeys, classesOf, expectBn, fitScore, shapeOf, type KeyShapes } from './keys.js';
import { bnWeights, convWeights, type AffineWeights, type ConvWeights } from './graph/weights.js';
import type { Ops } from './graph/ops.js';
import { graphNetwork } from './graph/network.js';
import { finalGraph } from './graph/final.js';
import { headMeta, readLinearWeights } from './graph/staged.js';
import { CheckpointError } from '../io/errors.js';
import { CORE_DEFAULTS } from '../defaults.js';

const CONFIGS: Record<string, readonly number[]> = {
  densenet121: [6, 12, 24, 16],
  densenet161: [6, 12, 36, 24],
  densenet169: [6, 12, 32, 32],
  densenet201: [6, 12, 48, 32],
};

const layerKey = (b: number, l: number): string => `features.denseblock${b}.denselayer${l}`;

/** Block config as found in the weights: layers per dense block. */
export function denseBlockConfig(sd: StateDict): number[] {
  const config: number[] = [];
  for (let b = 1; sd.has(`${layerKey(b, 1)}.conv1.weight`); b++) {
    let l = 1;
    while (sd.has(`${layerKey(b, l + 1)}.conv1.weight`)) l++;
    config.push(l);
  }
  return config;
}

interface Layout { config: number[]; expected: KeyShapes; numClasses?: number }

/** Expected keys and shapes given the config, stem width, growth and bottleneck read from the weights. */
function readLayout(arch: string, sd: StateDict): Layout {
  const want = CONFIGS[arch]!;
  const config = denseBlockConfig(sd);
  if (config.length !== want.length || config.some((n, i) => n !== want[i])) {
    throw new CheckpointError(null, `state_dict does not fit ${arch}: dense block config (${want.join(', ')}) expected, found (${config.join(', ')})`);
  }
  const expected: KeyShapes = new Map();
  const f0 = shapeOf(arch, sd, 'features.conv0.weight', 4)[0]!;
  const growth = shapeOf(arch, sd, `${layerKey(1, 1)}.conv2.weight`, 4)[0]!;
  const bottleneck = shapeOf(arch, sd, `${layerKey(1, 1)}.conv1.weight`, 4)[0]!;
  expected.set('features.conv0.weight', [f0, 3, 7, 7]);
  expectBn(expected, 'features.norm0', f0);
  let c = f0;
  config.forEach((n, bi) => {
    const b = bi + 1;
    for (let l = 1; l <= n; l++) {
      const p = layerKey(b, l);
      const cin = c + (l - 1) * growth;
      expectBn(expected, `${p}.norm1`, cin);
      expected.set(`${p}.conv1.weight`, [bottleneck, cin, 1, 1]);
      expectBn(expected, `${p}.norm2`, bottleneck);
      expected.set(`${p}.conv2.weight`, [growth, bottleneck, 3, 3]);
    }
    c += n * growth;
    if (b < config.length) {
      const t = `features.transition${b}`;
      const cout = shapeOf(arch, sd, `${t}.conv.weight`, 4)[0]!;
      expectBn(expected, `${t}.norm`, c);
      expected.set(`${t}.conv.weight`, [cout, c, 1, 1]);
      c = cout;
    }
  });
  expectBn(expected, 'features.norm5', c);
  const numClasses = classesOf(sd, 'classifier.weight');
  expected.set('classifier.weight', [numClasses ?? CORE_DEFAULTS.numClasses, c]);
  expected.set('classifier.bias', [numClasses ?? CORE_DEFAULTS.numClasses]);
  return { config, expected, ...(numClasses !== undefined ? { numClasses } : {}) };
}

interface DenseLayer { norm1: AffineWeights; conv1: ConvWeights; conv2: ConvWeights }
interface Transition { norm: AffineWeights; conv: ConvWeights }

function foldLayers(sd: StateDict, config: number[]): { blocks: DenseLayer[][]; transitions: Transition[] } {
  const blocks = config.map((n, bi) => Array.from({ length: n }, (_, li) => {
    const p = layerKey(bi + 1, li + 1);
    return {
      // norm1 sits between the concatenation and a ReLU, so it cannot be folded into a conv
      norm1: bnWeights(sd, `${p}.norm1`),
      conv1: convWeights(sd, `${p}.conv1.weight`, { bn: `${p}.norm2`, activation: 'relu' }),
      conv2: convWeights(sd, `${p}.conv2.weight`, { pad: 1 }),
    };
  }));
  const transitions = config.slice(1).map((_, bi) => ({
    norm: bnWeights(sd, `features.transition${bi + 1}.norm`),
    conv: convWeights(sd, `features.transition${bi + 1}.conv.weight`),
  }));
  return { blocks, transitions };
}

/**
 * Each layer's growth is concatenated to everything before it in the block. Scoped per layer and
 * per block, so only the block's concatenations are alive while it runs, not every layer's maps.
 */
function runBlock<V>(ops: Ops<V>, x: V, layers: DenseLayer[]): V {
  return ops.scope(() => layers.reduce((cat, l) => ops.scope(
    () => ops.concat([cat, ops.conv(ops.conv(ops.relu(ops.affine(cat, l.norm1)), l.conv1), l.conv2)]),
  ), x));
}

function buildDenseNet(arch: string, sd: StateDict, opts: CreateModelOptions = {}): Network {
  const { config, expected, numClasses } = readLayout(arch, sd);
  checkKeys(arch, sd, expected);
  const stem = convWeights(sd, 'features.conv0.weight', { stride: 2, pad: 3, bn: 'features.norm0', activation: 'relu' });
  const { blocks, transitions } = foldLayers(sd, config);
  const norm5 = bnWeights(sd, 'features.norm5');
  const head = readLinearWeights(sd, 'classifier', norm5.scale.length);
  const classes = opts.numClasses ?? numClasses;
  return graphNetwork({
    arch,
    taps: ['final'],
    ...(classes !== undefined ? { numClasses: classes } : {}),
    defaultImageSize: CORE_DEFAULTS.imageSize,
    ...headMeta(head),
  }, finalGraph({
    final: (ops, x) => {
      let h = ops.maxPool(ops.conv(x, stem), { k: 3, stride: 2, pad: 1 });
      blocks.forEach((layers, bi) => {
        h = runBlock(ops, h, layers);
        const t = transitions[bi];
        // A 1x1 conv without bias and a 2x2 average commute (both linear, one per pixel and one
        // per channel): pooling first does the conv on a quarter of the pixels.
        if (t) {
          const input = h;
          h = ops.scope(() => ops.conv(ops.avgPool(ops.relu(ops.affine(input, t.norm)), { k: 2, stride: 2, pad: 0 }), t.conv));
        }
      });
      return ops.relu(ops.affine(h, norm5));
    },
    // logits: relu(norm5) → adaptive_avg_pool2d(1) → classifier, as torchvision's forward
    ...(typeof head === 'string' ? {} : { logits: <V>(ops: Ops<V>, final: V) => ops.linear(ops.globalAvgPool(final), head) }),
  }));
}

function matchDenseNet(arch: string, sd: StateDict): number {
  if (!sd.has('features.conv0.weight') || !sd.has('features.norm5.weight')) return 0;
  return fitScore(arch, sd, () => readLayout(arch, sd).expected, 10);
}

export const densenetSpecs: ArchitectureSpec[] = Object.keys(CONFIGS).map((name) => ({
  name,
  family: 'densenet',
  match: (sd: StateDict) => matchDenseNet(name, sd),
  build: (sd: StateDict, opts?: CreateModelOptions) => buildDenseNet(name, sd, opts),
}));
