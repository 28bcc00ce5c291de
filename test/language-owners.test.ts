/** Which thread parses which language (see src/language-owners.ts), and the budgets past which files stay put. */
import { describe, expect, it } from 'vitest';
import { LanguageOwners, OWNED_BYTES_BUDGET, OWNED_COLLECT_BUDGET, ownedBudgets } from '../src/language-owners.js';

describe('LanguageOwners', () => {
  it('gives each parsed language one owner, JSON with YAML, and leaves other languages where they are read', () => {
    const counters = LanguageOwners.shared();
    const [main, worker] = [new LanguageOwners(counters, 2, 0), new LanguageOwners(counters, 2, 1)];
    expect(worker.passOn('typescript', 10, true)).toBe(0);
    expect(main.passOn('go', 10, true)).toBe(1);
    expect(worker.passOn('yaml', 10, true)).toBe(0);
    expect(worker.passOn('json', 10, true)).toBe(0);
    // Its own languages stay; cheap ones (shell, Markdown) are parsed wherever they are read.
    expect(main.passOn('typescript', 10, true)).toBeUndefined();
    expect(worker.passOn('go', 10, true)).toBeUndefined();
    for (const language of ['shell', 'markdown', 'makefile', 'dockerfile'] as const) expect(main.passOn(language, 10, true)).toBeUndefined();
    // With three threads, YAML has a thread of its own.
    const three = new LanguageOwners(LanguageOwners.shared(), 3, 0);
    expect(three.passOn('yaml', 10, true)).toBe(2);
    expect(three.passOn('go', 10, true)).toBe(1);
  });

  it('passes files on until their language has used its budget, counted across threads', () => {
    const counters = LanguageOwners.shared();
    const [a, b] = [new LanguageOwners(counters, 3, 0), new LanguageOwners(counters, 3, 2)];
    const half = OWNED_BYTES_BUDGET / 2;
    expect(a.passOn('go', half, true)).toBe(1);
    expect(b.passOn('go', half, true)).toBe(1);
    expect(a.passOn('go', 1, true)).toBeUndefined();
    // Each language has its own budget; files only collected from are counted by number, not bytes.
    expect(a.passOn('typescript', 1, true)).toBeUndefined(); // thread 0 owns TypeScript
    expect(b.passOn('typescript', OWNED_BYTES_BUDGET, true)).toBe(0);
    let passed = 0;
    for (let i = 0; i < OWNED_COLLECT_BUDGET + 10; i++) if (a.passOn('yaml', 1_000_000, false) !== undefined) passed++;
    expect(passed).toBe(OWNED_COLLECT_BUDGET);
    // A huge file never overflows the shared counter.
    for (let i = 0; i < 100; i++) expect(b.passOn('go', 2 ** 30, true)).toBeUndefined();
  });

  it('takes its budgets from SLICEFIX_OWNED_BUDGETS, capped', () => {
    expect(ownedBudgets({})).toEqual([OWNED_BYTES_BUDGET, OWNED_COLLECT_BUDGET]);
    expect(ownedBudgets({ SLICEFIX_OWNED_BUDGETS: '10,2' })).toEqual([10, 2]);
    expect(ownedBudgets({ SLICEFIX_OWNED_BUDGETS: 'lots' })).toEqual([OWNED_BYTES_BUDGET, OWNED_COLLECT_BUDGET]);
    expect(ownedBudgets({ SLICEFIX_OWNED_BUDGETS: '99999999999,1' })[0]).toBe(1 << 28);
  });
});
