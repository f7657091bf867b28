import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

/** A smooth seeded RGB image as a JPEG (real bytes, so the builder's decoder runs for real). */
export async function jpeg(width: number, height: number, seed: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    for (let c = 0; c < 3; c++) {
      data[(y * width + x) * 3 + c] = Math.round(127 + 100 * Math.sin(0.2 * (seed + 1) * x + 0.13 * (c + 1) * y + seed + c));
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
}

const annotation = (id: string, names: string[]): string => `<annotation>
  <folder>VOC2012</folder>
  <filename>${id}.jpg</filename>
  <size><width>40</width><height>30</height><depth>3</depth></size>
${names.map((n) => `  <object>\n    <name>${n}</name>\n    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n    <difficult>0</difficult>\n    <bndbox><xmin>1</xmin><ymin>1</ymin><xmax>20</xmax><ymax>20</ymax></bndbox>\n  </object>`).join('\n')}
</annotation>
`;

/** What the miniature VOC holds and what a build must select from it by default. */
export const MINI_VOC = {
  /** trainval order. */
  trainval: ['2007_000001', '2007_000002', '2008_000003', '2008_000004', '2009_000005', '2009_000006', '2010_000007', '2010_000008', '2011_000009'],
  singleObject: [
    { contentId: '2007_000001', classId: 12, className: 'dog' },
    { contentId: '2007_000002', classId: 1, className: 'aeroplane' },
    { contentId: '2010_000007', classId: 20, className: 'tvmonitor' },
  ],
  /** Multi-object but one class: only in single-class selection. */
  sameClassPair: { contentId: '2008_000004', classId: 8, className: 'cat' },
  multiClass: '2008_000003',
  malformed: '2009_000005',
  missingAnnotation: '2009_000006',
  unknownClass: '2010_000008',
  missingImage: '2011_000009',
} as const;

/**
 * A miniature VOC2012 tree: JPEGs of different sizes and aspect ratios, annotations with one
 * object, two classes, two objects of one class, broken XML, a missing annotation, an unknown
 * class name, and an image-set line whose JPEG is missing. Also `ImageSets/Main/val.txt`.
 */
export async function makeMiniVoc(root: string): Promise<string> {
  const voc = path.join(root, 'VOCdevkit', 'VOC2012');
  for (const d of ['Annotations', 'JPEGImages', 'ImageSets/Main']) await mkdir(path.join(voc, d), { recursive: true });
  const objects: Record<string, string[]> = {
    '2007_000001': ['dog'],
    '2007_000002': ['aeroplane'],
    '2008_000003': ['person', 'horse'],
    '2008_000004': ['cat', 'cat'],
    '2010_000007': ['tvmonitor'],
    '2010_000008': ['unicorn'],
    '2011_000009': ['bird'],
  };
  const sizes: Record<string, [number, number]> = {
    '2007_000001': [40, 30], '2007_000002': [30, 44], '2008_000003': [36, 36], '2008_000004': [50, 34],
    '2009_000005': [40, 30], '2009_000006': [40, 30], '2010_000007': [33, 41], '2010_000008': [40, 30],
  };
  let seed = 0;
  for (const id of MINI_VOC.trainval) {
    if (objects[id]) await writeFile(path.join(voc, 'Annotations', `${id}.xml`), annotation(id, objects[id]!));
    const size = sizes[id];
    if (size) await writeFile(path.join(voc, 'JPEGImages', `${id}.jpg`), await jpeg(size[0], size[1], seed++));
  }
  await writeFile(path.join(voc, 'Annotations', `${MINI_VOC.malformed}.xml`), '<annotation><object><name>dog</name></object>\n<size>');
  await writeFile(path.join(voc, 'ImageSets', 'Main', 'trainval.txt'), `${MINI_VOC.trainval.join('\n')}\n`);
  await writeFile(path.join(voc, 'ImageSets', 'Main', 'val.txt'), '2010_000007\n2007_000002\n');
  return voc;
}

/** Category → file names of a miniature DTD tree (`images/<category>/<name>.jpg`). */
export const MINI_DTD: Record<string, string[]> = {
  banded: ['banded_0001', 'banded_0002'],
  cracked: ['cracked_0048', 'cracked_0050'],
  marbled: ['marbled_0159'],
  pleated: ['pleated_0168', 'pleated_0001'],
  potholed: ['potholed_0062'],
  woven: ['woven_0097', 'woven_0100', 'woven_0101'],
};

export async function makeMiniDtd(root: string): Promise<string> {
  const dtd = path.join(root, 'dtd');
  let seed = 50;
  for (const [cat, names] of Object.entries(MINI_DTD)) {
    await mkdir(path.join(dtd, 'images', cat), { recursive: true });
    for (const n of names) await writeFile(path.join(dtd, 'images', cat, `${n}.jpg`), await jpeg(24 + (seed % 5) * 4, 28, seed++));
  }
  return dtd;
}
