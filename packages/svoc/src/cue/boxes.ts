/**
 * Object bounding boxes of VOC annotations: the texture sources of `svoc cue-conflict` (an
 * object's box, cropped from its image, carries the texture of its class).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { VOC_CLASSES } from '../types.js';
import type { VocContent } from '../builder/voc.js';

export interface VocBox {
  className: string;
  /** VOC's 1-based inclusive pixel coordinates. */
  xmin: number; ymin: number; xmax: number; ymax: number;
}

const parser = new XMLParser({ ignoreAttributes: true, isArray: (name) => name === 'object', parseTagValue: false, trimValues: true });

/** The `<object>` boxes of an annotation; throws naming the object on a malformed one. */
export function annotationBoxes(xml: string): VocBox[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`malformed XML (${valid.err.msg.replace(/\.$/, '')}, line ${valid.err.line})`);
  const doc = parser.parse(xml) as { annotation?: { object?: { name?: unknown; bndbox?: Record<string, unknown> }[] } | string };
  if (!doc.annotation || typeof doc.annotation !== 'object') throw new Error('no <annotation> element');
  return (doc.annotation.object ?? []).map((o, i) => {
    const b = o.bndbox ?? {};
    const n = (k: string): number => {
      const v = Number(b[k]);
      if (!Number.isFinite(v)) throw new Error(`<object> ${i + 1}: <bndbox><${k}> is ${JSON.stringify(b[k])}, expected a number`);
      return Math.round(v);
    };
    const box = { className: String(o.name ?? '').trim(), xmin: n('xmin'), ymin: n('ymin'), xmax: n('xmax'), ymax: n('ymax') };
    if (box.xmax < box.xmin || box.ymax < box.ymin) throw new Error(`<object> ${i + 1}: empty box [${box.xmin}, ${box.ymin}, ${box.xmax}, ${box.ymax}]`);
    return box;
  });
}

/** A texture source: one object box of a selected VOC image. */
export interface TextureSource {
  contentId: string;
  classId: number;
  className: string;
  file: string;
  box: VocBox;
}

/**
 * Per class, the boxes of the selected images' objects of that class whose shorter side is at
 * least `minSide` pixels (a smaller box has too little texture to transfer), in selection
 * order. Images whose annotation cannot be read are reported through `skip`.
 */
export async function textureSources(root: string, contents: readonly VocContent[], minSide: number, skip: (id: string, why: string) => void): Promise<Map<string, TextureSource[]>> {
  const out = new Map<string, TextureSource[]>();
  for (const c of contents) {
    let boxes: VocBox[];
    try {
      boxes = annotationBoxes(await readFile(path.join(root, 'Annotations', `${c.contentId}.xml`), 'utf8'));
    } catch (err) {
      skip(c.contentId, `annotation: ${(err as Error).message}`);
      continue;
    }
    for (const box of boxes) {
      const classId = (VOC_CLASSES as readonly string[]).indexOf(box.className) + 1;
      if (classId === 0 || Math.min(box.xmax - box.xmin + 1, box.ymax - box.ymin + 1) < minSide) continue;
      const list = out.get(box.className) ?? [];
      list.push({ contentId: c.contentId, classId, className: box.className, file: c.file, box });
      out.set(box.className, list);
    }
  }
  return out;
}
