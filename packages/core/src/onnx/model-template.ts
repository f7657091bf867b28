/**
 * A model's protobuf encoded once, with the raw data of every float initializer as a slot: a
 * later model of the same graph (another checkpoint of the architecture) writes its weights into
 * the slots instead of being encoded anew. Encoding a ResNet-18 takes protobufjs ~45 ms, most of
 * it first-touching a fresh 44 MB buffer; copying the weights into a buffer already in use takes
 * a few. The encoder stays onnx-proto's: the slots are found by encoding the model twice, its
 * float data all 0x00 and then all 0xFF, and reading where the two differ.
 */
import { encodeModel, type GraphParts, type ITensorProto } from './proto.js';

interface Slot { name: string; offset: number; length: number }

export interface ModelTemplate {
  readonly bytes: Uint8Array;
  readonly slots: readonly Slot[];
  /** The initializers that are not raw float data (int64 shapes and axes), as written. */
  readonly fixed: string;
  /** Lent out: its bytes hold one model until the borrower is done with them. */
  busy: boolean;
}

const isSlot = (t: ITensorProto): boolean => t.rawData instanceof Uint8Array;

function fixedPart(initializers: readonly ITensorProto[]): string {
  return JSON.stringify(initializers.filter((t) => !isSlot(t)).map((t) => [t.name, t.dims, t.dataType, t.int64Data]));
}

/** `parts` with every float initializer's raw data filled with `byte` (the values do not matter, only the lengths). */
function filled(parts: GraphParts, byte: number): GraphParts {
  const longest = Math.max(0, ...parts.initializers.filter(isSlot).map((t) => t.rawData!.length));
  const fill = new Uint8Array(longest).fill(byte);
  return { ...parts, initializers: parts.initializers.map((t) => (isSlot(t) ? { ...t, rawData: fill.subarray(0, t.rawData!.length) } : t)) };
}

/**
 * The template of `parts`' model; null when the slots cannot be told apart (which an encoder that
 * wrote raw data other than as given would cause: the model is then encoded in full each time).
 */
export function buildModelTemplate(parts: GraphParts): ModelTemplate | null {
  const zeros = encodeModel(filled(parts, 0x00));
  const ones = encodeModel(filled(parts, 0xff));
  if (zeros.length !== ones.length) return null;
  const slots: Slot[] = [];
  let at = 0;
  for (const t of parts.initializers) {
    if (!isSlot(t)) continue;
    const length = t.rawData!.length;
    if (length === 0) { slots.push({ name: t.name ?? '', offset: at, length }); continue; }
    // only raw data differs between the two encodings, and all of it does: the first difference
    // is this slot's first byte, and the bytes after its end agree again
    while (at < zeros.length && zeros[at] === ones[at]) at++;
    const end = at + length;
    if (end > zeros.length || zeros[end - 1] !== 0x00 || ones[end - 1] !== 0xff || (end < zeros.length && zeros[end] !== ones[end])) return null;
    slots.push({ name: t.name ?? '', offset: at, length });
    at = end;
  }
  for (; at < zeros.length; at++) if (zeros[at] !== ones[at]) return null;
  return { bytes: zeros, slots, fixed: fixedPart(parts.initializers), busy: false };
}

/**
 * Writes `initializers` (the same graph's, in the same order) into the template and lends its
 * bytes; null when the template is lent already or the initializers do not fit it.
 */
export function fillModelTemplate(t: ModelTemplate, initializers: readonly ITensorProto[]): { bytes: Uint8Array; done(): void } | null {
  if (t.busy) return null;
  const floats = initializers.filter(isSlot);
  if (floats.length !== t.slots.length) return null;
  for (let i = 0; i < floats.length; i++) {
    const s = t.slots[i]!;
    if (floats[i]!.name !== s.name || floats[i]!.rawData!.length !== s.length) return null;
  }
  if (fixedPart(initializers) !== t.fixed) return null;
  for (let i = 0; i < floats.length; i++) t.bytes.set(floats[i]!.rawData!, t.slots[i]!.offset);
  t.busy = true;
  return { bytes: t.bytes, done: () => { t.busy = false; } };
}
