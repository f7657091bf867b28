/**
 * The WebAssembly (SIMD128) text of the Winograd F(m×m, 3×3) transforms, m = 2, 4 or 6
 * (transforms.ts), unrolled from their matrices; the products between them are the shared GEMM
 * (kernels/wat.ts).
 *
 * Memory layout the kernels agree on (byte addresses in tfjs-wasm's heap, float32, 16-byte
 * aligned), α = m + 2:
 * - input: zero-padded NHWC, [n, Hp, Wp, C] with Hp = m·th + 2, Wp = m·tw + 2 (th × tw tiles);
 * - V: transformed input tiles of one block in groups of MR tiles, each group [α²][C][MR]
 *   (ξ = α·i + j of the tile; MR tiles interleaved, so the GEMM reads one row value of each at
 *   constant offsets), with the strides vPlane and vGroup of layout.ts;
 * - U: transformed filters, [α²][K/8][C][8] (8 output channels side by side);
 * - M: products of one block, [tb][α²][K], strides mPlane and mRow;
 * - output: NHWC, [n, H, W, K] (edge tiles store only their pixels inside it).
 * Both transforms thus read or write one tile's α² planes in one place, not α² streams far apart.
 * C is a multiple of 4, K of 8, tb of MR (the rows of the GEMM micro-kernel).
 */
import { MR, ZERO, addr, get, i32, mul, type WatFeatures } from '../text.js';
import { linearProgram } from './linear.js';
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

/** m·v: a shift for the tile sizes that are powers of two, a multiply for 6. */
const times = (v: string, m: number): string => (Number.isInteger(Math.log2(m)) ? `(i32.shl ${v} ${i32(Math.log2(m))})` : `(i32.mul ${v} ${i32(m)})`);

