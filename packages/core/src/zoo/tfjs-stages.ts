/**
 * Stage taps of a TF.js model. A saved LayersModel or GraphModel names its layers freely, so
 * the taps `--taps all` scores are not its layers (which include BatchNorm, activations and the
 * classifier) but its resolution stages, as for the zoo's ResNets: a stage is the part of the
 * network that works at one spatial size, and its tap is the last 4-D layer at that size.
 */

/** A layer (or graph node) with a 4-D output of spatial size h × w, in forward order. */
export interface SpatialLayer<T> {
  ref: T;
  h: number;
  w: number;
}

/**
 * `stage1..stageN`, shallow to deep: one per spatial size, in the order the sizes first appear
 * among `layers` (forward order, up to and including the `final` layer), each the last layer
 * at that size. A size that comes back later (an upsampling path) keeps its first stage number
 * and takes the later layer, which is deeper.
 */
export function stageTaps<T>(layers: readonly SpatialLayer<T>[]): { name: string; ref: T; h: number; w: number }[] {
  const order: string[] = [];
  const last = new Map<string, SpatialLayer<T>>();
  for (const l of layers) {
    const key = `${l.h}x${l.w}`;
    if (!last.has(key)) order.push(key);
    last.set(key, l);
  }
  return order.map((key, i) => {
    const l = last.get(key)!;
    return { name: `stage${i + 1}`, ref: l.ref, h: l.h, w: l.w };
  });
}

/** The fixed square input size of an NHWC input shape ([null, 32, 32, 3] → 32), if it has one. */
export function fixedInputSize(shape: readonly (number | null)[] | undefined): number | undefined {
  const h = shape?.[1];
  return typeof h === 'number' && h > 0 && shape?.[2] === h ? h : undefined;
}
