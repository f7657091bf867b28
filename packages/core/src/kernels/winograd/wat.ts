/**
 * The WebAssembly (SIMD128) text of the Winograd F(m×m, 3×3) transforms, m = 2 or 4
 * (transforms.ts), unrolled from their matrices; the products between them are the shared GEMM
 * (kernels/wat.ts).
 *
 * Memory layout the kernels agree on (byte addresses in tfjs-wasm's heap, float32, 16-byte
 * aligned), α = m + 2:
 * - input: zero-padded NHWC, [n, Hp, Wp, C] with Hp = m·th + 2, Wp = m·tw + 2 (th × tw tiles);
 * - V: transformed input tiles of one block, [α²][tb / MR][C][MR] (ξ = α·i + j of the tile;
 *   MR tiles interleaved, so the GEMM reads one row value of each at constant offsets);
 * - U: transformed filters, [α²][K/8][C][8] (8 output channels side by side);
 * - M: products of one block, [α²][tb][K];
 * - output: NHWC, [n, H, W, K] (edge tiles store only their pixels inside it).
 * C is a multiple of 4, K of 8, tb of MR (the rows of the GEMM micro-kernel).
 */
import { MR, ZERO, addr, get, i32, mul } from '../text.js';
import { TILE_SIZES, tileTransforms, type TileTransforms } from './transforms.js';

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

/** Byte offset of pixel (b, m·ty, m·tx) in an NHWC map of H × W pixels with `bytes` per pixel. */
function pixelAt(base: string, bytes: string, H: string, W: string, shift: number): string {
  return `(i32.add ${base} (i32.mul ${bytes}
     (i32.add (i32.mul (i32.add (i32.mul ${get('b')} ${H}) (i32.shl ${get('ty')} ${i32(shift)})) ${W}) (i32.shl ${get('tx')} ${i32(shift)}))))`;
}

/**
 * The loop nest both transforms share: the tiles t = 0 … count − 1 from t0 on (perTile sets up
 * each), and in each the 4-channel vectors c = 0, 4, … < C (perVector, then body).
 */
