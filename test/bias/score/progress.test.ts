import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration } from '@shapetex/bias';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (s: string) => chunks.push(s) }, chunks };
}

describe('progress', () => {
  it('formats durations', () => {
    expect([formatDuration(4.4), formatDuration(62), formatDuration(3723), formatDuration(NaN)]).toEqual(['0:04', '1:02', '1:02:03', '--:--']);
  });

  it('prints one plain line per checkpoint off a terminal: i of N, images/s over work done, ETA for the rest', () => {
    const { stream, chunks } = sink(false);
    const p = createProgress(stream);
    p.update({ kind: 'decode', done: 16, total: 16 });
    p.update({ kind: 'start', index: 0, total: 4, checkpoint: 'a.pth' });
    p.update({ kind: 'done', index: 0, total: 4, checkpoint: 'a.pth', images: 100, seconds: 2, ok: true });
    p.update({ kind: 'done', index: 1, total: 4, checkpoint: 'b.pth', images: 100, seconds: 6, ok: false });
    expect(chunks).toEqual([
      'decoding probe images 16/16\n',
      'checkpoint 1/4 a.pth (50.0 images/s, ETA 0:06)\n',
      'checkpoint 2/4 b.pth FAILED (25.0 images/s, ETA 0:08)\n',
    ]);
  });

  it('redraws a bar in place on a terminal', () => {
    const { stream, chunks } = sink(true);
    const p = createProgress(stream);
    p.update({ kind: 'done', index: 0, total: 2, checkpoint: 'a.pth', images: 10, seconds: 1, ok: true });
    expect(chunks[0]).toMatch(/^\r\[#{12}\.{12}\] checkpoint 1\/2 {2}10\.0 images\/s, ETA 0:01 {2}a\.pth/);
    p.update({ kind: 'done', index: 1, total: 2, checkpoint: 'b.pth', images: 10, seconds: 1, ok: true });
    expect(chunks.at(-1)).toBe('\n');
  });
});
