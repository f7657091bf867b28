/**
 * The AdaIN networks as ONNX graphs, emitted from the same step lists (layers.ts) that the
 * TF.js path runs, so the two engines share one description: the encoder (vgg_normalised up to
 * relu4_1) and the decoder with the AdaIN transfer in front of it. Every spatial size is
 * dynamic; the decoder broadcasts one content against a batch of styles, so a content's
 * textures are decoded in one run (the builder's batch).
 */
import { encodeModel, floatTensor, int64Tensor, node, valueInfo, type INodeProto as NodeProto, type StateDict, type ITensorProto as TensorProto } from '@shapetex/core';
import { ADAIN_EPS } from './adain.js';
import { DECODER_STEPS as DECODER, ENCODER_STEPS as ENCODER, type Step } from './layers.js';

interface Emitted { nodes: NodeProto[]; inits: TensorProto[]; out: string }

const data = (sd: StateDict, key: string): Float32Array => {
  const d = sd.get(key)!.data;
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
};

/**
 * The steps as nodes from `input`: a conv is ReflectionPad2d(1) + 3×3 conv (+ ReLU), or the
 * encoder's first 1×1; a pool is MaxPool2d(2, 2, ceil_mode=True); an up is nearest 2×.
 */
function emitSteps(sd: StateDict, steps: readonly Step[], input: string, prefix: string): Emitted {
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [int64Tensor(`${prefix}.pads`, [8], [0, 0, 1, 1, 0, 0, 1, 1]), floatTensor(`${prefix}.up`, [4], Float32Array.from([1, 1, 2, 2]))];
  let h = input;
  for (const s of steps) {
    const at = `${prefix}.${s.index}`;
    if (s.kind === 'conv') {
      const w = sd.get(`${s.index}.weight`)!;
      inits.push(floatTensor(`${at}.weight`, w.shape, data(sd, `${s.index}.weight`)), floatTensor(`${at}.bias`, [w.shape[0]!], data(sd, `${s.index}.bias`)));
      let x = h;
      if (s.reflect) nodes.push(node('Pad', [h, `${prefix}.pads`], [(x = `${at}.padded`)], { mode: 'reflect' }));
      nodes.push(node('Conv', [x, `${at}.weight`, `${at}.bias`], [`${at}.conv`], { kernel_shape: [w.shape[2]!, w.shape[3]!] }));
      h = `${at}.conv`;
      if (s.relu) nodes.push(node('Relu', [h], [(h = `${at}.relu`)]));
    } else if (s.kind === 'pool') {
      nodes.push(node('MaxPool', [h], [(h = `${at}.pool`)], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }));
    } else {
      nodes.push(node('Resize', [h, '', `${prefix}.up`], [(h = `${at}.up`)], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }));
    }
  }
  return { nodes, inits, out: h };
}

/**
 * Encoder: `image` [N, H, W, 3] in [0, 1] (the NHWC of tf tensors; transposed here, on the
 * engine's kernels, not in JavaScript) → `features` [N, C, h, w], the layout the decoder takes,
 * and the same as `features_nhwc` [N, h, w, C] for callers that want a tf tensor.
 */
export function adainEncoderGraph(vgg: StateDict): Uint8Array {
  const e = emitSteps(vgg, ENCODER, 'image.nchw', 'encoder');
  e.nodes.unshift(node('Transpose', ['image'], ['image.nchw'], { perm: [0, 3, 1, 2] }));
  e.nodes.push(node('Identity', [e.out], ['features']), node('Transpose', [e.out], ['features_nhwc'], { perm: [0, 2, 3, 1] }));
  return encodeModel({
    name: 'adain_encoder', nodes: e.nodes, initializers: e.inits,
    inputs: [valueInfo('image', ['n', 'h', 'w', 3])],
    outputs: [valueInfo('features', ['n', 'c', 'fh', 'fw']), valueInfo('features_nhwc', ['n', 'fh', 'fw', 'c'])],
    doc: 'AdaIN encoder (vgg_normalised to relu4_1), written by shapetex',
  });
}

/**
 * Mean and std of each channel over H and W, as pytorch-AdaIN's calc_mean_std: the unbiased
 * variance (n − 1) plus ε, then the square root.
 */
