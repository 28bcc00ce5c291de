/**
 * Which thread of a parallel scan (see ./parallel.ts) parses which language. Every thread that parses a language
 * pays for loading its parser and warming it up (the TypeScript compiler, tree-sitter's WebAssembly, the YAML
 * library's JIT): on the 50k-file benchmark each of two threads spent as long parsing its half of the Go, YAML and
 * TypeScript files as one thread spent on all of them. So a file of a parsed language goes to one thread, its
 * language's owner, while few bytes of it have been found; past a budget, files stay where they were read and
 * every thread parses its share (volume then outweighs warm-up).
 *
 * Reading stays shared (one counter hands out every walked file); only files that passed a rule's pre-filter are
 * passed on, by path, and read again by their owner. Answers do not depend on which thread checks a file.
 */
import type { LanguageId } from './types.js';

/** Languages parsed by the same library share an owner: JSON manifests go through the YAML parser. */
const GROUPS: LanguageId[][] = [['typescript'], ['go'], ['yaml', 'json']];

/** Bytes of a language's files to check passed to its owner before the other threads parse their own share. */
export const OWNED_BYTES_BUDGET = 2 * 1024 * 1024;

/**
 * Files only collected from (Service manifests, modules that import client-node) passed on per language: most are
 * never parsed, but those that are would warm the parser in a second thread. Past this many, reading them again in
 * one thread would cost more than the warm-up.
 */
export const OWNED_COLLECT_BUDGET = 5_000;

/**
 * The budgets of a scan: OWNED_BYTES_BUDGET and OWNED_COLLECT_BUDGET, or `SLICEFIX_OWNED_BUDGETS=<bytes>,<files>`
 * (for tests, which must see files pass the budgets on small trees).
 */
export function ownedBudgets(env: NodeJS.ProcessEnv = process.env): [bytes: number, files: number] {
  const given = /^(\d+),(\d+)$/.exec(env.SLICEFIX_OWNED_BUDGETS ?? '');
  // Shared counters are 32-bit: a budget stays far below what they hold.
  const cap = (n: number) => Math.min(n, 1 << 28);
  return given ? [cap(Number(given[1])), cap(Number(given[2]))] : [OWNED_BYTES_BUDGET, OWNED_COLLECT_BUDGET];
}

export class LanguageOwners {
  private readonly budgets = ownedBudgets();

  constructor(
    /** Per group: bytes of files to check passed on, then files only collected from passed on (see shared()). */
    private readonly passed: Int32Array,
    private readonly threads: number,
    /** This thread's index; 0 is the main thread. */
    readonly self: number,
  ) {}

  /** The counters all threads of one scan share. */
  static shared(): Int32Array {
    return new Int32Array(new SharedArrayBuffer(4 * 2 * GROUPS.length));
  }

  /**
   * The thread a file just read here should go to instead (undefined: parse it here), counted against its
   * language's budget: its bytes if it has rules to check, else one more file only collected from.
   */
  passOn(language: LanguageId, bytes: number, checked: boolean): number | undefined {
    const group = GROUPS.findIndex((languages) => languages.includes(language));
    if (group === -1) return undefined;
    const owner = group % this.threads;
    if (owner === this.self) return undefined;
    const slot = checked ? 2 * group : 2 * group + 1;
    const budget = this.budgets[checked ? 0 : 1];
    const amount = checked ? Math.min(bytes, budget + 1) : 1;
    // Stop adding once over budget, so the counter cannot overflow on a huge repository.
    if (Atomics.load(this.passed, slot) >= budget) return undefined;
    return Atomics.add(this.passed, slot, amount) + amount <= budget ? owner : undefined;
  }
}
