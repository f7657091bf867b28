/**
 * WebAssembly (SIMD128) text shared by shapetex's convolution kernels, and the module that
 * holds them all: the Winograd transforms (winograd/wat.ts), im2col (im2col/wat.ts) and one
 * register-blocked GEMM that both feed. Generated rather than written out because the inner
 * loops are unrolled over registers; assembled by wabt when the wasm backend is set up
 * (module.ts), so no binary is kept or built ahead. All addresses are bytes in tfjs-wasm's
 * heap, which the module imports.
 */
import { im2colWat } from './im2col/wat.js';
import { winogradWat } from './winograd/wat.js';
import { MR, ZERO, addr, get, i32, madd, mul, type WatFeatures } from './text.js';

export { MR };

/**
 * gemm(V, U, M, planes, tb, C, K, vPlane, vGroup, mPlane, mRow): for each ξ of the planes,
 * M[ξ] (tb × K) = V[ξ] (tb × C) · U[ξ] (C × K). U is packed [ξ][K/8][C][8]. V holds groups of
 * MR rows, each group [C][MR]: group g of plane ξ at V + ξ·vPlane + g·vGroup. Row t of M[ξ] is
 * at M + ξ·mPlane + t·mRow. The strides (bytes) let the Winograd path keep one tile's planes
 * together (winograd/layout.ts) and im2col pass a single plane. Each step of the inner loop
 * broadcasts one value of each of the MR rows (constant offsets from one pointer) and
 * multiplies it with 8 columns of U.
 *
 * gemm_bias_act(…, bias, relu) is the same with an epilogue: it stores max(M + bias, 0)
 * (relu ≠ 0) or M + bias, so a convolution by im2col writes its output directly.
 */
function gemm(epilogue: boolean, features: WatFeatures): string {
  const acc: string[] = [];
  for (let r = 0; r < MR; r++) acc.push(`(local $c${r}0 v128) (local $c${r}1 v128)`);
  const step: string[] = [];
  for (let r = 0; r < MR; r++) {
    step.push(`(local.set $a (v128.load32_splat offset=${4 * r} ${get('ap')}))`);
    step.push(`(local.set $c${r}0 ${madd(get('a'), get('b0'), get(`c${r}0`), features)})`);
    step.push(`(local.set $c${r}1 ${madd(get('a'), get('b1'), get(`c${r}1`), features)})`);
  }
  const zero = Array.from({ length: MR }, (_, r) => `(local.set $c${r}0 ${ZERO}) (local.set $c${r}1 ${ZERO})`).join(' ');
  const store: string[] = [];
  for (let r = 0; r < MR; r++) {
    const row = r === 0 ? get('mp') : addr(get('mp'), mul(get('mRow'), i32(r)));
    const out = (c: string, bias: string) => (epilogue ? `(f32x4.max (f32x4.add ${get(c)} ${get(bias)}) ${get('lo')})` : get(c));
    store.push(`(v128.store ${row} ${out(`c${r}0`, 'bv0')})`, `(v128.store offset=16 ${row} ${out(`c${r}1`, 'bv1')})`);
  }
  return `
 (func (export "${epilogue ? 'gemm_bias_act' : 'gemm'}") (param $V i32) (param $U i32) (param $M i32) (param $planes i32) (param $tb i32) (param $C i32) (param $K i32)
  (param $vPlane i32) (param $vGroup i32) (param $mPlane i32) (param $mRow i32)
  ${epilogue ? '(param $bias i32) (param $relu i32) (local $bv0 v128) (local $bv1 v128) (local $lo v128)' : ''}
  (local $xi i32) (local $n i32) (local $m i32) (local $k i32) (local $ap i32) (local $bp i32) (local $mp i32)
  (local $cBytes i32) (local $kBytes i32) (local $vAt i32) (local $uAt i32) (local $mAt i32)
  (local $a v128) (local $b0 v128) (local $b1 v128) ${acc.join(' ')}
  ${epilogue ? `(local.set $lo (select ${ZERO} (v128.const f32x4 -inf -inf -inf -inf) ${get('relu')}))` : ''}
  (local.set $cBytes (i32.shl ${get('C')} ${i32(2)}))
  (local.set $kBytes (i32.shl ${get('K')} ${i32(2)}))
  (local.set $xi ${i32(0)})
  (block $xdone (loop $planes
   (br_if $xdone (i32.ge_u ${get('xi')} ${get('planes')}))
   (local.set $vAt (i32.add ${get('V')} (i32.mul ${get('xi')} ${get('vPlane')})))
   (local.set $uAt (i32.add ${get('U')} (i32.mul ${get('xi')} (i32.mul ${get('C')} ${get('kBytes')}))))
   (local.set $mAt (i32.add ${get('M')} (i32.mul ${get('xi')} ${get('mPlane')})))
   (local.set $n ${i32(0)})
   (block $ndone (loop $cols
    (br_if $ndone (i32.ge_u ${get('n')} ${get('K')}))
    ${epilogue ? `(local.set $bv0 (v128.load ${addr(get('bias'), `(i32.shl ${get('n')} ${i32(2)})`)})) (local.set $bv1 (v128.load offset=16 ${addr(get('bias'), `(i32.shl ${get('n')} ${i32(2)})`)}))` : ''}
    (local.set $m ${i32(0)})
    (block $mdone (loop $rows
     (br_if $mdone (i32.ge_u ${get('m')} ${get('tb')}))
     ${zero}
     (local.set $ap (i32.add ${get('vAt')} (i32.mul (i32.div_u ${get('m')} ${i32(MR)}) ${get('vGroup')})))
     (local.set $bp (i32.add ${get('uAt')} (i32.mul ${get('n')} ${get('cBytes')})))
     (local.set $k ${get('C')})
     (loop $inner
      (local.set $b0 (v128.load ${get('bp')}))
      (local.set $b1 (v128.load offset=16 ${get('bp')}))
      ${step.join('\n      ')}
      (local.set $ap (i32.add ${get('ap')} ${i32(4 * MR)}))
      (local.set $bp (i32.add ${get('bp')} ${i32(32)}))
      (local.set $k (i32.sub ${get('k')} ${i32(1)}))
      (br_if $inner ${get('k')}))
     (local.set $mp (i32.add (i32.add ${get('mAt')} (i32.mul ${get('m')} ${get('mRow')})) (i32.shl ${get('n')} ${i32(2)})))
     ${store.join('\n     ')}
     (local.set $m (i32.add ${get('m')} ${i32(MR)}))
     (br $rows)))
    (local.set $n (i32.add ${get('n')} ${i32(8)}))
    (br $cols)))
   (local.set $xi (i32.add ${get('xi')} ${i32(1)}))
   (br $planes)))
 )`;
}


/**
 * The whole module on an imported memory (tfjs-wasm's heap; `shared` for its threaded build,
 * whose memory is a SharedArrayBuffer); `fma` for relaxed SIMD's fused multiply-add (text.ts).
 */
export function kernelsWat({ shared = false, fma = false }: { shared?: boolean; fma?: boolean } = {}): string {
  const features: WatFeatures = { fma };
  return `(module
 (import "env" "memory" (memory 1${shared ? ' 65536 shared' : ''}))
${winogradWat(features)}
${im2colWat()}
${gemm(false, features)}
${gemm(true, features)}
)`;
}
