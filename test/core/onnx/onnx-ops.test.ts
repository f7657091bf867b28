/**
 * Every operation of the ONNX lowering (graph/onnx-ops.ts) against the TF.js lowering
 * (graph/tf-ops.ts, whose operations the family parity tests check against PyTorch): a small
 * synthetic graph that uses each of them, with random weights, emitted and run on ONNX Runtime,
 * equals the same graph's TF.js forward within 1e-4. Also: the emitted model passes onnx's own
 * checker, and a second checkpoint of the same shapes reuses the cached node list.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createOnnxSession, emitOnnx, initBackend, NoOnnxGraphError, nhwcToNchw, type Network } from '@shapetex/core';
import { graphNetwork } from '../../../packages/core/dist/zoo/graph/network.js';
import type { ZooGraph } from '../../../packages/core/dist/zoo/graph/ops.js';
import { expectClose } from '../zoo/others-parity.js';

let seed = 7;
const rand = (n: number, s = 0.5): Float32Array => Float32Array.from({ length: n }, () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return (seed / 2147483648 - 0.5) * 2 * s;
});
const conv = (name: string, O: number, I: number, k: number, o: { stride?: number; pad?: number; activation?: 'linear' | 'relu' | 'relu6' | 'silu' | 'sigmoid'; depthwise?: boolean } = {}) => ({
  name, weight: rand(O * (o.depthwise ? 1 : I) * k * k), O, I, kh: k, kw: k, bias: rand(O, 0.1),
  stride: o.stride ?? 1, pad: o.pad ?? (k - 1) / 2, groups: o.depthwise ? O : 1, activation: o.activation ?? 'linear',
});
const lin = (name: string, inF: number, out: number) => ({ name, weight: rand(out * inF, 0.3), bias: rand(out, 0.1), in: inF, out });
const norm = (name: string, c: number) => ({ name, weight: rand(c), bias: rand(c, 0.1), eps: 1e-6 });

/** A CNN part (every map op) and a transformer part (every token op), each with a tap. */
function syntheticGraph(): ZooGraph {
  const c1 = conv('stem.weight', 8, 3, 3, { stride: 2, activation: 'relu6' });
  const c2 = conv('b.conv1.weight', 8, 8, 3, { activation: 'silu' });
  const dw = conv('b.dw.weight', 8, 8, 3, { depthwise: true, activation: 'sigmoid' });
  const c3 = conv('b.conv2.weight', 8, 8, 1, {});
  const se = lin('b.se', 8, 8);
  const aff = { name: 'b.bn', scale: rand(16), shift: rand(16, 0.1) };
  const mapNorm = norm('b.norm', 16);
  const mapLin = lin('b.pw', 16, 12);
  const patch = conv('patch.weight', 12, 12, 2, { stride: 2, pad: 0 });
  const cls = { name: 'cls_token', data: rand(12), shape: [1, 1, 12] };
  const pos = { name: 'pos_embed', data: rand(5 * 12), shape: [1, 5, 12] };
  const n1 = norm('blocks.0.norm1', 12);
  const qkv = lin('blocks.0.attn.qkv', 12, 36);
  const proj = lin('blocks.0.attn.proj', 12, 12);
  const fc = lin('head', 12, 5);
  return {
    forward(ops, { x }, wanted) {
      let h = ops.maxPool(ops.conv(x, c1), { k: 3, stride: 2, pad: 1 }); // 13 → 7 → 4
      h = ops.avgPool(h, { k: 3, stride: 1, pad: 1 });
      const g = ops.conv(ops.conv(h, c2), dw);
      const gate = ops.sigmoid(ops.linear(ops.globalAvgPool(g), se));
      h = ops.conv(ops.mul(g, gate), c3, { residual: h, relu: true });
      h = ops.concat([h, ops.relu(h)]);
      h = ops.affine(ops.layerNorm(ops.add(ops.scale(h, 0.5), ops.gelu(h)), mapNorm), aff);
      const stage = ops.linear(ops.silu(ops.adaptiveAvgPool(ops.adaptiveAvgPool(h, 3), 4)), mapLin);
      let t = ops.addConst(ops.prepend(ops.tokensOf(ops.conv(stage, patch)), cls), pos);
      t = ops.add(t, ops.selfAttention(ops.layerNorm(t, n1), qkv, proj, 3));
      const out: Record<string, ReturnType<typeof ops.relu>> = {};
      if (wanted.includes('stage1')) out.stage1 = stage;
      if (wanted.includes('grid')) out.grid = ops.tokenGrid(ops.sliceTokens(t, 1, 4), 2, 2);
      const vec = ops.tokenVector(ops.sliceTokens(t, 0, 1));
      if (wanted.includes('final')) out.final = vec;
      if (wanted.includes('flat')) out.flat = ops.flatten(stage);
      if (wanted.includes('logits')) out.logits = ops.linear(vec, fc);
      return out;
    },
  };
}

