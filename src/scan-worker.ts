/**
 * A worker thread's side of a parallel scan (see ./parallel.ts): one ScanShard over the files it was given,
 * phase by phase as the main thread asks. The rules come from the module the main thread names, so a worker
 * runs exactly the rules (and severities) of the scan.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { enableCompileCache } from './compile-cache.js';
import type { Config } from './config.js';
import { LanguageOwners } from './language-owners.js';
import { ScanShard, type CollectNeeds, type HandedOff, type OrderedFact } from './shard.js';
import type { Rule, ScanResult, ScanStats, Severity } from './types.js';

export interface ShardStart {
  /** The index of the next file to claim, shared by all threads. */
  next: Int32Array;
  rulesModule: string;
  /** Rule id and severity of each active rule. */
  rules: [string, Severity][];
  config: Config;
  cwd: string;
  fix: boolean;
  dryRun: boolean;
  unsafeFixes: boolean;
  /** Report files done every this many files (0: never). */
  progressEvery: number;
  /** The slicefix version, when the main thread uses the compile cache (each thread has its own module loader). */
  compileCache?: string;
  /** This thread's index (the main thread is 0), the number of threads, and their shared LanguageOwners counters. */
  thread: number;
  threads: number;
  ownerCounters: Int32Array;
}

export type ShardRequest =
  /** Every walked file; the shard reads those it claims. Sent once the walk is done (the thread may start before). */
  | { type: 'files'; files: string[] }
  | { type: 'adopt'; files: HandedOff[] }
  | { type: 'collect'; needs: CollectNeeds }
  | { type: 'check'; facts: OrderedFact[] };

export type ShardReply =
  | { type: 'progress'; done: number; findings: number }
  | { type: 'handedOff'; handedOff: HandedOff[] }
  | { type: 'needs'; needs: CollectNeeds }
  | { type: 'collected'; facts: OrderedFact[] }
  | { type: 'checked'; result: ScanResult; stats: ScanStats }
  | { type: 'failed'; message: string };

async function main(port: NonNullable<typeof parentPort>, start: ShardStart): Promise<void> {
  // Before the rules and parsers load: the thread would otherwise compile the TypeScript compiler from source.
  if (start.compileCache) enableCompileCache(process.env, start.compileCache);
  // Requests are queued from the start, so none is lost while this thread is busy with a phase.
  const queue: ShardRequest[] = [];
  let wake: (() => void) | undefined;
  port.on('message', (request: ShardRequest) => {
    queue.push(request);
    wake?.();
  });
  const next = async (): Promise<ShardRequest> => {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return queue.shift()!;
  };
  const { rules } = (await import(start.rulesModule)) as { rules: Rule[] };
  const byId = new Map(rules.map((rule) => [rule.meta.id, rule]));
  const active = start.rules.map(([id, severity]) => {
    const rule = byId.get(id);
    if (!rule) throw new Error(`rule ${id} is not in ${start.rulesModule}`);
    return { rule, severity };
  });
  const send = (reply: ShardReply) => port.postMessage(reply);
  const shard = new ScanShard(
    {
      cwd: start.cwd,
      config: start.config,
      rules: active,
      fix: start.fix,
      dryRun: start.dryRun,
      unsafeFixes: start.unsafeFixes,
      owners: new LanguageOwners(start.ownerCounters, start.threads, start.thread),
    },
    start.progressEvery
      ? (s) => {
          if (s.filesDone % start.progressEvery === 0) send({ type: 'progress', done: s.filesDone, findings: s.result.findings.length });
        }
      : undefined,
  );
  const walked = await next();
  if (walked.type !== 'files') throw new Error(`expected files, got ${walked.type}`);
  await shard.read(walked.files, () => Atomics.add(start.next, 0, 1));
  send({ type: 'handedOff', handedOff: shard.takeHandedOff() });
  const adopt = await next();
  if (adopt.type !== 'adopt') throw new Error(`expected adopt, got ${adopt.type}`);
  await shard.adopt(adopt.files);
  const needs = shard.needs();
  send({ type: 'needs', needs });
  // While the other threads work out their needs, parse what will be collected whatever they need.
  shard.parseAhead(needs);
  const collect = await next();
  if (collect.type !== 'collect') throw new Error(`expected collect, got ${collect.type}`);
  send({ type: 'collected', facts: await shard.collect(collect.needs) });
  const check = await next();
  if (check.type !== 'check') throw new Error(`expected check, got ${check.type}`);
  shard.useFacts(check.facts);
  await shard.check();
  send({ type: 'checked', result: shard.result, stats: shard.stats });
}

if (parentPort) {
  const port = parentPort;
  main(port, workerData as ShardStart).catch((error: Error) => port.postMessage({ type: 'failed', message: error.message } satisfies ShardReply));
}
