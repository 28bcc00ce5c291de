/**
 * A progress bar on stderr for long scans: files done/total and findings so far. It appears only when stderr is a
 * terminal, never in CI, never with --quiet, and only once a scan has run for about a second, so short runs
 * (a pre-commit hook on a few files) print nothing at all.
 */

export interface ProgressOptions {
  write: (text: string) => void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  quiet?: boolean;
  /** Show nothing before the scan has run this long (default 1000 ms). */
  delayMs?: number;
  /** Redraw at most this often (default 100 ms). */
  intervalMs?: number;
  now?: () => number;
}

export interface Progress {
  update(progress: { done: number; total: number; findings: number }): void;
  /** Clears the bar (if it was ever drawn), so the report starts on a clean line. */
  stop(): void;
}

const WIDTH = 30;

export function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** A progress bar, or undefined where none may be shown. */
export function createProgress(options: ProgressOptions): Progress | undefined {
  if (!options.isTTY || options.quiet || isCi(options.env)) return undefined;
  const now = options.now ?? (() => performance.now());
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? 100;
  const started = now();
  let lastDraw = -Infinity;
  let drawn = false;
  return {
    update({ done, total, findings }) {
      const t = now();
      if (t - started < delay || t - lastDraw < interval) return;
      lastDraw = t;
      drawn = true;
      const filled = total > 0 ? Math.round((done / total) * WIDTH) : 0;
      const bar = '#'.repeat(filled) + '-'.repeat(WIDTH - filled);
      const plural = findings === 1 ? 'finding' : 'findings';
      options.write(`\r\x1b[2K[${bar}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} files, ${findings} ${plural}`);
    },
    stop() {
      if (drawn) options.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
