import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/progress.js';

function bar(options: { isTTY?: boolean; env?: NodeJS.ProcessEnv; quiet?: boolean } = {}) {
  let clock = 0;
  const out: string[] = [];
  const progress = createProgress({ write: (t) => out.push(t), isTTY: options.isTTY ?? true, env: options.env ?? {}, quiet: options.quiet, now: () => clock });
  return { progress, out, advance: (ms: number) => (clock += ms) };
}

describe('progress bar', () => {
  it('is not shown off a TTY, in CI or with --quiet', () => {
    expect(bar({ isTTY: false }).progress).toBeUndefined();
    expect(bar({ env: { CI: 'true' } }).progress).toBeUndefined();
    expect(bar({ quiet: true }).progress).toBeUndefined();
    expect(bar({ env: { CI: 'false' } }).progress).toBeDefined();
  });

  it('stays silent for the first second, then shows files done/total and findings, and clears itself', () => {
    const { progress, out, advance } = bar();
    progress!.update({ done: 10, total: 100, findings: 0 });
    advance(500);
    progress!.update({ done: 50, total: 100, findings: 1 });
    expect(out).toEqual([]);
    advance(600);
    progress!.update({ done: 60, total: 100, findings: 2 });
    expect(out.at(-1)).toContain('60/100 files, 2 findings');
    progress!.update({ done: 61, total: 100, findings: 2 });
    expect(out).toHaveLength(1); // throttled
    progress!.stop();
    expect(out.at(-1)).toBe('\r\x1b[2K');
  });

  it('prints nothing at stop when it never drew', () => {
    const { progress, out } = bar();
    progress!.update({ done: 1, total: 1, findings: 0 });
    progress!.stop();
    expect(out).toEqual([]);
  });
});
