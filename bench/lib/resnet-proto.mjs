// A stand-alone ResNet-18/34 forward used to measure optimisation steps in isolation (BN folding,
// fused ops) independently of the zoo. The zoo's createModel is what the benchmark reports when
// it exists; this prototype is the control the steps are measured on.
import * as tf from '@tensorflow/tfjs-core';

const BLOCKS = { resnet18: [2, 2, 2, 2], resnet34: [3, 4, 6, 3] };

function floats(sd, key) {
  const e = sd.get(key);
  if (!e) throw new Error(`resnet prototype: missing state_dict key ${key}`);
  return e;
}

/** OIHW → HWIO with every output channel o scaled by scale[o] (1 when scale is null). */
function toHwio(e, scale) {
  const [O, I, kh, kw] = e.shape;
  const out = new Float32Array(e.data.length);
  for (let o = 0; o < O; o++) {
    const s = scale ? scale[o] : 1;
    for (let i = 0; i < I; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
      out[((y * kw + x) * I + i) * O + o] = e.data[((o * I + i) * kh + y) * kw + x] * s;
    }
  }
  return tf.tensor4d(out, [kh, kw, I, O]);
}

/**
 * Build one conv(+BN)(+ReLU) unit. fold: BN as scale = γ/√(σ²+ε), shift = β − μ·scale folded
 * into the filter and a bias of a fused conv; otherwise conv2d → batchNorm → relu as three ops.
 */
function unit(sd, convKey, bnPrefix, { stride, pad, relu, fold, fused }) {
  const w = floats(sd, convKey);
  const g = floats(sd, `${bnPrefix}.weight`).data, b = floats(sd, `${bnPrefix}.bias`).data;
  const m = floats(sd, `${bnPrefix}.running_mean`).data, v = floats(sd, `${bnPrefix}.running_var`).data;
  const C = g.length;
  if (fold) {
    const scale = new Float32Array(C), shift = new Float32Array(C);
    for (let c = 0; c < C; c++) { scale[c] = g[c] / Math.sqrt(v[c] + 1e-5); shift[c] = b[c] - m[c] * scale[c]; }
    const filter = toHwio(w, scale), bias = tf.tensor1d(shift);
    if (!fused) {
      // folded but as separate conv2d, add-bias and ReLU ops: isolates what fusion itself gives
      return {
        apply: (x, residual) => {
          let y = tf.add(tf.conv2d(x, filter, stride, pad), bias);
          if (residual) y = tf.add(y, residual);
          return relu ? tf.relu(y) : y;
        },
        tensors: [filter, bias],
      };
    }
    return {
      apply: (x, residual) => {
        if (!residual) return tf.fused.conv2d({ x, filter, bias, strides: stride, pad, activation: relu ? 'relu' : 'linear' });
        // conv + bias, then + residual, then ReLU: tfjs's fused conv has no add-residual input
        return tf.relu(tf.add(tf.fused.conv2d({ x, filter, bias, strides: stride, pad }), residual));
      },
      tensors: [filter, bias],
    };
  }
  const filter = toHwio(w, null);
  const [mean, variance, gamma, beta] = [m, v, g, b].map((a) => tf.tensor1d(a));
  return {
    apply: (x, residual) => {
      let y = tf.batchNorm(tf.conv2d(x, filter, stride, pad), mean, variance, beta, gamma, 1e-5);
      if (residual) y = tf.add(y, residual);
      return relu ? tf.relu(y) : y;
    },
    tensors: [filter, mean, variance, gamma, beta],
  };
}

/**
 * Returns { taps, forward(x, taps) → Record<tap, NHWC tensor>, dispose() } with taps
 * stage1..stage4 and final (= stage4), as the zoo's Network.
 */
export function buildResnetPrototype(sd, { arch = 'resnet18', fold = true, fused = true } = {}) {
  const blocks = BLOCKS[arch];
  const stem = unit(sd, 'conv1.weight', 'bn1', { stride: 2, pad: 3, relu: true, fold, fused });
  const stages = blocks.map((count, s) => Array.from({ length: count }, (_, b) => {
    const p = `layer${s + 1}.${b}`;
    const stride = s > 0 && b === 0 ? 2 : 1;
    return {
      c1: unit(sd, `${p}.conv1.weight`, `${p}.bn1`, { stride, pad: 1, relu: true, fold, fused }),
      c2: unit(sd, `${p}.conv2.weight`, `${p}.bn2`, { stride: 1, pad: 1, relu: true, fold, fused }),
      down: sd.has(`${p}.downsample.0.weight`) ? unit(sd, `${p}.downsample.0.weight`, `${p}.downsample.1`, { stride, pad: 0, relu: false, fold, fused }) : null,
    };
  }));
  const all = [stem, ...stages.flat().flatMap((b) => [b.c1, b.c2, b.down].filter(Boolean))];
  return {
    arch,
    taps: ['stage1', 'stage2', 'stage3', 'stage4', 'final'],
    defaultImageSize: 224,
    forward(x, taps) {
      const out = {};
      // torchvision's maxpool: 3x3, stride 2, padding 1 on both sides; a numeric pad keeps that
      // window grid without a separate PadV2 (which cost ~5% of the forward in a profile)
      const h0 = stem.apply(x);
      let h = tf.maxPool(h0, 3, 2, 1, 'floor');
      stages.forEach((stage, s) => {
        for (const blk of stage) {
          const identity = blk.down ? blk.down.apply(h) : h;
          h = blk.c2.apply(blk.c1.apply(h), identity);
        }
        if (taps.includes(`stage${s + 1}`)) out[`stage${s + 1}`] = h;
      });
      if (taps.includes('final')) out.final = h;
      return out;
    },
    dispose() { for (const u of all) for (const t of u.tensors) t.dispose(); },
  };
}
