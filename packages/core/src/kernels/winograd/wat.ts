/**
 * The WebAssembly (SIMD128) text of the Winograd F(m×m, 3×3) convolution kernels, m = 2 or 4
 * (transforms.ts). Generated rather than written out because the transforms are unrolled from
 * their matrices and the GEMM over registers; assembled by wabt at first use (module.ts), so no
 * binary is kept or built ahead.
 *
 * Memory layout the kernels agree on (byte addresses in tfjs-wasm's heap, float32, 16-byte
 * aligned), α = m + 2:
 * - input: zero-padded NHWC, [n, Hp, Wp, C] with Hp = m·th + 2, Wp = m·tw + 2 (th × tw tiles);
 * - V: transformed input tiles of one block, [α²][tb / MR][C][MR] (ξ = α·i + j of the tile;
 *   MR tiles interleaved, so the GEMM reads one row value of each at constant offsets);
 * - U: transformed filters, [α²][K/8][C][8] (8 output channels side by side);
 * - M: products of one block, [α²][tb][K];
 * - output: NHWC over whole tiles, [n, m·th, m·tw, K].
 * C is a multiple of 4, K of 8, tb of MR (the rows of the GEMM micro-kernel).
 */
import { TILE_SIZES, tileTransforms, type TileTransforms } from './transforms.js';

/** Rows of the GEMM micro-kernel: MR rows × 8 columns keep 2·MR accumulators in registers. */
export const MR = 4;