const TAPS = ['stage1', 'grid', 'final', 'flat'];
const network = (): Network => graphNetwork({ arch: 'synthetic', taps: TAPS, defaultImageSize: 13, hasLogits: true, numClasses: 5 }, syntheticGraph());
const dir = mkdtempSync(path.join(tmpdir(), 'shapetex-onnx-ops-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => { await initBackend('wasm', { log: null }); });

describe('the ONNX lowering equals the TF.js lowering, operation by operation', () => {
  it('a graph using every operation: every output within 1e-4, batch dynamic', async () => {
    const net = network();
    const emitted = emitOnnx(net, { taps: [...TAPS, 'logits'], imageSize: 13 });
    expect(emitted.outputs).toEqual([
      { name: 'stage1', shape: ['N', 12] }, { name: 'grid', shape: ['N', 12] }, { name: 'final', shape: ['N', 12] },
      { name: 'flat', shape: ['N', 192] }, { name: 'logits', shape: ['N', 5] },
    ]);
    const session = await createOnnxSession(emitted.bytes, {}, 'synthetic');
    for (const n of [1, 3]) {
      const x = tf.randomNormal([n, 13, 13, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const want = tf.tidy(() => Object.fromEntries(Object.entries(net.forward(x, [...TAPS, 'logits'])).map(([k, v]) => [k, tf.mean(v, [1, 2]).dataSync() as Float32Array])));
      // flatten's order is PyTorch's (C, H, W): compare with the NCHW reading of the TF map
      const got = await session.run({ image: { data: nhwcToNchw(x.dataSync() as Float32Array, n, 13, 13, 3), dims: [n, 3, 13, 13] } }, [...TAPS, 'logits']);
      for (const t of [...TAPS, 'logits']) {
        expect(got[t]!.dims, t).toEqual([n, emitted.outputs.find((o) => o.name === t)!.shape[1]]);
        expectClose(got[t]!.data, want[t]!, `${t} (N=${n})`);
      }
      x.dispose();
    }
    await session.release();
    net.dispose();
  });

  it('the emitted model passes onnx.checker.check_model (full check, shape inference)', () => {
    const net = network();
    const file = path.join(dir, 'synthetic.onnx');
    writeFileSync(file, emitOnnx(net, { taps: [...TAPS, 'logits'], imageSize: 13 }).bytes);
    const out = execFileSync('/usr/bin/python3', ['-c',
      'import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(m.opset_import[0].version, [o.name for o in m.graph.output])', file], { encoding: 'utf8' });
    expect(out.trim()).toBe("13 ['stage1', 'grid', 'final', 'flat', 'logits']");
    net.dispose();
  });

  it('a second checkpoint of the same shapes reuses the node list and only brings its weights', () => {
    const a = network();
    const b = network(); // same shapes, other random weights
    const first = emitOnnx(a, { taps: ['final'], imageSize: 13 });
    const second = emitOnnx(b, { taps: ['final'], imageSize: 13 });
    expect(second.cachedGraph).toBe(true);
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(false);
    // the same network again: byte-identical to its first (full) emission
    expect(Buffer.from(emitOnnx(a, { taps: ['final'], imageSize: 13 }).bytes).equals(Buffer.from(first.bytes))).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('a network without a graph is a NoOnnxGraphError naming it', () => {
    const { graph: _g, ...rest } = network();
    expect(() => emitOnnx(rest as Network, { taps: ['final'] })).toThrow(NoOnnxGraphError);
    expect(() => emitOnnx(rest as Network, { taps: ['final'] })).toThrow(/synthetic: this network has no graph description/);
  });
});
