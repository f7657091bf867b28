// Random-weight state_dicts of torchvision's vit_b_16 and convnext_tiny layouts, built in JS so
// the benchmark needs no checkpoint file. Linear and conv weights are normal with
// std = 1 / √fan_in (activations keep their scale through the depth); LayerNorm weights near 1,
// biases and ConvNeXt layer scales small but not zero, so no branch is trivially dead.
import { createRng } from '@shapetex/core';

function filler(seed) {
  const rng = createRng(seed);
  const sd = new Map();
  const put = (key, shape, fill) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = fill();
    sd.set(key, { dtype: 'float32', shape, data });
  };
  const weight = (key, shape, fanIn) => put(key, shape, () => rng.normal() / Math.sqrt(fanIn));
  const bias = (key, n) => put(key, [n], () => 0.02 * rng.normal());
  const ln = (prefix, c) => { put(`${prefix}.weight`, [c], () => 1 + 0.1 * rng.normal()); bias(`${prefix}.bias`, c); };
  return { sd, put, weight, bias, ln, rng };
}

/** torchvision vit_b_16 (D 768, 12 blocks, MLP 3072, patch 16, 224 px). */
export function randomVitStateDict({ seed = 0, D = 768, depth = 12, mlp = 3072, patch = 16, grid = 14, numClasses = 1000 } = {}) {
  const { sd, put, weight, bias, ln, rng } = filler(seed);
  weight('conv_proj.weight', [D, 3, patch, patch], 3 * patch * patch);
  bias('conv_proj.bias', D);
  put('class_token', [1, 1, D], () => 0.02 * rng.normal());
  put('encoder.pos_embedding', [1, grid * grid + 1, D], () => 0.02 * rng.normal());
  for (let i = 0; i < depth; i++) {
    const p = `encoder.layers.encoder_layer_${i}`;
    ln(`${p}.ln_1`, D);
    weight(`${p}.self_attention.in_proj_weight`, [3 * D, D], D);
    bias(`${p}.self_attention.in_proj_bias`, 3 * D);
    weight(`${p}.self_attention.out_proj.weight`, [D, D], D);
    bias(`${p}.self_attention.out_proj.bias`, D);
    ln(`${p}.ln_2`, D);
    weight(`${p}.mlp.0.weight`, [mlp, D], D);
    bias(`${p}.mlp.0.bias`, mlp);
    weight(`${p}.mlp.3.weight`, [D, mlp], mlp);
    bias(`${p}.mlp.3.bias`, D);
  }
  ln('encoder.ln', D);
  weight('heads.head.weight', [numClasses, D], D);
  bias('heads.head.bias', numClasses);
  return sd;
}

/** torchvision convnext_tiny (widths 96-192-384-768, blocks 3-3-9-3). */
export function randomConvnextStateDict({ seed = 0, widths = [96, 192, 384, 768], depths = [3, 3, 9, 3], numClasses = 1000 } = {}) {
  const { sd, put, weight, bias, ln, rng } = filler(seed);
  weight('features.0.0.weight', [widths[0], 3, 4, 4], 48);
  bias('features.0.0.bias', widths[0]);
  ln('features.0.1', widths[0]);
  for (let s = 0; s < 4; s++) {
    const c = widths[s];
    if (s > 0) {
      ln(`features.${2 * s}.0`, widths[s - 1]);
      weight(`features.${2 * s}.1.weight`, [c, widths[s - 1], 2, 2], 4 * widths[s - 1]);
      bias(`features.${2 * s}.1.bias`, c);
    }
    for (let b = 0; b < depths[s]; b++) {
      const p = `features.${2 * s + 1}.${b}`;
      put(`${p}.layer_scale`, [c, 1, 1], () => 0.1 + 0.05 * rng.next());
      weight(`${p}.block.0.weight`, [c, 1, 7, 7], 49);
      bias(`${p}.block.0.bias`, c);
      ln(`${p}.block.2`, c);
      weight(`${p}.block.3.weight`, [4 * c, c], c);
      bias(`${p}.block.3.bias`, 4 * c);
      weight(`${p}.block.5.weight`, [c, 4 * c], 4 * c);
      bias(`${p}.block.5.bias`, c);
    }
  }
  ln('classifier.0', widths[3]);
  weight('classifier.2.weight', [numClasses, widths[3]], widths[3]);
  bias('classifier.2.bias', numClasses);
  return sd;
}