const ZERO = '(v128.const i32x4 0 0 0 0)';
const get = (n: string) => `(local.get $${n})`;
const addr = (base: string, offset: string) => `(i32.add ${base} ${offset})`;
const i32 = (v: number) => `(i32.const ${v})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;

/** Sets (b, ty, tx), the image, tile row and tile column, of tile t0 (tiles in that order). */
function firstTile(): string {
  return `(local.set $tx (i32.rem_u ${get('t0')} ${get('tw')}))
  (local.set $ty (i32.rem_u (i32.div_u ${get('t0')} ${get('tw')}) ${get('th')}))
  (local.set $b (i32.div_u ${get('t0')} (i32.mul ${get('tw')} ${get('th')})))`;
}

/** Steps (b, ty, tx) and the block's tile counter t to the next tile: column, then row, then image. */
function nextTile(): string {
  return `(local.set $tx (i32.add ${get('tx')} ${i32(1)}))
   (if (i32.eq ${get('tx')} ${get('tw')}) (then
     (local.set $tx ${i32(0)})
     (local.set $ty (i32.add ${get('ty')} ${i32(1)}))
     (if (i32.eq ${get('ty')} ${get('th')}) (then
       (local.set $ty ${i32(0)})
       (local.set $b (i32.add ${get('b')} ${i32(1)}))))))
   (local.set $t (i32.add ${get('t')} ${i32(1)}))`;
}

/**
 * A linear combination Σ coef·v of v128 expressions as WAT: ±1 as add/sub, other
 * coefficients as a multiply by a constant vector; zero terms dropped.
 */
function combination(terms: [number, string][]): string {
  const live = terms.filter(([c]) => c !== 0).sort(([a], [b]) => Number(b === 1) - Number(a === 1));
  const scaled = (c: number, v: string) => `(f32x4.mul ${v} (v128.const f32x4 ${c} ${c} ${c} ${c}))`;
  const [c0, v0] = live[0]!;
  let acc = c0 === 1 ? v0 : c0 === -1 ? `(f32x4.neg ${v0})` : scaled(c0, v0);
  for (const [c, v] of live.slice(1)) {
    const term = Math.abs(c) === 1 ? v : scaled(Math.abs(c), v);
    acc = `(${c > 0 ? 'f32x4.add' : 'f32x4.sub'} ${acc} ${term})`;
  }
  return acc;
}

/**
 * input_transform_m(x, V, C, Wp, Hp, tw, th, t0, tb): the tiles t0 … t0 + tb − 1 (in (image,
 * tile row, tile column) order) → V = Bᵀ·d·B per 4-channel vector, for the α × α input tile d
 * at padded row m·ty, column m·tx.
 */
function inputTransform({ m, alpha, BT }: TileTransforms): string {
  const locals: string[] = [];
  for (let i = 0; i < alpha; i++) for (let j = 0; j < alpha; j++) locals.push(`(local $d${i}_${j} v128) (local $t${i}_${j} v128)`);
  const body: string[] = [];
  // d[i][j] = x[b, m·ty + i, m·tx + j, c..c+3]: rows are Wp·C floats apart, columns C floats
  for (let i = 0; i < alpha; i++) {
    body.push(`(local.set $row (i32.add ${get('px')} ${mul(get('rowBytes'), i32(i))}))`);
    for (let j = 0; j < alpha; j++) {
      body.push(`(local.set $d${i}_${j} (v128.load ${j === 0 ? get('row') : addr(get('row'), mul(get('cBytes'), i32(j)))}))`);
    }
  }
  // t = Bᵀ·d, column by column
  for (let r = 0; r < alpha; r++) {
    for (let j = 0; j < alpha; j++) body.push(`(local.set $t${r}_${j} ${combination(BT[r]!.map((c, i) => [c, get(`d${i}_${j}`)]))})`);
  }
  // V[ξ = α·r + s] = (t·B)[r][s]; planes are tb·C floats apart, and V is [ξ][t / MR][C][MR]:
  // the 4 channels of one vector are MR floats apart
  for (let r = 0; r < alpha; r++) {
    for (let s = 0; s < alpha; s++) {
      body.push(`(local.set $q ${combination(BT[s]!.map((c, j) => [c, get(`t${r}_${j}`)]))})`);
      const at = addr(get('pv'), mul(get('planeBytes'), i32(alpha * r + s)));
      body.push(`(local.set $row ${at})`);
      for (let l = 0; l < 4; l++) body.push(`(v128.store32_lane offset=${l * MR * 4} ${l} ${get('row')} ${get('q')})`);
    }
  }
  const shift = Math.log2(m);
  return `
 (func (export "input_transform_${m}") (param $x i32) (param $V i32) (param $C i32) (param $Wp i32) (param $Hp i32)
   (param $tw i32) (param $th i32) (param $t0 i32) (param $tb i32)
  (local $cBytes i32) (local $rowBytes i32) (local $planeBytes i32) (local $t i32) (local $b i32) (local $ty i32) (local $tx i32)
  (local $c i32) (local $px i32) (local $pv i32) (local $tile i32) (local $row i32) (local $q v128)
  ${locals.join(' ')}
  (local.set $cBytes (i32.shl ${get('C')} ${i32(2)}))
  (local.set $rowBytes (i32.mul ${get('Wp')} ${get('cBytes')}))
  (local.set $planeBytes (i32.mul (i32.mul ${get('tb')} ${get('C')}) ${i32(4)}))
  ${firstTile()}
  (local.set $t ${i32(0)})
  (block $done (loop $tiles
   (br_if $done (i32.ge_u ${get('t')} ${get('tb')}))
   ;; top-left of the tile in the padded input
   (local.set $tile (i32.add ${get('x')} (i32.mul ${get('cBytes')}
     (i32.add (i32.mul (i32.add (i32.mul ${get('b')} ${get('Hp')}) (i32.shl ${get('ty')} ${i32(shift)})) ${get('Wp')}) (i32.shl ${get('tx')} ${i32(shift)})))))
   (local.set $c ${i32(0)})
   (block $cdone (loop $channels
    (br_if $cdone (i32.ge_u ${get('c')} ${get('C')}))
    (local.set $px (i32.add ${get('tile')} (i32.shl ${get('c')} ${i32(2)})))
    (local.set $pv (i32.add ${get('V')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.div_u ${get('t')} ${i32(MR)}) ${get('C')}) ${get('c')}) ${i32(MR)}) (i32.rem_u ${get('t')} ${i32(MR)})) ${i32(2)})))
    ${body.join('\n    ')}
    (local.set $c (i32.add ${get('c')} ${i32(4)}))
    (br $channels)))
   ${nextTile()}
   (br $tiles)))
 )`;
}

/**
 * gemm(V, U, M, planes, tb, C, K): for each ξ of the α² planes, M[ξ] (tb × K) = V[ξ] (tb × C) ·
 * U[ξ] (C × K), V packed [tb / MR][C][MR] and U [K/8][C][8]. Each step of the inner loop
 * broadcasts one value of each of the MR rows (constant offsets from one pointer) and
 * multiplies it with 8 columns of U.
 */
function gemm(): string {
  const acc: string[] = [];
  for (let r = 0; r < MR; r++) acc.push(`(local $c${r}0 v128) (local $c${r}1 v128)`);
  const step: string[] = [];
  for (let r = 0; r < MR; r++) {
    step.push(`(local.set $a (v128.load32_splat offset=${4 * r} ${get('ap')}))`);
    step.push(`(local.set $c${r}0 (f32x4.add ${get(`c${r}0`)} (f32x4.mul ${get('a')} ${get('b0')})))`);
    step.push(`(local.set $c${r}1 (f32x4.add ${get(`c${r}1`)} (f32x4.mul ${get('a')} ${get('b1')})))`);
  }
  const zero = Array.from({ length: MR }, (_, r) => `(local.set $c${r}0 ${ZERO}) (local.set $c${r}1 ${ZERO})`).join(' ');
  const store: string[] = [];
  for (let r = 0; r < MR; r++) {
    const row = r === 0 ? get('mp') : addr(get('mp'), mul(get('kBytes'), i32(r)));
    store.push(`(v128.store ${row} ${get(`c${r}0`)})`, `(v128.store offset=16 ${row} ${get(`c${r}1`)})`);
  }
  return `
 (func (export "gemm") (param $V i32) (param $U i32) (param $M i32) (param $planes i32) (param $tb i32) (param $C i32) (param $K i32)
  (local $xi i32) (local $n i32) (local $m i32) (local $k i32) (local $ap i32) (local $bp i32) (local $mp i32)
  (local $cBytes i32) (local $kBytes i32) (local $vPlane i32) (local $uPlane i32) (local $mPlane i32)
  (local $a v128) (local $b0 v128) (local $b1 v128) ${acc.join(' ')}
  (local.set $cBytes (i32.shl ${get('C')} ${i32(2)}))
  (local.set $kBytes (i32.shl ${get('K')} ${i32(2)}))
  (local.set $xi ${i32(0)})
  (block $xdone (loop $planes
   (br_if $xdone (i32.ge_u ${get('xi')} ${get('planes')}))
   (local.set $vPlane (i32.add ${get('V')} (i32.mul ${get('xi')} (i32.mul ${get('tb')} ${get('cBytes')}))))
   (local.set $uPlane (i32.add ${get('U')} (i32.mul ${get('xi')} (i32.mul ${get('C')} ${get('kBytes')}))))
   (local.set $mPlane (i32.add ${get('M')} (i32.mul ${get('xi')} (i32.mul ${get('tb')} ${get('kBytes')}))))
   (local.set $n ${i32(0)})
   (block $ndone (loop $cols
    (br_if $ndone (i32.ge_u ${get('n')} ${get('K')}))
    (local.set $m ${i32(0)})
    (block $mdone (loop $rows
     (br_if $mdone (i32.ge_u ${get('m')} ${get('tb')}))
     ${zero}
     (local.set $ap (i32.add ${get('vPlane')} (i32.mul ${get('m')} ${get('cBytes')})))
     (local.set $bp (i32.add ${get('uPlane')} (i32.mul ${get('n')} ${get('cBytes')})))
     (local.set $k ${get('C')})
     (loop $inner
      (local.set $b0 (v128.load ${get('bp')}))
      (local.set $b1 (v128.load offset=16 ${get('bp')}))
      ${step.join('\n      ')}
      (local.set $ap (i32.add ${get('ap')} ${i32(4 * MR)}))
      (local.set $bp (i32.add ${get('bp')} ${i32(32)}))
      (local.set $k (i32.sub ${get('k')} ${i32(1)}))
      (br_if $inner ${get('k')}))
     (local.set $mp (i32.add ${get('mPlane')} (i32.shl (i32.add (i32.mul ${get('m')} ${get('K')}) ${get('n')}) ${i32(2)})))
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
 * output_transform_m(M, y, bias, K, tw, th, t0, count, tb, relu): Y = Aᵀ·M·A + bias for the
 * tiles t0 … t0 + count − 1, then max(·, 0) when relu ≠ 0; written to y at the tile's m × m
 * output pixels (NHWC over whole tiles).
 */
function outputTransform({ m, alpha, AT }: TileTransforms): string {
  const locals: string[] = [];
  for (let i = 0; i < alpha; i++) for (let j = 0; j < alpha; j++) locals.push(`(local $m${i}_${j} v128)`);
  for (let r = 0; r < m; r++) for (let j = 0; j < alpha; j++) locals.push(`(local $s${r}_${j} v128)`);
  const body: string[] = [];
  for (let i = 0; i < alpha; i++) {
    for (let j = 0; j < alpha; j++) body.push(`(local.set $m${i}_${j} (v128.load ${addr(get('pm'), mul(get('planeBytes'), i32(alpha * i + j)))}))`);
  }
  // s = Aᵀ·M, column by column
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < alpha; j++) body.push(`(local.set $s${r}_${j} ${combination(AT[r]!.map((c, i) => [c, get(`m${i}_${j}`)]))})`);
  }
  for (let r = 0; r < m; r++) {
    body.push(`(local.set $row (i32.add ${get('py')} ${mul(get('rowBytes'), i32(r))}))`);
    for (let c = 0; c < m; c++) {
      const v = combination(AT[c]!.map((a, j) => [a, get(`s${r}_${j}`)]));
      // max with 0 for ReLU, with −∞ (a no-op) otherwise: no branch in the loop
      const value = `(f32x4.max (f32x4.add ${v} ${get('bv')}) ${get('lo')})`;
      body.push(`(v128.store ${c === 0 ? get('row') : addr(get('row'), mul(get('kBytes'), i32(c)))} ${value})`);
    }
  }
  const shift = Math.log2(m);
  return `
 (func (export "output_transform_${m}") (param $M i32) (param $y i32) (param $bias i32) (param $K i32)
   (param $tw i32) (param $th i32) (param $t0 i32) (param $count i32) (param $tb i32) (param $relu i32)
  (local $kBytes i32) (local $rowBytes i32) (local $planeBytes i32) (local $t i32) (local $b i32) (local $ty i32) (local $tx i32)
  (local $k i32) (local $pm i32) (local $py i32) (local $tile i32) (local $row i32) (local $bv v128) (local $lo v128)
  ${locals.join(' ')}
  (local.set $lo (select ${ZERO} (v128.const f32x4 -inf -inf -inf -inf) ${get('relu')}))
  (local.set $kBytes (i32.shl ${get('K')} ${i32(2)}))
  (local.set $rowBytes (i32.mul (i32.shl ${get('tw')} ${i32(shift)}) ${get('kBytes')}))
  (local.set $planeBytes (i32.mul ${get('tb')} ${get('kBytes')}))
  ${firstTile()}
  (local.set $t ${i32(0)})
  (block $done (loop $tiles
   (br_if $done (i32.ge_u ${get('t')} ${get('count')}))
   ;; output pixel (b, m·ty, m·tx) of an [n, m·th, m·tw, K] map
   (local.set $tile (i32.add ${get('y')} (i32.mul ${get('kBytes')}
     (i32.add (i32.mul (i32.add (i32.mul ${get('b')} (i32.shl ${get('th')} ${i32(shift)})) (i32.shl ${get('ty')} ${i32(shift)})) (i32.shl ${get('tw')} ${i32(shift)})) (i32.shl ${get('tx')} ${i32(shift)})))))
   (local.set $k ${i32(0)})
   (block $kdone (loop $channels
    (br_if $kdone (i32.ge_u ${get('k')} ${get('K')}))
    (local.set $bv (v128.load (i32.add ${get('bias')} (i32.shl ${get('k')} ${i32(2)}))))
    (local.set $pm (i32.add ${get('M')} (i32.shl (i32.add (i32.mul ${get('t')} ${get('K')}) ${get('k')}) ${i32(2)})))
    (local.set $py (i32.add ${get('tile')} (i32.shl ${get('k')} ${i32(2)})))
    ${body.join('\n    ')}
    (local.set $k (i32.add ${get('k')} ${i32(4)}))
    (br $channels)))
   ${nextTile()}
   (br $tiles)))
 )`;
}

/**
 * The whole module: the transforms of each tile size and one GEMM, on an imported memory
 * (tfjs-wasm's heap; `shared` for its threaded build, whose memory is a SharedArrayBuffer).
 */
export function winogradWat({ shared = false }: { shared?: boolean } = {}): string {
  return `(module
 (import "env" "memory" (memory 1${shared ? ' 65536 shared' : ''}))
${TILE_SIZES.map((m) => inputTransform(tileTransforms(m)) + outputTransform(tileTransforms(m))).join('\n')}
${gemm()}
)`;
}
