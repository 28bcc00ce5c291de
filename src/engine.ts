/**
 * The scan: walk → read each file once → byte pre-filter → parse (lazily, per language) → collect repository
 * facts → run rules → apply fixes → results. The engine knows rules only through the `Rule` interface.
 *
 * This module is the scan's entry and its options; the per-file work is a ScanShard (./shard.ts), checking and
 * fixing one file is ./check-file.ts, and large scans spread shards over threads (./parallel.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileCache } from './cache.js';
import type { Config } from './config.js';
import { emptyResult, emptyStats } from './result.js';
import type { ThreadPool } from './parallel.js';
import { scanHere } from './shard.js';
import type { Finding, Rule, ScanResult, ScanStats, Severity } from './types.js';
import { chosenFiles, walk } from './walk.js';
import { pushAll } from './push-all.js';

export { formatMessage, MAX_FIX_PASSES } from './check-file.js';
export { emptyResult } from './result.js';
export { FactStore, ScanShard, type CollectNeeds, type OrderedFact, type ShardOptions } from './shard.js';

export interface ActiveRule {
  rule: Rule;
  severity: Severity;
}

export interface ScanOptions {
  paths: string[];
  cwd: string;
  config: Config;
  rules: ActiveRule[];
  fix?: boolean;
  /** Compute fixes and diffs, write nothing. */
  dryRun?: boolean;
  /** With fix or dryRun: apply the rules' unsafe fixes too (`--unsafe-fixes`). */
  unsafeFixes?: boolean;
  /** Extra ignore globs (from `--ignore`). */
  ignore?: string[];
  /**
   * The files to scan, chosen without the disk (`--staged`: the index's files under `paths`, which may be deleted
   * from the working tree); `paths` are then not walked. Ignore globs still apply.
   */
  files?: string[];
  /** Where a file's bytes come from (default: the file system; `--staged` reads the git index). */
  readBytes?: (absPath: string) => Promise<Buffer>;
  /** Keeps only some findings (e.g. `--changed-since`: findings on changed lines). */
  keepFinding?: (finding: Finding) => boolean;
  /** `--cache`: verdicts of unchanged files are reused instead of reading and checking them again. */
  cache?: FileCache;
  /** Called as files are read and checked (for a progress bar). */
  onProgress?: (progress: ScanProgress) => void;
  /**
   * Threads for large scans (`--concurrency`): 'auto' (the default) uses the machine's cores once a scan has enough
   * files to repay starting them; 'off' or 1 runs in this thread only. Worker threads load the rules from
   * `rulesModule` (a module URL exporting `rules`), so without it a scan runs in this thread.
   */
  concurrency?: { threads: number | 'auto'; rulesModule?: string };
  /** Source characters whose ASTs may be kept from the collect pass until the check pass (default KEPT_AST_BUDGET). */
  keptAstBudget?: number;
  /** Bytes kept of files only collected from, instead of reading them again (default KEPT_PENDING_BUDGET). */
  keptPendingBudget?: number;
}

export interface ScanProgress {
  done: number;
  total: number;
  findings: number;
}

/**
 * Below this many files, starting worker threads (each loads the rules and parsers again, and warms its own JIT)
 * costs more than it saves: on the 2-core benchmark machine two threads were slower at 5,000 files (0.84 s vs
 * 0.76 s), 6% faster at 20,000 and 9% at 50,000.
 */
export const PARALLEL_MIN_FILES = 15_000;

/** More threads than this mostly contend for the disk and the page cache. */
const MAX_THREADS = 4;

/** How many threads a scan of `files` files uses. */
export function threadsFor(concurrency: ScanOptions['concurrency'], files: number): number {
  if (!concurrency?.rulesModule) return 1;
  if (concurrency.threads !== 'auto') return Math.max(1, Math.min(concurrency.threads, files));
  if (files < PARALLEL_MIN_FILES) return 1;
  return Math.max(1, Math.min(os.availableParallelism(), MAX_THREADS));
}

/** Whether a scan of these paths may be large: a folder (a hook's list of files is not). */
function namesAFolder(paths: string[], cwd: string): boolean {
  const isFolder = (p: string) => {
    try {
      return fs.statSync(path.resolve(cwd, p), { throwIfNoEntry: false })?.isDirectory() === true;
    } catch {
      // Unreadable: the walk reports it.
      return false;
    }
  };
  return paths.length === 0 || paths.some(isFolder);
}

export async function scan(options: ScanOptions): Promise<ScanResult> {
  const { cwd, config } = options;
  const started = performance.now();
  const rulesModule = options.concurrency?.rulesModule;
  const threadable = !options.cache && !options.readBytes && rulesModule !== undefined;
  // With --concurrency auto, threads start once the walk has found enough files, so that they load the rules and
  // parsers while it goes on; their module is loaded before the walk (it cannot wait for an import).
  const early = threadable && options.concurrency?.threads === 'auto' && namesAFolder(options.paths, cwd) ? await import('./parallel.js') : undefined;
  let pool: ThreadPool | undefined;
  const milestone = early && {
    count: PARALLEL_MIN_FILES,
    reached: () => {
      const threads = threadsFor(options.concurrency, PARALLEL_MIN_FILES);
      if (threads > 1) pool = new early.ThreadPool(options, threads, rulesModule!, options.onProgress !== undefined);
    },
  };
  let walked: Awaited<ReturnType<typeof walk>>;
  try {
    walked = options.files ? chosenFiles(options.files, cwd, config, options.ignore) : await walk(options.paths, cwd, config, options.ignore, milestone);
  } catch (error) {
    await pool?.terminate();
    throw error;
  }
  const walkMs = performance.now() - started;
  const total = walked.files.length;

  let outputs: { result: ScanResult; stats: ScanStats }[];
  const threads = threadable ? threadsFor(options.concurrency, total) : 1;
  if (threads > 1 && rulesModule) {
    const { scanInThreads, ThreadPool } = early ?? (await import('./parallel.js'));
    pool ??= new ThreadPool(options, threads, rulesModule, options.onProgress !== undefined);
    outputs = await scanInThreads(walked.files, options, pool, options.onProgress);
  } else {
    await pool?.terminate();
    const progress = options.onProgress;
    const shard = await scanHere(walked.files, options, progress ? (s) => progress({ done: s.filesDone, total, findings: s.result.findings.length }) : () => {});
    outputs = [shard];
  }

  const result = emptyResult();
  const stats = emptyStats();
  pushAll(result.errors, walked.errors);
  result.summary.filesSkipped += walked.skipped;
  for (const output of outputs) {
    pushAll(result.findings, output.result.findings);
    pushAll(result.errors, output.result.errors);
    pushAll(result.diffs, output.result.diffs);
    for (const key of ['filesScanned', 'filesSkipped', 'fixed'] as const) result.summary[key] += output.result.summary[key];
    for (const key of ['filesRead', 'filesMatched', 'filesParsed', 'parses', 'filesHandedOff'] as const) stats[key] += output.stats[key];
    // Shards run side by side: the slowest one is the phase's wall time.
    stats.readMs = Math.max(stats.readMs, output.stats.readMs);
    stats.checkMs = Math.max(stats.checkMs, output.stats.checkMs);
  }
  stats.filesWalked = total;
  stats.walkMs = walkMs;
  result.stats = stats;

  if (options.keepFinding) result.findings = result.findings.filter(options.keepFinding);
  result.findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  // Stable sorts: one file's errors and diffs keep the order they were found in.
  result.errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  result.diffs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  result.summary.findings = result.findings.length;
  result.summary.fixable = result.findings.filter((f) => f.fixable).length;
  return result;
}
