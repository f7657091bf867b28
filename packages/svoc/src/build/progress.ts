/** Progress of a long run: a redrawn bar on a terminal, plain lines otherwise. */
export interface Progress {
  /** `done` images finished so far (including those found already written). */
  update(done: number): void;
  finish(): void;
}

export interface ProgressOptions {
  total: number;
  /** Images already present when the run started; excluded from the rate. */
  initial?: number;
  label?: string;
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Minimum seconds between plain lines (default 5); a terminal bar redraws at most 10 times a second. */
  lineInterval?: number;
  now?: () => number;
}

/** `h:mm:ss` or `m:ss`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const pad = (x: number): string => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
}

/**
 * Rate = images done in this run / seconds since it started; ETA = images left / rate.
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
      const filled = opts.total > 0 ? Math.round((width * done) / opts.total) : width;
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text()}\x1b[K`);
    } else {
      if (!force && t - last < (opts.lineInterval ?? 5)) return;
      stream.write(`${text()}\n`);
    }
    last = t;
  };
  return {
    update(n) { done = n; draw(false); },
    finish() { draw(true); if (tty) stream.write('\n'); },
  };
}