/** Byte offset of pixel (b, m·ty, m·tx) in an NHWC map of H × W pixels with `bytes` per pixel. */
function pixelAt(base: string, bytes: string, H: string, W: string, m: number): string {
  return `(i32.add ${base} (i32.mul ${bytes}
     (i32.add (i32.mul (i32.add (i32.mul ${get('b')} ${H}) ${times(get('ty'), m)}) ${W}) ${times(get('tx'), m)})))`;
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
 * input_transform_m(x, V, C, Wp, Hp, tw, th, t0, tb, vPlane, vGroup): the tiles t0 … t0 + tb − 1 (in (image,
 * tile row, tile column) order) → V = Bᵀ·d·B per 4-channel vector, for the α × α input tile d
 * at padded row m·ty, column m·tx.
 */
function inputTransform({ m, alpha, BT }: TileTransforms, features: WatFeatures): string {
  const locals = new Set<string>();
  for (let i = 0; i < alpha; i++) {
    locals.add(`d${i}`);
    for (let j = 0; j < alpha; j++) locals.add(`t${i}_${j}`);
  }
  const body: string[] = [];
  // column by column, so that only one column of d is live: d[i] = x[b, m·ty + i, m·tx + j,
  // c..c+3] (rows Wp·C floats apart, columns C), then t[·][j] = Bᵀ·d[·][j]
  for (let j = 0; j < alpha; j++) {
    body.push(`(local.set $row ${j === 0 ? get('px') : addr(get('px'), mul(get('cBytes'), i32(j)))})`);
    for (let i = 0; i < alpha; i++) {
      body.push(`(local.set $d${i} (v128.load ${i === 0 ? get('row') : addr(get('row'), mul(get('rowBytes'), i32(i)))}))`);
    }
    const p = linearProgram(BT, Array.from({ length: alpha }, (_, i) => get(`d${i}`)), 'u', features);
    p.temps.forEach((t) => locals.add(t));
    body.push(...p.code, ...p.y.map((v, r) => `(local.set $t${r}_${j} ${v})`));
  }
  // then row by row, V[ξ = α·r + s] = (t·B)[r][s]; planes are vPlane bytes apart, and the 4
  // channels of one vector MR floats apart
  for (let r = 0; r < alpha; r++) {
    const p = linearProgram(BT, Array.from({ length: alpha }, (_, j) => get(`t${r}_${j}`)), 'u', features);
    p.temps.forEach((t) => locals.add(t));
    body.push(...p.code);
    p.y.forEach((v, s) => {
      body.push(`(local.set $q ${v})`);
      body.push(`(local.set $row ${addr(get('pv'), mul(get('vPlane'), i32(alpha * r + s)))})`);
      for (let l = 0; l < 4; l++) body.push(`(v128.store32_lane offset=${l * MR * 4} ${l} ${get('row')} ${get('q')})`);
    });
  }
  return `
 (func (export "input_transform_${m}") (param $x i32) (param $V i32) (param $C i32) (param $Wp i32) (param $Hp i32)
   (param $tw i32) (param $th i32) (param $t0 i32) (param $tb i32) (param $vPlane i32) (param $vGroup i32)
  (local $cBytes i32) (local $rowBytes i32) (local $t i32) (local $b i32) (local $ty i32) (local $tx i32)
  (local $c i32) (local $px i32) (local $pv i32) (local $tile i32) (local $row i32) (local $q v128)
  ${[...locals].map((n) => `(local $${n} v128)`).join(' ')}
  (local.set $cBytes (i32.shl ${get('C')} ${i32(2)}))
  (local.set $rowBytes (i32.mul ${get('Wp')} ${get('cBytes')}))
  ${overTiles({
    count: get('tb'),
    // top-left of the tile in the padded input
    perTile: `(local.set $tile ${pixelAt(get('x'), get('cBytes'), get('Hp'), get('Wp'), m)})`,
    c: 'c',
    C: get('C'),
    perVector: `(local.set $px (i32.add ${get('tile')} (i32.shl ${get('c')} ${i32(2)})))
    (local.set $pv (i32.add (i32.add ${get('V')} (i32.mul (i32.div_u ${get('t')} ${i32(MR)}) ${get('vGroup')}))
      (i32.shl (i32.add (i32.mul ${get('c')} ${i32(MR)}) (i32.rem_u ${get('t')} ${i32(MR)})) ${i32(2)})))`,
    body,
  })}
 )`;
}

/**
 * output_transform_m(M, y, res, bias, K, H, W, tw, th, t0, count, mPlane, mRow, relu):
 * Y = Aᵀ·M·A + bias for the tiles t0 … t0 + count − 1, plus the residual map at `res`
 * (output_transform_res_m only: a ResNet block's shortcut, so its add and ReLU need no pass of
 * their own), then max(·, 0) when relu ≠ 0; written to the [n, H, W, K] map y at the tile's
 * m × m pixels, those of edge tiles that fall outside H × W left out.
 */
function outputTransform({ m, alpha, AT }: TileTransforms, residual: boolean, features: WatFeatures): string {
  const locals = new Set<string>(['o']);
  for (let i = 0; i < alpha; i++) locals.add(`m${i}`);
  for (let r = 0; r < m; r++) for (let j = 0; j < alpha; j++) locals.add(`s${r}_${j}`);
  // column by column, s[·][j] = Aᵀ·M[·][j] (only one column of M live); planes are mPlane bytes
  // apart
  const columns: string[] = [];
  for (let j = 0; j < alpha; j++) {
    for (let i = 0; i < alpha; i++) columns.push(`(local.set $m${i} (v128.load ${addr(get('pm'), mul(get('mPlane'), i32(alpha * i + j)))}))`);
    const p = linearProgram(AT, Array.from({ length: alpha }, (_, i) => get(`m${i}`)), 'u', features);
    p.temps.forEach((t) => locals.add(t));
    columns.push(...p.code, ...p.y.map((v, r) => `(local.set $s${r}_${j} ${v})`));
  }
  // then row by row, o = s[r]·A + bias [+ residual], each pixel stored as soon as it is
  // computed; edge tiles (not `whole`) store only the pixels inside the map
  const rows = (guarded: boolean) => {
    const out: string[] = [];
    for (let r = 0; r < m; r++) {
      const p = linearProgram(AT, Array.from({ length: alpha }, (_, j) => get(`s${r}_${j}`)), 'u', features);
      p.temps.forEach((t) => locals.add(t));
      out.push(...p.code);
      p.y.forEach((v, c) => {
        const at = addr(get('py'), `(i32.add ${mul(get('rowBytes'), i32(r))} ${mul(get('kBytes'), i32(c))})`);
        const sum = residual ? `(f32x4.add ${get('o')} (v128.load ${addr(at, get('dres'))}))` : get('o');
        // max with 0 for ReLU, with −∞ (a no-op) otherwise: no branch in the loop
        const store = `(v128.store ${at} (f32x4.max ${sum} ${get('lo')}))`;
        out.push(`(local.set $o (f32x4.add ${v} ${get('bv')}))`);
        out.push(guarded ? `(if (i32.and (i32.gt_u ${get('vr')} ${i32(r)}) (i32.gt_u ${get('vc')} ${i32(c)})) (then ${store}))` : store);
      });
    }
    return out.join('\n    ');
  };
  const body = [...columns, `(if ${get('whole')} (then ${rows(false)}) (else ${rows(true)}))`];
  const min = (a: string, b: string) => `(select ${a} ${b} (i32.lt_u ${a} ${b}))`;
  return `
 (func (export "output_transform${residual ? '_res' : ''}_${m}") (param $M i32) (param $y i32) (param $res i32) (param $bias i32) (param $K i32)
   (param $H i32) (param $W i32) (param $tw i32) (param $th i32) (param $t0 i32) (param $count i32) (param $mPlane i32) (param $mRow i32) (param $relu i32)
  (local $kBytes i32) (local $rowBytes i32) (local $t i32) (local $b i32) (local $ty i32) (local $tx i32)
  (local $k i32) (local $pm i32) (local $py i32) (local $tile i32) (local $dres i32) (local $vr i32) (local $vc i32) (local $whole i32)
  (local $bv v128) (local $lo v128)
  ${[...locals].map((n) => `(local $${n} v128)`).join(' ')}
  (local.set $lo (select ${ZERO} (v128.const f32x4 -inf -inf -inf -inf) ${get('relu')}))
  (local.set $kBytes (i32.shl ${get('K')} ${i32(2)}))
  (local.set $rowBytes (i32.mul ${get('W')} ${get('kBytes')}))
  (local.set $dres (i32.sub ${get('res')} ${get('y')}))
  ${overTiles({
    count: get('count'),
    // output pixel (b, m·ty, m·tx) of the [n, H, W, K] map, and how many of the tile's rows and
    // columns fall inside it
    perTile: `(local.set $tile ${pixelAt(get('y'), get('kBytes'), get('H'), get('W'), m)})
   (local.set $vr ${min(i32(m), `(i32.sub ${get('H')} ${times(get('ty'), m)})`)})
   (local.set $vc ${min(i32(m), `(i32.sub ${get('W')} ${times(get('tx'), m)})`)})
   (local.set $whole (i32.and (i32.eq ${get('vr')} ${i32(m)}) (i32.eq ${get('vc')} ${i32(m)})))`,
    c: 'k',
    C: get('K'),
    perVector: `(local.set $bv (v128.load (i32.add ${get('bias')} (i32.shl ${get('k')} ${i32(2)}))))
    (local.set $pm (i32.add (i32.add ${get('M')} (i32.mul ${get('t')} ${get('mRow')})) (i32.shl ${get('k')} ${i32(2)})))
    (local.set $py (i32.add ${get('tile')} (i32.shl ${get('k')} ${i32(2)})))`,
    body,
  })}
 )`;
}

/** The transforms of both tile sizes, as module fields (kernels/wat.ts assembles the module). */
export function winogradWat(features: WatFeatures): string {
  return TILE_SIZES.map((m) => {
    const t = tileTransforms(m);
    return inputTransform(t, features) + outputTransform(t, false, features) + outputTransform(t, true, features);
  }).join('\n');
}
