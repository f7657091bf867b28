import type { ScoreProgress } from './types.js';

/** Seconds as `1:02:03` / `2:03` / `45s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`;
  if (m > 0) return `${m}:${String(r).padStart(2, '0')}`;
  return `${r}s`;
}

/**
 * Progress of a scoring run on a stream (stderr): on a terminal one bar redrawn in place
 * (`[#####.....] 3/7  41.2 img/s  ETA 0:42  name`); otherwise one plain line per checkpoint, so
 * logs of batch jobs stay readable. Images/s is over the checkpoints done so far (decode
 * excluded); the ETA assumes the rest take as long on average.
 */
export function createProgress(stream: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean }) {
  const tty = Boolean(stream.isTTY);
  let images = 0;
  let seconds = 0;
  let done = 0;
  let lastDecode = -1;
  const width = 24;
  const line = (index: number, total: number, name: string, ok?: boolean): string => {
    const rate = seconds > 0 ? images / seconds : 0;
    const eta = done > 0 ? (seconds / done) * (total - done) : NaN;
    const head = `checkpoint ${index + 1}/${total}`;
    const tail = `${rate > 0 ? rate.toFixed(1) : '?'} images/s, ETA ${formatDuration(eta)}`;
    if (!tty) return `${head} ${name}${ok === false ? ' FAILED' : ''} (${tail})\n`;
    const filled = Math.round((done / total) * width);
    return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${head}  ${tail}  ${name}`.slice(0, (process.stdout.columns ?? 120) + 1) + '\x1b[K';
  };
  return {
    update(e: ScoreProgress): void {
      if (e.kind === 'decode') {
        const pct = Math.floor((100 * e.done) / Math.max(1, e.total));
        if (tty) stream.write(`\rdecoding probe images ${e.done}/${e.total}\x1b[K`);
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
