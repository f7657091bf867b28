import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotationObjects, parseContentList, parseImageSet, selectVocImages } from '@shapetex/svoc';
import { makeMiniVoc, MINI_VOC } from './mini-datasets.js';

let root: string;
let voc: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'svoc-voc-'));
  voc = await makeMiniVoc(root);
});
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe('VOC selection (SPEC §2.2)', () => {
  it('keeps exactly-one-object images from trainval, in file order, and reports the broken ones', async () => {
    // Given the VOCdevkit parent: the VOC2012 folder is found inside.
    const sel = await selectVocImages(root);
    expect(sel.root).toBe(voc);
    expect(sel.source).toBe(path.join(voc, 'ImageSets', 'Main', 'trainval.txt'));
    expect(sel.considered).toBe(MINI_VOC.trainval.length);
    expect(sel.selected.map(({ contentId, classId, className }) => ({ contentId, classId, className }))).toEqual(MINI_VOC.singleObject);
    expect(sel.selected[0]!.file).toBe(path.join(voc, 'JPEGImages', '2007_000001.jpg'));
    expect(sel.excluded).toBe(2); // two classes; two cats
    const reasons = Object.fromEntries(sel.skipped.map((s) => [s.contentId, s.reason]));
    expect(Object.keys(reasons).sort()).toEqual([MINI_VOC.malformed, MINI_VOC.missingAnnotation, MINI_VOC.unknownClass, MINI_VOC.missingImage].sort());
    expect(reasons[MINI_VOC.malformed]).toMatch(new RegExp(`annotation .*${MINI_VOC.malformed}\\.xml: malformed XML`));
    expect(reasons[MINI_VOC.missingAnnotation]).toMatch(/annotation .*2009_000006\.xml missing/);
    expect(reasons[MINI_VOC.unknownClass]).toBe('annotation names unknown class "unicorn"');
    expect(reasons[MINI_VOC.missingImage]).toMatch(/image .*2011_000009\.jpg missing/);
  });

  it('single-class also keeps images whose several objects share a class', async () => {
    const sel = await selectVocImages(voc, { mode: 'single-class' });
    expect(sel.selected.map((s) => s.contentId)).toEqual(['2007_000001', '2007_000002', MINI_VOC.sameClassPair.contentId, '2010_000007']);
    expect(sel.selected[2]).toMatchObject({ classId: 8, className: 'cat' });
    expect(sel.excluded).toBe(1);
  });

  it('reads another image set by name or path', async () => {
    expect((await selectVocImages(voc, { imageSet: 'val' })).selected.map((s) => s.contentId)).toEqual(['2010_000007', '2007_000002']);
    const own = path.join(root, 'mine.txt');
    await writeFile(own, '2007_000002  1\n\n2007_000001 -1\n2007_000002 1\n');
    const sel = await selectVocImages(voc, { imageSet: own });
    expect(sel.selected.map((s) => s.contentId)).toEqual(['2007_000002', '2007_000001']);
    expect(sel.considered).toBe(2); // the duplicate line is dropped
    // a relative name is looked up in ImageSets/Main, then from the current folder; neither: both named
    const where = path.join(voc, 'ImageSets', 'Main', 'nope.txt').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expect(selectVocImages(voc, { imageSet: 'nope' })).rejects.toThrow(new RegExp(`image set "nope" not found: looked for ${where} and .*nope$`));
    await writeFile(path.join(voc, 'ImageSets', 'Main', 'mine.txt'), '2007_000001\n');
    expect((await selectVocImages(voc, { imageSet: 'mine.txt' })).source).toBe(path.join(voc, 'ImageSets', 'Main', 'mine.txt'));
  });

  it('takes the class from a reference list without reading annotations', async () => {
    const list = path.join(root, 'list.txt');
    // 2008_000003 has two objects and 2009_000005 a broken annotation: with a list, neither matters.
    await writeFile(list, '# reference ids\n15_2008_000003\n12_2009_000005.jpg\n3_2011_000009\n');
    const sel = await selectVocImages(voc, { list });
    expect(sel.selected.map(({ contentId, classId, className }) => ({ contentId, classId, className }))).toEqual([
      { contentId: '2008_000003', classId: 15, className: 'person' },
      { contentId: '2009_000005', classId: 12, className: 'dog' },
    ]);
    expect(sel.skipped).toEqual([{ contentId: '2011_000009', reason: expect.stringMatching(/image .* missing/) }]);
  });

  it('fails clearly on a folder that is not VOC and on a bad list line', async () => {
    await expect(selectVocImages(path.join(root, 'nothing'))).rejects.toThrow(/nothing: not a PASCAL VOC2012 folder/);
    expect(() => parseContentList('20_2007_000039\n21_2007_000040\n', 'l.txt')).toThrow(/^l\.txt:2: expected \{classId\}_\{imageId\} with classId 1\.\.20 .*got "21_2007_000040"/);
    expect(() => parseContentList('dog_2007', 'l.txt')).toThrow(/l\.txt:1/);
  });
});

describe('VOC file parsing', () => {
  it('reads image-set ids and annotation object names', () => {
    expect(parseImageSet('a\r\n b  -1\n\n c\n')).toEqual(['a', 'b', 'c']);
    expect(annotationObjects('<annotation><object><name> dog </name></object><object><name>cat</name></object></annotation>')).toEqual(['dog', 'cat']);
    expect(annotationObjects('<annotation><filename>x</filename></annotation>')).toEqual([]);
    expect(() => annotationObjects('<annotation><object></object></annotation>')).toThrow(/<object> 1 has no <name>/);
    expect(() => annotationObjects('<root/>')).toThrow(/no <annotation> element/);
    expect(() => annotationObjects('<annotation><object>')).toThrow(/malformed XML/);
  });
});
