/** The cue-conflict file-name parser on real stimulus names of the texture-vs-shape / model-vs-human sets. */
import { describe, expect, it } from 'vitest';
import { formatCueFileName, parseCueFileName } from '@shapetex/svoc';

describe('parseCueFileName', () => {
  it('reads shape, texture and their indices from published stimulus names', () => {
    expect(parseCueFileName('airplane1-bicycle2.png')).toEqual({ shape: 'airplane', shapeIndex: 1, texture: 'bicycle', textureIndex: 2 });
    expect(parseCueFileName('knife6-clock3.png')).toEqual({ shape: 'knife', shapeIndex: 6, texture: 'clock', textureIndex: 3 });
    expect(parseCueFileName('cue-conflict/dog10-bicycle1.png')).toEqual({ shape: 'dog', shapeIndex: 10, texture: 'bicycle', textureIndex: 1 });
    // same category for shape and texture: parsed, the scorer leaves it out of the bias
    expect(parseCueFileName('bird3-bird2.png')).toEqual({ shape: 'bird', shapeIndex: 3, texture: 'bird', textureIndex: 2 });
  });

  it("reads the toolbox's session-prefixed image names as its own parser does (after the last '_')", () => {
    expect(parseCueFileName('0001_s5n_s01_0_bird_00_bird3-bird2.png')).toEqual({ shape: 'bird', shapeIndex: 3, texture: 'bird', textureIndex: 2 });
    expect(parseCueFileName('0003_s5n_s01_0_dog_00_dog10-bicycle1.png')!.texture).toBe('bicycle');
  });

  it('rejects names that are not {shape}{n}-{texture}{m}', () => {
    for (const bad of ['airplane-bicycle2.png', 'airplane1bicycle2.png', 'airplane1-bicycle.png', 'airplane1-bicycle2.txt', '3_20_2007_000039.jpg', '']) {
      expect(parseCueFileName(bad), bad).toBeNull();
    }
  });

  it('formats what it parses, and refuses category names the layout cannot hold', () => {
    expect(formatCueFileName({ shape: 'pottedplant', shapeIndex: 12, texture: 'tvmonitor', textureIndex: 3 })).toBe('pottedplant12-tvmonitor3.png');
    expect(parseCueFileName(formatCueFileName({ shape: 'cow', shapeIndex: 0, texture: 'sheep', textureIndex: 7 }))).toEqual({ shape: 'cow', shapeIndex: 0, texture: 'sheep', textureIndex: 7 });
    expect(() => formatCueFileName({ shape: 'dining_table', shapeIndex: 1, texture: 'cat', textureIndex: 1 })).toThrow(/letters only/);
  });
});
