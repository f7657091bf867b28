/**
 * The WebAssembly text of im2col: the receptive fields of a block of output pixels, gathered
 * into the GEMM's row layout so that a convolution becomes one matrix product (kernels/wat.ts)
 * with its bias and activation as the GEMM's epilogue.
 *
 * im2col(x, V, H, W, C, OH, OW, kh, kw, stride, pad, r0, rows, total): for the output pixels
 * r0 … r0 + rows − 1 (in (image, row, column) order) of an NHWC input x [n, H, W, C], writes
 * V [rows / MR][depth][MR] with depth = kh·kw·C ordered (dy, dx, c) like an HWIO filter's first
 * three dimensions. Taps in the padding, and rows from `total` on, are zeros.
 */
import { MR, addr as add, get, i32, mul, set } from '../text.js';

export function im2colWat(): string {
  const step = MR * 4; // bytes between consecutive depth entries of one row
  // zeros(count): `count` entries from dp on, then dp moves past them
  const zeros = (count: string) => `
      ${set('e', add(get('dp'), mul(count, i32(step))))}
      (block $zdone (loop $zero
       (br_if $zdone (i32.ge_u ${get('dp')} ${get('e')}))
       (f32.store ${get('dp')} (f32.const 0))
       ${set('dp', add(get('dp'), i32(step)))}
       (br $zero)))`;
  // copy(count): `count` consecutive floats from src to the row's entries from dp on, 4 at a
  // time (one load, 4 lane stores), then one by one; dp moves past them
  const copy = (count: string) => `
      ${set('e', add(get('src'), `(i32.shl ${count} ${i32(2)})`))}
      (block $vdone (loop $vec
       (br_if $vdone (i32.gt_u ${add(get('src'), i32(16))} ${get('e')}))
       ${set('q', `(v128.load ${get('src')})`)}
       ${[0, 1, 2, 3].map((l) => `(v128.store32_lane offset=${l * step} ${l} ${get('dp')} ${get('q')})`).join(' ')}
       ${set('src', add(get('src'), i32(16)))}
       ${set('dp', add(get('dp'), i32(4 * step)))}
       (br $vec)))
      (block $sdone (loop $scalar
       (br_if $sdone (i32.ge_u ${get('src')} ${get('e')}))
       (f32.store ${get('dp')} (f32.load ${get('src')}))
       ${set('src', add(get('src'), i32(4)))}
       ${set('dp', add(get('dp'), i32(step)))}
       (br $scalar)))`;
  const clamp = (v: string, lo: string, hi: string) =>
    `(select ${lo} (select ${hi} ${v} (i32.gt_s ${v} ${hi})) (i32.lt_s ${v} ${lo}))`;
  return `
 (func (export "im2col") (param $x i32) (param $V i32) (param $H i32) (param $W i32) (param $C i32)
   (param $OH i32) (param $OW i32) (param $kh i32) (param $kw i32) (param $stride i32) (param $pad i32)
   (param $r0 i32) (param $rows i32) (param $total i32)
  (local $depth i32) (local $r i32) (local $R i32) (local $b i32) (local $p i32) (local $oy i32) (local $ox i32)
  (local $dy i32) (local $iy i32) (local $x0 i32) (local $dx0 i32) (local $dx1 i32) (local $dp i32) (local $src i32)
  (local $e i32) (local $q v128)
  ${set('depth', mul(mul(get('kh'), get('kw')), get('C')))}
  ${set('r', i32(0))}
  (block $rdone (loop $rowsLoop
   (br_if $rdone (i32.ge_u ${get('r')} ${get('rows')}))
   ${set('R', add(get('r0'), get('r')))}
   ;; the row's first depth entry: group r / MR, lane r % MR
   ${set('dp', add(get('V'), `(i32.shl ${add(mul(mul(`(i32.div_u ${get('r')} ${i32(MR)})`, get('depth')), i32(MR)), `(i32.rem_u ${get('r')} ${i32(MR)})`)} ${i32(2)})`))}
   (if (i32.ge_u ${get('R')} ${get('total')})
    (then ${zeros(get('depth'))})
    (else
     ${set('p', `(i32.rem_u ${get('R')} ${mul(get('OH'), get('OW'))})`)}
     ${set('b', `(i32.div_u ${get('R')} ${mul(get('OH'), get('OW'))})`)}
     ${set('oy', `(i32.div_u ${get('p')} ${get('OW')})`)}
     ${set('ox', `(i32.rem_u ${get('p')} ${get('OW')})`)}
     ;; the taps dx0 … dx1 − 1 fall inside the image's columns (the same for every dy): one
     ;; run of (dx1 − dx0)·C consecutive floats per input row, zeros around it
     ${set('x0', `(i32.sub ${mul(get('ox'), get('stride'))} ${get('pad')})`)}
     ${set('dx0', clamp(`(i32.sub ${i32(0)} ${get('x0')})`, i32(0), get('kw')))}
     ${set('dx1', clamp(`(i32.sub ${get('W')} ${get('x0')})`, get('dx0'), get('kw')))}
     ${set('dy', i32(0))}
     (block $dydone (loop $dyLoop
      (br_if $dydone (i32.ge_u ${get('dy')} ${get('kh')}))
      ${set('iy', `(i32.sub ${add(mul(get('oy'), get('stride')), get('dy'))} ${get('pad')})`)}
      ;; unsigned compare: a negative row is a huge unsigned one
      (if (i32.lt_u ${get('iy')} ${get('H')})
       (then
        ${zeros(mul(get('dx0'), get('C')))}
        ${set('src', add(get('x'), `(i32.shl ${mul(add(mul(add(mul(get('b'), get('H')), get('iy')), get('W')), add(get('x0'), get('dx0'))), get('C'))} ${i32(2)})`))}
        ${copy(mul(`(i32.sub ${get('dx1')} ${get('dx0')})`, get('C')))}
        ${zeros(mul(`(i32.sub ${get('kw')} ${get('dx1')})`, get('C')))})
       (else ${zeros(mul(get('kw'), get('C')))}))
      ${set('dy', add(get('dy'), i32(1)))}
      (br $dyLoop)))))
   ${set('r', add(get('r'), i32(1)))}
   (br $rowsLoop)))
 )
`;
}