function overTiles(o: { count: string; perTile: string; c: string; C: string; perVector: string; body: string[] }): string {
  return `${firstTile()}
  (local.set $t ${i32(0)})
  (block $done (loop $tiles
   (br_if $done (i32.ge_u ${get('t')} ${o.count}))
   ${o.perTile}
   (local.set $${o.c} ${i32(0)})
   (block $cdone (loop $channels
    (br_if $cdone (i32.ge_u ${get(o.c)} ${o.C}))
    ${o.perVector}
    ${o.body.join('\n    ')}
    (local.set $${o.c} (i32.add ${get(o.c)} ${i32(4)}))
    (br $channels)))
   ${nextTile()}
   (br $tiles)))`;
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
  ${overTiles({
    count: get('tb'),
    // top-left of the tile in the padded input
    perTile: `(local.set $tile ${pixelAt(get('x'), get('cBytes'), get('Hp'), get('Wp'), shift)})`,
    c: 'c',
    C: get('C'),
    perVector: `(local.set $px (i32.add ${get('tile')} (i32.shl ${get('c')} ${i32(2)})))
    (local.set $pv (i32.add ${get('V')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.div_u ${get('t')} ${i32(MR)}) ${get('C')}) ${get('c')}) ${i32(MR)}) (i32.rem_u ${get('t')} ${i32(MR)})) ${i32(2)})))`,
    body,
  })}
 )`;
}

/**
 * output_transform_m(M, y, res, bias, K, H, W, tw, th, t0, count, tb, relu): Y = Aᵀ·M·A + bias
 * for the tiles t0 … t0 + count − 1, plus the residual map at `res` (output_transform_res_m
 * only: a ResNet block's shortcut, so its add and ReLU need no pass of their own), then
 * max(·, 0) when relu ≠ 0; written to the [n, H, W, K] map y at the tile's m × m pixels, those
 * of edge tiles that fall outside H × W left out.
 */
function outputTransform({ m, alpha, AT }: TileTransforms, residual: boolean): string {
  const locals: string[] = [];
  for (let i = 0; i < alpha; i++) for (let j = 0; j < alpha; j++) locals.push(`(local $m${i}_${j} v128)`);
  for (let r = 0; r < m; r++) for (let j = 0; j < alpha; j++) locals.push(`(local $s${r}_${j} v128)`);
  for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) locals.push(`(local $o${r}_${c} v128)`);
  const body: string[] = [];
  for (let i = 0; i < alpha; i++) {
    for (let j = 0; j < alpha; j++) body.push(`(local.set $m${i}_${j} (v128.load ${addr(get('pm'), mul(get('planeBytes'), i32(alpha * i + j)))}))`);
  }
  // s = Aᵀ·M, column by column; o = s·A + bias
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < alpha; j++) body.push(`(local.set $s${r}_${j} ${combination(AT[r]!.map((c, i) => [c, get(`m${i}_${j}`)]))})`);
  }
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) body.push(`(local.set $o${r}_${c} (f32x4.add ${combination(AT[c]!.map((a, j) => [a, get(`s${r}_${j}`)]))} ${get('bv')}))`);
  }
  const store = (r: number, c: number) => {
    const at = addr(get('py'), `(i32.add ${mul(get('rowBytes'), i32(r))} ${mul(get('kBytes'), i32(c))})`);
    const sum = residual ? `(f32x4.add ${get(`o${r}_${c}`)} (v128.load ${addr(at, get('dres'))}))` : get(`o${r}_${c}`);
    // max with 0 for ReLU, with −∞ (a no-op) otherwise: no branch in the loop
    return `(v128.store ${at} (f32x4.max ${sum} ${get('lo')}))`;
  };
  const all: string[] = [], guarded: string[] = [];
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) {
      all.push(store(r, c));
      guarded.push(`(if (i32.and (i32.gt_u ${get('vr')} ${i32(r)}) (i32.gt_u ${get('vc')} ${i32(c)})) (then ${store(r, c)}))`);
    }
  }
  body.push(`(if ${get('whole')} (then ${all.join(' ')}) (else ${guarded.join(' ')}))`);
  const shift = Math.log2(m);
  const min = (a: string, b: string) => `(select ${a} ${b} (i32.lt_u ${a} ${b}))`;
  return `
 (func (export "output_transform${residual ? '_res' : ''}_${m}") (param $M i32) (param $y i32) (param $res i32) (param $bias i32) (param $K i32)
   (param $H i32) (param $W i32) (param $tw i32) (param $th i32) (param $t0 i32) (param $count i32) (param $tb i32) (param $relu i32)
  (local $kBytes i32) (local $rowBytes i32) (local $planeBytes i32) (local $t i32) (local $b i32) (local $ty i32) (local $tx i32)
  (local $k i32) (local $pm i32) (local $py i32) (local $tile i32) (local $dres i32) (local $vr i32) (local $vc i32) (local $whole i32)
  (local $bv v128) (local $lo v128)
  ${locals.join(' ')}
  (local.set $lo (select ${ZERO} (v128.const f32x4 -inf -inf -inf -inf) ${get('relu')}))
  (local.set $kBytes (i32.shl ${get('K')} ${i32(2)}))
  (local.set $rowBytes (i32.mul ${get('W')} ${get('kBytes')}))
  (local.set $planeBytes (i32.mul ${get('tb')} ${get('kBytes')}))
  (local.set $dres (i32.sub ${get('res')} ${get('y')}))
  ${overTiles({
    count: get('count'),
    // output pixel (b, m·ty, m·tx) of the [n, H, W, K] map, and how many of the tile's rows and
    // columns fall inside it
    perTile: `(local.set $tile ${pixelAt(get('y'), get('kBytes'), get('H'), get('W'), shift)})
   (local.set $vr ${min(i32(m), `(i32.sub ${get('H')} (i32.shl ${get('ty')} ${i32(shift)}))`)})
   (local.set $vc ${min(i32(m), `(i32.sub ${get('W')} (i32.shl ${get('tx')} ${i32(shift)}))`)})
   (local.set $whole (i32.and (i32.eq ${get('vr')} ${i32(m)}) (i32.eq ${get('vc')} ${i32(m)})))`,
    c: 'k',
    C: get('K'),
    perVector: `(local.set $bv (v128.load (i32.add ${get('bias')} (i32.shl ${get('k')} ${i32(2)}))))
    (local.set $pm (i32.add ${get('M')} (i32.shl (i32.add (i32.mul ${get('t')} ${get('K')}) ${get('k')}) ${i32(2)})))
    (local.set $py (i32.add ${get('tile')} (i32.shl ${get('k')} ${i32(2)})))`,
    body,
  })}
 )`;
}

/** The transforms of both tile sizes, as module fields (kernels/wat.ts assembles the module). */
export function winogradWat(): string {
  return TILE_SIZES.map((m) => inputTransform(tileTransforms(m)) + outputTransform(tileTransforms(m), false) + outputTransform(tileTransforms(m), true)).join('\n');
}
