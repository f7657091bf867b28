import { formatDuration, progressBar, redrawnLine, type ProgressStream } from '@shapetex/core';
import type { ScoreProgress } from './types.js';

/** Core's one duration format (`1:02:03` / `2:03` / `0:45`, unknown `--:--`), re-exported for bias's callers. */
export { formatDuration };

/**
 * Progress of a scoring run on a stream (stderr), built from core's progress pieces: on a
 * terminal one bar redrawn in place (`[#####.....] checkpoint 3/7  41.2 images/s, ETA 0:42
 * name`); otherwise one plain line per checkpoint. Images/s is over the checkpoints done so far
 * (decode excluded); the ETA assumes the rest take as long on average.
 */
export function createProgress(stream: NodeJS.WriteStream | ProgressStream) {
  const tty = Boolean(stream.isTTY);
  let images = 0;
  let seconds = 0;
  let done = 0;
  let lastDecode = -1;
  const line = (index: number, total: number, name: string, ok?: boolean): string => {
    const rate = seconds > 0 ? images / seconds : 0;
    const eta = done > 0 ? (seconds / done) * (total - done) : NaN;
    const head = `checkpoint ${index + 1}/${total}`;
    const tail = `${rate > 0 ? rate.toFixed(1) : '?'} images/s, ETA ${formatDuration(eta)}`;
    if (!tty) return `${head} ${name}${ok === false ? ' FAILED' : ''} (${tail})\n`;
    return redrawnLine(`${progressBar(done, total, 24)} ${head}  ${tail}  ${name}`, process.stdout.columns ?? 120);
  };
  return {
    update(e: ScoreProgress): void {
      if (e.kind === 'decode') {
        const pct = Math.floor((100 * e.done) / Math.max(1, e.total));
        if (tty) stream.write(redrawnLine(`decoding probe images ${e.done}/${e.total}`));
        else if (e.done === e.total || pct >= lastDecode + 25) stream.write(`decoding probe images ${e.done}/${e.total}\n`);
        lastDecode = pct;
      } else if (e.kind === 'start') {
        if (tty) stream.write(line(e.index, e.total, e.checkpoint));
      } else {
        done++;
        images += e.images;
        seconds += e.seconds;
        stream.write(line(e.index, e.total, e.checkpoint, e.ok));
        if (tty && e.index + 1 === e.total) stream.write('\n');
      }
    },
  };
}
