/**
 * Progress of long runs on a stream (stderr): on a terminal one line redrawn in place, otherwise
 * plain lines, so the logs of batch jobs stay readable. The pieces (durations, the bar, the
 * redrawn line) are shared by every progress display in shapetex; `createProgress` is the
 * display of a count of items done out of a total.
 */
import { CORE_DEFAULTS } from '../defaults.js';

/** A stream to draw on: stderr, or anything with `write` (tests collect the chunks). */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Seconds as `1:02:03` / `2:03` / `0:45`; negative or not finite (unknown) as `--:--`. The one
 * duration format of shapetex's progress lines and reports (svoc and bias use this function).
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const pad = (x: number): string => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
}

/** `[#####.....]`: `done` of `total` as `width` cells (all filled when `total` is 0). */
export function progressBar(done: number, total: number, width: number): string {
  const filled = total > 0 ? Math.round((width * done) / total) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** `text` as a terminal line that replaces the current one (cut to `columns` characters). */
export function redrawnLine(text: string, columns = Infinity): string {
  return `\r${text.slice(0, columns)}\x1b[K`;
}

/** A count display: `update(done)` as items finish, `finish()` at the end. */
export interface Progress {
  /** `done` items finished so far (including those found already written). */
  update(done: number): void;
  finish(): void;
}

export interface ProgressOptions {
  total: number;
  /** Items already present when the run started; excluded from the rate. */
  initial?: number;
  /** What is counted (default `images`). */
  label?: string;
  stream?: ProgressStream;
  /** Minimum seconds between plain lines (default 5); a terminal bar redraws at most 10 times a second. */
  lineInterval?: number;
  now?: () => number;
}

/**
 * `done/total label (pct%), rate label/s, ETA m:ss` as a bar on a terminal or plain lines.
 * Rate = items done in this run / seconds since it started; ETA = items left / rate.
 */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const now = opts.now ?? (() => performance.now() / 1000);
  const label = opts.label ?? 'images';
  const start = now();
  const initial = opts.initial ?? 0;
  let last = -Infinity;
  let done = initial;
  const text = (): string => {
    const rate = (done - initial) / Math.max(now() - start, 1e-9);
    const eta = rate > 0 ? (opts.total - done) / rate : NaN;
    const pct = opts.total > 0 ? (100 * done) / opts.total : 100;
    return `${done}/${opts.total} ${label} (${pct.toFixed(1)}%), ${rate.toFixed(2)} ${label}/s, ETA ${formatDuration(eta)}`;
  };
  const draw = (force: boolean): void => {
    const t = now();
    if (tty) {
      if (!force && t - last < 0.1) return;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 70));
      stream.write(redrawnLine(`${progressBar(done, opts.total, width)} ${text()}`));
    } else {
      if (!force && t - last < (opts.lineInterval ?? CORE_DEFAULTS.progressLineInterval)) return;
      stream.write(`${text()}\n`);
    }
    last = t;
  };
  return {
    update(n) { done = n; draw(false); },
    finish() { draw(true); if (tty) stream.write('\n'); },
  };
}