function moments(x: string, tag: string, nodes: NodeProto[]): { mean: string; std: string } {
  const mean = `${tag}.mean`;
  nodes.push(
    node('ReduceMean', [x], [mean], { axes: [2, 3], keepdims: 1 }),
    node('Sub', [x, mean], [`${tag}.centred`]),
    node('Mul', [`${tag}.centred`, `${tag}.centred`], [`${tag}.sq`]),
    node('ReduceSum', [`${tag}.sq`, 'adain.axes'], [`${tag}.ss`], { keepdims: 1 }),
    // n − 1 from the runtime shape: H·W − 1
    node('Shape', [x], [`${tag}.shape`]),
    node('Gather', [`${tag}.shape`, 'adain.axes'], [`${tag}.hw`]),
    node('ReduceProd', [`${tag}.hw`], [`${tag}.n`], { keepdims: 0 }),
    node('Cast', [`${tag}.n`], [`${tag}.nf`], { to: 1 }),
    node('Sub', [`${tag}.nf`, 'adain.one'], [`${tag}.n1`]),
    node('Div', [`${tag}.ss`, `${tag}.n1`], [`${tag}.var`]),
    node('Add', [`${tag}.var`, 'adain.eps'], [`${tag}.vare`]),
    node('Sqrt', [`${tag}.vare`], [`${tag}.std`]),
  );
  return { mean, std: `${tag}.std` };
}

/**
 * The transfer and the decoder from features `content` [1, C, h, w] and `style` [K, C, hs, ws]
 * and `alpha` [1] to `image` [K, 8h, 8w, 3] (NHWC, as tf tensors hold images):
 * t = σ(s)·(c − μ(c))/σ(c) + μ(s), α·t + (1 − α)·c, decoded (unclipped).
 */
function transferAndDecode(decoder: StateDict, content: string, style: string): Emitted {
  const nodes: NodeProto[] = [];
  const c = moments(content, 'c', nodes);
  const s = moments(style, 's', nodes);
  nodes.push(
    node('Sub', [content, c.mean], ['t.centred']),
    node('Div', ['t.centred', c.std], ['t.normed']),
    node('Mul', ['t.normed', s.std], ['t.scaled']),
    node('Add', ['t.scaled', s.mean], ['t']),
    node('Sub', ['t', content], ['t.delta']),
    node('Mul', ['t.delta', 'alpha'], ['t.adelta']),
    node('Add', [content, 't.adelta'], ['mixed']),
  );
  const d = emitSteps(decoder, DECODER, 'mixed', 'decoder');
  d.nodes.push(node('Transpose', [d.out], ['image'], { perm: [0, 2, 3, 1] }));
  return {
    nodes: [...nodes, ...d.nodes],
    inits: [
      int64Tensor('adain.axes', [2], [2, 3]),
      floatTensor('adain.one', [], Float32Array.from([1])),
      floatTensor('adain.eps', [], Float32Array.from([ADAIN_EPS])),
      ...d.inits,
    ],
    out: 'image',
  };
}

/** Decoder: `content` [1, C, h, w], `style` [K, C, hs, ws] and `alpha` [1] → `image` [K, 8h, 8w, 3]. */
export function adainDecoderGraph(decoder: StateDict): Uint8Array {
  const d = transferAndDecode(decoder, 'content', 'style');
  return encodeModel({
    name: 'adain_decoder', nodes: d.nodes, initializers: d.inits,
    inputs: [valueInfo('content', [1, 'c', 'h', 'w']), valueInfo('style', ['k', 'c', 'hs', 'ws']), valueInfo('alpha', [1])],
    outputs: [valueInfo('image', ['k', 'H', 'W', 3])],
    doc: 'AdaIN transfer + decoder, written by shapetex',
  });
}

/**
 * One stylization as one graph: `pair` [2, H, W, 3], the content then the style (one size), and
 * `alpha` [1] → `image` [1, H', W', 3]. The two images go through the encoder as one batch (its
 * convolutions run on twice the rows at once) and their features never leave the engine.
 */
export function adainStylizeGraph(vgg: StateDict, decoder: StateDict): Uint8Array {
  const e = emitSteps(vgg, ENCODER, 'pair.nchw', 'encoder');
  e.nodes.unshift(node('Transpose', ['pair'], ['pair.nchw'], { perm: [0, 3, 1, 2] }));
  e.nodes.push(node('Split', [e.out], ['content.features', 'style.features'], { axis: 0 }));
  const d = transferAndDecode(decoder, 'content.features', 'style.features');
  return encodeModel({
    name: 'adain_stylize', nodes: [...e.nodes, ...d.nodes], initializers: [...e.inits, ...d.inits],
    inputs: [valueInfo('pair', [2, 'h', 'w', 3]), valueInfo('alpha', [1])],
    outputs: [valueInfo('image', [1, 'H', 'W', 3])],
    doc: 'AdaIN stylization (encoder on content and style, transfer, decoder), written by shapetex',
  });
}
