/**
 * A scan split over worker threads. Each thread runs a ScanShard over the walked files it claims from a shared
 * counter (this thread too), in lock step: all read, then the collectors every shard's files to check need are agreed on, all collect,
 * the facts are merged in path order (exactly the order one thread would have collected them in), and all check.
 *
 * Reading, parsing and checking are spread; what a rule sees (its files, the facts, the order of both) is the same
 * as in one thread, so the findings and fixes are too. Between reading and collecting, the files that passed the
 * pre-filter go to the thread that parses their language (./language-owners.ts), so that a parser is loaded and
 * warmed up in one thread, not in each. Threads share only the counter of the next file to read;
 * everything else crosses as messages.
 */
import { Worker } from 'node:worker_threads';
import { compileCacheStats } from './compile-cache.js';
import { packageInfo } from './package-info.js';
import type { ScanOptions, ScanProgress } from './engine.js';
import type { CollectNeeds, HandedOff, OrderedFact } from './shard.js';
import { LanguageOwners } from './language-owners.js';
import { ScanShard } from './shard.js';
import type { ScanResult, ScanStats } from './types.js';
import type { ShardRequest, ShardStart, ShardReply } from './scan-worker.js';

interface ShardOutput {
  result: ScanResult;
  stats: ScanStats;
}

/** How often a worker reports files done, for the progress bar. */
const PROGRESS_EVERY = 200;

/** A worker thread running one shard, driven phase by phase. */
class RemoteShard {
  private readonly worker: Worker;
  private waiting?: { type: ShardReply['type']; resolve: (reply: ShardReply) => void; reject: (error: Error) => void };
  private failure?: Error;
  done = 0;
  findings = 0;

  constructor(start: ShardStart, onProgress: () => void) {
    this.worker = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: start });
    this.worker.on('message', (reply: ShardReply) => {
      if (reply.type === 'progress') {
        this.done = reply.done;
        this.findings = reply.findings;
        onProgress();
        return;
      }
      if (reply.type === 'failed') return this.fail(new Error(reply.message));
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting && waiting.type === reply.type) waiting.resolve(reply);
      else this.fail(new Error(`scan worker answered ${reply.type} out of turn`));
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (this.waiting) this.fail(new Error(`scan worker exited with code ${code}`));
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }

  /** The worker's next reply, of the given type. */
  expect<T extends ShardReply['type']>(type: T, request?: ShardRequest): Promise<Extract<ShardReply, { type: T }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { type, resolve: resolve as (reply: ShardReply) => void, reject };
      if (request) this.worker.postMessage(request);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Merges what each shard's files to check need: a rule is collected for if any shard checks it. */
function mergeNeeds(all: CollectNeeds[]): CollectNeeds {
  const merged: CollectNeeds = {};
  for (const needs of all) {
    for (const [id, texts] of Object.entries(needs)) {
      const before = merged[id];
      merged[id] = before === null || texts === null ? null : [...(before ?? []), ...texts];
    }
  }
  return merged;
}

/** Every shard's facts in path order; one file's facts stay in the order they were added (the sort is stable). */
function mergeFacts(all: OrderedFact[][]): OrderedFact[] {
  return all.flat().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * Worker threads for one scan, started before its files are known: the engine boots them as soon as its walk has
 * found enough files to use them, so they load the rules and parsers while the walk goes on (see scan()).
 */
export class ThreadPool {
  /** The index of the next file to claim, shared by all threads. */
  readonly next = new Int32Array(new SharedArrayBuffer(4));
  readonly ownerCounters = LanguageOwners.shared();
  readonly remotes: RemoteShard[] = [];
  /** What reports progress, once the scan runs (workers report from the start). */
  report: () => void = () => {};

  constructor(
    options: ScanOptions,
    readonly threads: number,
    rulesModule: string,
    progress: boolean,
  ) {
    for (let i = 1; i < threads; i++) {
      const start: ShardStart = {
        thread: i,
        threads,
        ownerCounters: this.ownerCounters,
        next: this.next,
        rulesModule,
        rules: options.rules.map((a) => [a.rule.meta.id, a.severity]),
        config: options.config,
        cwd: options.cwd,
        fix: options.fix === true,
        dryRun: options.dryRun === true,
        unsafeFixes: options.unsafeFixes === true,
        progressEvery: progress ? PROGRESS_EVERY : 0,
        compileCache: compileCacheStats().mode === 'off' ? undefined : packageInfo().version,
      };
      this.remotes.push(new RemoteShard(start, () => this.report()));
    }
  }

  async terminate(): Promise<void> {
    await Promise.all(this.remotes.map((r) => r.terminate()));
  }
}

export async function scanInThreads(
  files: string[],
  options: ScanOptions,
  pool: ThreadPool,
  onProgress?: (progress: ScanProgress) => void,
): Promise<ShardOutput[]> {
  const { remotes, threads, next, ownerCounters } = pool;
  // One counter in shared memory hands out files to every thread (Atomics: no message round trip per file).
  const claim = () => Atomics.add(next, 0, 1);
  let local: ScanShard | undefined;
  if (onProgress) {
    pool.report = () =>
      onProgress({
        done: (local?.filesDone ?? 0) + remotes.reduce((n, r) => n + r.done, 0),
        total: files.length,
        findings: (local?.result.findings.length ?? 0) + remotes.reduce((n, r) => n + r.findings, 0),
      });
  }
  try {
    local = new ScanShard({ ...options, owners: new LanguageOwners(ownerCounters, threads, 0) }, pool.report);
    // Workers start reading as soon as they have loaded and have the files; this thread reads meanwhile.
    const remoteHandedOff = remotes.map((r) => r.expect('handedOff', { type: 'files', files }));
    await local.read(files, claim);
    // Files passed on to their language's owner (see LanguageOwners), each thread's in path order.
    const adopted: HandedOff[][] = Array.from({ length: threads }, () => []);
    for (const file of [local.takeHandedOff(), ...(await Promise.all(remoteHandedOff)).map((r) => r.handedOff)].flat()) {
      adopted[file.thread].push(file);
    }
    for (const files of adopted) files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const remoteNeeds = remotes.map((r, i) => r.expect('needs', { type: 'adopt', files: adopted[i + 1] }));
    await local.adopt(adopted[0]);
    const localNeeds = local.needs();
    // While the other threads work out their needs (the Go owner parses its files then), parse what will be
    // collected whatever they need.
    local.parseAhead(localNeeds);
    const needs = mergeNeeds([localNeeds, ...(await Promise.all(remoteNeeds)).map((r) => r.needs)]);

    const remoteFacts = remotes.map((r) => r.expect('collected', { type: 'collect', needs }));
    const localFacts = await local.collect(needs);
    const facts = mergeFacts([localFacts, ...(await Promise.all(remoteFacts)).map((r) => r.facts)]);

    const remoteChecks = remotes.map((r) => r.expect('checked', { type: 'check', facts }));
    local.useFacts(facts);
    await local.check();
    const checked = await Promise.all(remoteChecks);
    return [local, ...checked];
  } finally {
    await pool.terminate();
  }
}
