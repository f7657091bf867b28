import { describe, expect, it } from 'vitest';
import { formatProbeFileName, parseProbeFileName } from '@shapetex/svoc';

describe('reference file names {textureId}_{classId}_{contentId}.jpg', () => {
  it('parses the SPEC example, with the underscore inside the VOC id kept in contentId', () => {
    expect(parseProbeFileName('3_20_2007_000039.jpg')).toEqual({ textureId: 3, classId: 20, contentId: '2007_000039', ext: 'jpg' });
    expect(parseProbeFileName('sub/dir/12_1_x.PNG')).toEqual({ textureId: 12, classId: 1, contentId: 'x', ext: 'PNG' });
  });

  it('reads texture id 0, as the reference generator numbers its textures 0..4, and keeps it', () => {
    expect(parseProbeFileName('0_20_2007_000039.jpg')).toEqual({ textureId: 0, classId: 20, contentId: '2007_000039', ext: 'jpg' });
    expect(parseProbeFileName('4_1_2008_000008.jpg')).toEqual({ textureId: 4, classId: 1, contentId: '2008_000008', ext: 'jpg' });
    expect(formatProbeFileName({ textureId: 0, classId: 3, contentId: 'x' })).toBe('0_3_x.jpg');
  });

  it('round-trips format → parse', () => {
    for (const p of [
      { textureId: 1, classId: 1, contentId: '2008_001234' },
      { textureId: 5, classId: 17, contentId: 'circle-red' },
      { textureId: 9, classId: 3, contentId: 'a_b_c', ext: 'png' },
    ]) {
      const name = formatProbeFileName(p);
      expect(parseProbeFileName(name)).toEqual({ ext: 'jpg', ...p });
    }
  });

  it('rejects names outside the scheme', () => {
    for (const bad of ['3_20.jpg', '3_0_2007_000039.jpg', '03_20_x.jpg', '00_20_x.jpg', '-1_20_x.jpg', '3_x_2007.jpg', '3_20_.jpg', '3_20_x.gif', 'cat.jpg', '3_20_x.jpg.bak']) {
      expect(parseProbeFileName(bad), bad).toBeNull();
    }
  });

  it('refuses to format ids that would not parse back', () => {
    expect(() => formatProbeFileName({ textureId: -1, classId: 1, contentId: 'x' })).toThrow(/textureId.*non-negative integer.*-1/);
    expect(() => formatProbeFileName({ textureId: 1, classId: 0, contentId: 'x' })).toThrow(/classId.*positive integer.*0/);
    expect(() => formatProbeFileName({ textureId: 1, classId: 1.5, contentId: 'x' })).toThrow(/classId/);
    expect(() => formatProbeFileName({ textureId: 1, classId: 1, contentId: 'a/b' })).toThrow(/contentId/);
  });
});
