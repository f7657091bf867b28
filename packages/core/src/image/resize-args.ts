/**
 * The argument checks every resizer shares: `src` holds exactly an `inW`×`inH` image of
 * `channels` values per pixel, and the output size is whole pixels, at least 1×1. A wrong
 * size would otherwise read past the image or allocate a nonsense buffer.
 */
export function checkResizeArgs(
  resizer: string,
  src: ArrayLike<number>,
  input: { inW: number; inH: number; channels: number },
  outW: number,
  outH: number,
): void {
  const { inW, inH, channels } = input;
  if (src.length !== inW * inH * channels) {
    throw new RangeError(`${resizer}: ${src.length} values do not make a ${inW}x${inH}x${channels} image`);
  }
  if (!(Number.isInteger(outW) && Number.isInteger(outH) && outW >= 1 && outH >= 1)) {
    throw new RangeError(`${resizer}: output size ${outW}x${outH} must be positive integers`);
  }
}
