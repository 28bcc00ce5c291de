/**
 * A scan's per-file work over some of the walked files (see ScanShard): read and pre-filter, collect repository
 * facts, check. `scan` runs one shard over every file, or one per thread (./parallel.ts).
 */
import fs from 'node:fs';
import { cacheableFacts, factsDigest, type CacheEntry, type CachedFact, type FileMeta } from './cache.js';
import { checkAndFix, EMPTY_BYTES, release, type Candidate } from './check-file.js';
import type { ActiveRule, ScanOptions } from './engine.js';
import { detectLanguage, hasLanguage, loadLanguage } from './languages/index.js';
import type { LanguageOwners } from './language-owners.js';
import { AnyText, Prefilter } from './prefilter.js';
import { ScratchReader } from './read-file.js';
import { emptyResult, emptyStats } from './result.js';
import { decode, isBinary, utf8View } from './source.js';
import type { LanguageId, LanguageSupport, RepoFacts, Rule, ScanResult, ScanStats, SourceText } from './types.js';
import { toReportPath } from './walk.js';
import { pushAll } from './push-all.js';

const READ_CONCURRENCY = 32;

/**
 * Source characters whose ASTs may be kept between the collect and the check pass (see keepOrRelease). ASTs are
 * far larger than their text: tree-sitter's Go trees about 5x (in WebAssembly memory), the YAML library's
 * documents about 25x (a 4 MB OpenAPI JSON kept 95 MB), so this bounds them to roughly 20-100 MB.
 */
export const KEPT_AST_BUDGET = 4 * 1024 * 1024;

/** Bytes kept of files only collected from, so that the collect pass need not read them again. */
export const KEPT_PENDING_BUDGET = 64 * 1024 * 1024;

/** Hands out 0, 1, 2, ... */
function counter(): () => number {
  let next = 0;
  return () => next++;
}

/** What rules without a collect pass see as facts: none, and reading them is a rule's bug, reported as such. */
const NO_FACTS: RepoFacts = {
  add() {
    throw new Error('added a repository fact while checking; facts are added by a collect pass');
  },
  get() {
    throw new Error('read repository facts but declares no collect pass, so it was checked before facts were complete');
  },
};

export class FactStore implements RepoFacts {
  private readonly facts = new Map<string, unknown[]>();
  add<T>(key: string, value: T): void {
    const list = this.facts.get(key) ?? [];
    list.push(value);
    this.facts.set(key, list);
  }
  get<T>(key: string): readonly T[] {
    return (this.facts.get(key) ?? []) as T[];
  }
  entries(): IterableIterator<[string, unknown[]]> {
    return this.facts.entries();
  }
}

/** The same parser, counting its calls and the files it was called on (for `ScanStats`). */
function countingParser(language: LanguageSupport, stats: ScanStats, parsedFiles: Set<string>): LanguageSupport {
  return {
    ...language,
    parse: (text, file) => {
      stats.parses++;
      parsedFiles.add(file);
      return language.parse(text, file);
    },
  };
}

/** What a shard needs to know of the scan. Paths, ignores and the result's final filtering belong to `scan`. */
export type ShardOptions = Omit<ScanOptions, 'paths' | 'ignore' | 'keepFinding' | 'onProgress' | 'concurrency'> & {
  /** In a parallel scan: the threads that parse each language (files of theirs read here are passed on). */
  owners?: LanguageOwners;
};

/** Per rule id: the texts a collected file must contain to be worth parsing (null: any file), for rules that have files to check. */
export type CollectNeeds = Record<string, string[] | null>;

/** A collected fact with the file it came from: facts are merged across shards in path order. */
export type OrderedFact = [path: string, key: string, value: unknown];

/** A file read in one thread and passed on to its language's owner (see LanguageOwners). */
export interface HandedOff {
  thread: number;
  path: string;
  /** The bytes of a file only collected from; a file to check is read again. */
  bytes?: Uint8Array;
}

/** A file to collect facts from: read and kept (`candidate`), or only named, to be read again if needed. */
interface PendingCollect {
  path: string;
  collectors: ActiveRule[];
  candidate?: Candidate;
  /** Its parser is loaded only then: a repository where no file needs TypeScript facts never loads ts-morph. */
  reread?: { absPath: string; languageId: LanguageId; bytes?: Buffer };
}

/**
 * The per-file work of a scan, over some of the walked files: read and pre-filter, collect facts, check and fix.
 * `scan` runs one shard over every file, or (see ./parallel.ts) one per thread over a share of them; the phases
 * are separate methods because facts must be complete, across all shards, before any file is checked.
 */
export class ScanShard {
  readonly result: ScanResult = emptyResult();
  readonly stats: ScanStats = emptyStats();
  readonly parsedFiles = new Set<string>();
  facts = new FactStore();
  private readonly usable: ActiveRule[];
  private readonly checkFilter: Prefilter<ActiveRule>;
  private readonly collectFilter: Prefilter<ActiveRule>;
  private readonly candidates: Candidate[] = [];
  /** Files to collect facts from, once it is known which rules have files to check (see collect). */
  private readonly pending: PendingCollect[] = [];
  /** Cache hits whose findings depend on the facts of this run, decided once all facts are collected. */
  private readonly deferred: { absPath: string; entry: CacheEntry }[] = [];
  private readonly cache: ScanOptions['cache'];
  private readonly reader: ScratchReader;
  private done = 0;
  private readonly prepared = new Map<Rule, Promise<void>>();
  /** The size of the texts of files to check whose AST is kept from the collect pass (see keepOrRelease). */
  private keptAstBytes = 0;
  private needSearches?: { needs: CollectNeeds; byRule: Map<string, ((bytes: Buffer) => boolean) | undefined> };
  /** The size of the bytes kept of files only collected from (see readOne). */
  private keptPendingBytes = 0;
  /** Time spent checking files while reading (see readOne), counted as checking. */
  private earlyCheckMs = 0;
  /** Files read here that another thread parses (see LanguageOwners). */
  private handedOff: HandedOff[] = [];

  constructor(
    private readonly options: ShardOptions,
    /** Called after each file read and each file checked (for a progress bar). */
    private readonly onFileDone: (shard: ScanShard) => void = () => {},
  ) {
    this.usable = options.rules.filter((a) => a.rule.meta.languages.some(hasLanguage));
    this.checkFilter = new Prefilter(this.usable.map((a) => ({ item: a, languages: a.rule.meta.languages, triggers: a.rule.meta.triggers })));
    this.collectFilter = new Prefilter(
      this.usable
        .filter((a) => a.rule.collect && a.rule.meta.collect)
        .map((a) => ({ item: a, languages: a.rule.meta.collect!.languages, triggers: a.rule.meta.collect!.triggers })),
    );
    // The cache knows files on disk; a custom reader (--staged) reads other bytes than the file's metadata describes.
    this.cache = options.readBytes ? undefined : options.cache;
    this.reader = new ScratchReader(options.config.maxFileBytes);
  }

  /** Files read and checked so far. */
  get filesDone(): number {
    return this.done;
  }

  /**
   * Reads and pre-filters files; files that concern a rule become candidates, parsed later. `claim` hands out the
   * next file's index: shards in several threads share one counter (see ./parallel.ts), so a thread that is
   * done with cheap files takes more instead of waiting for the others.
   */
  async read(files: readonly string[], claim: () => number = counter()): Promise<void> {
    await this.timedAsReading(async () => {
      const readers = Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, async () => {
        for (let i = claim(); i < files.length; i = claim()) {
          await this.readOne(files[i]);
          this.done++;
          this.onFileDone(this);
        }
      });
      await Promise.all(readers);
    });
  }

  /** Counts `work`'s time as reading, less the files it checked on the way (those count as checking). */
  private async timedAsReading(work: () => Promise<void>): Promise<void> {
    const started = performance.now();
    const earlyBefore = this.earlyCheckMs;
    await work();
    this.stats.readMs += performance.now() - started - (this.earlyCheckMs - earlyBefore);
  }

  private reuse(absPath: string, entry: CacheEntry | undefined): boolean {
    if (!entry) return false;
    // The same bytes contribute the same facts: replay them where collecting them would have added them.
    for (const [key, value] of entry.facts ?? []) this.facts.add(key, value);
    if (entry.matched) this.deferred.push({ absPath, entry });
    else if (entry.scanned) this.result.summary.filesScanned++;
    return true;
  }

  /** Files read here that their language's owner parses; they are forgotten here. */
  takeHandedOff(): HandedOff[] {
    return this.handedOff.splice(0);
  }

  /**
   * Goes on with files another thread read and passed on (see LanguageOwners), as that thread would have: files to
   * check are read again, files only collected from come with their bytes. They were counted there.
   */
  async adopt(files: readonly HandedOff[]): Promise<void> {
    await this.timedAsReading(async () => {
      for (const file of files) await this.readOne(file.path, undefined, file.bytes ?? true);
    });
  }

  /**
   * `recheck`: a cache hit whose findings must be computed again; its facts were replayed already. `adopted`: a
   * file another thread read and counted, passed on to be parsed here (with its bytes, or true to read them again).
   */
  private async readOne(absPath: string, recheck?: CacheEntry, adopted: Uint8Array | boolean = false): Promise<void> {
    const { config, cwd } = this.options;
    const { result, stats, cache } = this;
    // Files on disk are read synchronously: they come from the page cache in microseconds, and each promise-based
    // stat and read costs a thread-pool round trip, which made reading 4x slower on a 50k-file repository.
    const readBytes = this.options.readBytes;
    const useCache = !recheck;
    // Only files that concern a rule (or cannot be read) need the path reports show; most files do not.
    let shownPath: string | undefined;
    const reportPath = () => (shownPath ??= toReportPath(absPath, cwd));
    let bytes: Buffer;
    let mode = 0o644;
    let meta: FileMeta | undefined;
    /** Whether `bytes` is the scratch reader's buffer, which the next read overwrites. */
    let borrowed = false;
    try {
      if (adopted instanceof Uint8Array) {
        bytes = Buffer.from(adopted.buffer, adopted.byteOffset, adopted.byteLength);
      } else if (!readBytes && !(cache && useCache)) {
        // Without a cache to consult first, one open + fstat + read replaces stat + readFileSync.
        const read = this.reader.read(absPath);
        if ('tooLarge' in read) {
          result.summary.filesSkipped++;
          return;
        }
        ({ bytes, mode } = read);
        meta = { size: read.size, mtimeMs: read.mtimeMs, ctimeMs: read.ctimeMs };
        borrowed = true;
      } else {
        const stat = readBytes ? await fs.promises.stat(absPath).catch(() => undefined) : fs.statSync(absPath);
        if (stat) {
          mode = stat.mode & 0o7777;
          meta = { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs };
          if (stat.size > config.maxFileBytes) {
            result.summary.filesSkipped++;
            return;
          }
          if (cache && useCache && this.reuse(absPath, cache.unchanged(absPath, meta))) return;
        }
        bytes = readBytes ? await readBytes(absPath) : fs.readFileSync(absPath);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'EACCES' ? 'permission denied' : (error as Error).message;
      result.errors.push({ file: reportPath(), message: `cannot be read: ${reason}` });
      return;
    }
    if (!adopted) stats.filesRead++;
    if (bytes.length > config.maxFileBytes) {
      result.summary.filesSkipped++;
      return;
    }
    if (cache && useCache && this.reuse(absPath, cache.sameContent(absPath, bytes, meta))) return;
    // UTF-16 is detected and pre-filtered as the UTF-8 it decodes to; `bytes` stay as on disk (--fix compares them).
    const searchable = utf8View(bytes);
    const languageId: LanguageId | undefined = detectLanguage(absPath, () => searchable.toString('latin1', 0, Math.min(128, searchable.length)).split('\n')[0]);
    if (!languageId) {
      cache?.record(absPath, bytes, meta, { scanned: false, matched: false });
      return;
    }
    if (!adopted) result.summary.filesScanned++;
    const onItsPaths = (a: ActiveRule) => a.rule.meta.paths?.[languageId]?.test(reportPath()) ?? true;
    let rules = this.checkFilter.match(searchable, languageId, onItsPaths);
    const collectors = this.collectFilter.match(searchable, languageId, onItsPaths);
    if (rules.length === 0 && collectors.length === 0) {
      cache?.record(absPath, bytes, meta, { scanned: true, matched: false });
      return;
    }
    cache?.forget(absPath);
    if (!adopted) {
      stats.filesMatched++;
      const owner = this.options.owners?.passOn(languageId, bytes.length, rules.length > 0);
      if (owner !== undefined) {
        // A file to check is read again by its owner (its mode and times matter to --fix); other files are few
        // and small, and travel as they are (a copy in memory of its own, as a message needs).
        this.handedOff.push({ thread: owner, path: absPath, bytes: rules.length ? undefined : new Uint8Array(bytes) });
        stats.filesHandedOff++;
        return;
      }
    }
    // --fix compares a file's bytes on disk with those read before writing it; the cache hashes them.
    const keepBytes = cache !== undefined || (rules.length > 0 && this.options.fix === true && !this.options.dryRun);
    if (rules.length === 0 && !cache && !recheck) {
      // Only collected from, and in most repositories never needed (see needs()): not decoded nor parsed unless a
      // checked file needs its facts. A binary file is skipped now, as any other would be.
      if (isBinary(searchable)) {
        result.summary.filesScanned--;
        result.summary.filesSkipped++;
        return;
      }
      // Its bytes are kept if they fit a budget (Service manifests are small): reading thousands of files again
      // cost more than keeping them. Not decoded: most are never needed.
      const keep = this.keptPendingBytes + bytes.length <= (this.options.keptPendingBudget ?? KEPT_PENDING_BUDGET);
      if (keep) this.keptPendingBytes += bytes.length;
      this.pending.push({ path: reportPath(), collectors, reread: { absPath, languageId, bytes: keep ? Buffer.from(bytes) : undefined } });
      return;
    }
    // Nothing is awaited between the read and here; from here on the bytes must outlive the next read.
    if (borrowed && keepBytes) bytes = Buffer.from(bytes);
    const decoded = decode(bytes);
    if (!decoded.ok) {
      // A binary file with a text name, or text that does not decode, holds nothing slicefix can rewrite safely:
      // skipped, or an error naming why, and in neither case scanned (it was counted so above, here or in the
      // thread that read it).
      result.summary.filesScanned--;
      if (decoded.reason === 'binary') result.summary.filesSkipped++;
      else if (rules.length) result.errors.push({ file: reportPath(), message: `${decoded.message}; not scanned` });
      return;
    }
    const { text } = decoded.value;
    const reporting = rules.filter((a) => a.rule.meta.mayReport?.(text, languageId) ?? true);
    if (reporting.length === 0 && collectors.length === 0) {
      cache?.record(absPath, bytes, meta, { scanned: true, matched: false });
      return;
    }
    rules = reporting;
    const language = countingParser(await loadLanguage(languageId), stats, this.parsedFiles);
    const source: SourceText = { path: reportPath(), absPath, language: languageId, text };
    const kept = keepBytes ? bytes : EMPTY_BYTES;
    const candidate: Candidate = { source, decoded: decoded.value, bytes: kept, mode, rules, language, meta, facts: recheck?.facts };
    if (collectors.length && !recheck) this.pending.push({ path: reportPath(), candidate, collectors });
    if (rules.length && !collectors.length && !cache && rules.every((a) => !a.rule.collect)) {
      // Rules without a collect pass do not depend on other files: check now, and keep nothing of the file. On a
      // repository where every script mentions kubectl, this is most candidates.
      this.earlyCheckMs += await this.checkOne(candidate, NO_FACTS, '');
    } else if (rules.length) this.candidates.push(candidate);
  }

  /**
   * Which collectors this shard's files to check need (see CollectNeeds). A rule that has no file to check needs
   * no facts, and a rule's `collectNeeds` narrows the files worth parsing: in most repositories this spares parsing
   * every Service manifest. Cached verdicts of files to check are not parsed, so what they need is unknown: with
   * any, everything is collected.
   */
  needs(): CollectNeeds {
    const needs: CollectNeeds = {};
    const collectAll = this.deferred.length > 0;
    for (const { rule } of this.usable) {
      if (!rule.collect) continue;
      const id = rule.meta.id;
      if (collectAll) {
        needs[id] = null;
        continue;
      }
      const checked = this.candidates.filter((c) => c.rules.some((a) => a.rule === rule));
      if (checked.length === 0) continue;
      let texts: string[] | null = [];
      for (const candidate of checked) {
        if (!rule.collectNeeds || !texts) {
          texts = null;
          break;
        }
        try {
          candidate.parsed ??= candidate.language.parse(candidate.source.text, candidate.source.path);
          const wanted = rule.collectNeeds({ file: candidate.source, ast: candidate.parsed.ast, facts: this.facts });
          texts = wanted === undefined ? null : [...texts, ...wanted];
          this.keepOrRelease(candidate);
        } catch {
          texts = null;
        }
      }
      needs[id] = texts;
    }
    return needs;
  }

  /**
   * Parses ahead the files collect() will surely parse: those a rule collects from when this shard alone already
   * needs every file of it (`null`), whatever the other shards need. In a parallel scan this thread does it while
   * it waits for the others' needs (see ./parallel.ts); collect() then finds them parsed. Nothing else changes: a
   * parse that throws is left for collect() to report.
   */
  parseAhead(localNeeds: CollectNeeds): void {
    for (const { candidate, collectors } of this.pending) {
      if (!candidate || candidate.parsed) continue;
      if (!collectors.some((a) => localNeeds[a.rule.meta.id] === null)) continue;
      try {
        candidate.parsed = candidate.language.parse(candidate.source.text, candidate.source.path);
      } catch {
        // collect() parses it again and reports the error.
      }
    }
  }

  /**
   * Runs the collectors that `needs` asks for, in path order (facts do not depend on read timing), adding to this
   * shard's facts; returns what it added, with the file of each fact. A file whose facts were only partly
   * collected cannot cache its facts.
   */
  async collect(needs: CollectNeeds): Promise<OrderedFact[]> {
    const started = performance.now();
    const { result, cache, facts } = this;
    const ordered: OrderedFact[] = [];
    const pending = this.pending.splice(0);
    pending.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const checkedFiles = new Set(this.candidates);
    for (const entry of pending) {
      const { collectors } = entry;
      const candidate = entry.candidate ?? (await this.reread(entry, needs));
      if (!candidate) continue;
      const { source } = candidate;
      const wanted = collectors.filter((a) => {
        const texts = needs[a.rule.meta.id];
        if (texts === undefined) return false;
        return texts === null || texts.some((t) => source.text.includes(t));
      });
      const isChecked = checkedFiles.has(candidate);
      if (wanted.length === 0) {
        candidate.facts = null;
        if (!isChecked) {
          release(candidate);
          cache?.forget(source.absPath);
        }
        continue;
      }
      const added: CachedFact[] = [];
      const recorder: RepoFacts = {
        add: (key, value) => {
          added.push([key, value]);
          ordered.push([source.path, key, value]);
          facts.add(key, value);
        },
        get: (key) => facts.get(key),
      };
      try {
        candidate.parsed ??= candidate.language.parse(source.text, source.path);
        for (const active of wanted) active.rule.collect!({ file: source, ast: candidate.parsed.ast, facts: recorder });
        candidate.facts = wanted.length === collectors.length ? cacheableFacts(added) : null;
      } catch (error) {
        candidate.facts = null;
        result.errors.push({ file: source.path, message: `internal error while collecting: ${(error as Error).message}` });
      }
      if (isChecked) this.keepOrRelease(candidate);
      else {
        release(candidate);
        if (candidate.facts) cache?.record(source.absPath, candidate.bytes, candidate.meta, { scanned: true, matched: false, facts: candidate.facts });
        else cache?.forget(source.absPath);
      }
    }
    this.stats.readMs += performance.now() - started;
    return ordered;
  }

  /**
   * Keeps the AST of a file to check for its check, within a budget: ASTs kept from the collect pass all live until
   * the check pass, and on a repository of generated multi-megabyte Go files their trees outgrew WebAssembly's 4 GiB
   * (every later parse then failed). Past the budget a file is parsed again when it is checked.
   */
  private keepOrRelease(candidate: Candidate): void {
    if (!candidate.parsed || candidate.astKept) return;
    const size = candidate.source.text.length;
    if (this.keptAstBytes + size > (this.options.keptAstBudget ?? KEPT_AST_BUDGET)) {
      release(candidate);
      return;
    }
    candidate.astKept = true;
    this.keptAstBytes += size;
  }

  /**
   * The file of a pending collection that was not kept, read again when some collector of it is needed and the
   * file holds a text that collector needs (searched in the bytes: for UTF-8 the same answer as in the text).
   */
  private async reread(entry: PendingCollect, needs: CollectNeeds): Promise<Candidate | undefined> {
    const { path: reportPath, reread, collectors } = entry;
    if (!reread) return undefined;
    const searches = collectors.flatMap((a) => this.needSearch(a.rule.meta.id, needs) ?? []);
    if (searches.length === 0) return undefined;
    let bytes: Buffer;
    try {
      // With --staged the bytes come from the git index, not from the working tree.
      const { readBytes } = this.options;
      bytes = reread.bytes ?? (readBytes ? await readBytes(reread.absPath) : fs.readFileSync(reread.absPath));
    } catch (error) {
      this.result.errors.push({ file: reportPath, message: `cannot be read: ${(error as Error).message}` });
      return undefined;
    }
    const searchable = utf8View(bytes);
    if (!searches.some((search) => search(searchable))) return undefined;
    const decoded = decode(bytes);
    if (!decoded.ok) return undefined;
    const source: SourceText = { path: reportPath, absPath: reread.absPath, language: reread.languageId, text: decoded.value.text };
    const language = countingParser(await loadLanguage(reread.languageId), this.stats, this.parsedFiles);
    return { source, decoded: decoded.value, bytes: EMPTY_BYTES, mode: 0o644, rules: [], language };
  }

  /** A test of bytes for the texts a collector needs (undefined: the collector is not needed). */
  private needSearch(id: string, needs: CollectNeeds): ((bytes: Buffer) => boolean) | undefined {
    if (this.needSearches?.needs !== needs) this.needSearches = { needs, byRule: new Map() };
    const { byRule } = this.needSearches;
    if (!byRule.has(id)) {
      const texts = needs[id];
      if (texts === undefined) byRule.set(id, undefined);
      else if (texts === null) byRule.set(id, () => true);
      else {
        const search = new AnyText(texts);
        byRule.set(id, (bytes) => search.test(bytes));
      }
    }
    return byRule.get(id);
  }

  /** Facts collected by every shard, in path order: what the rules see while checking this shard's files. */
  useFacts(ordered: readonly OrderedFact[]): void {
    this.facts = new FactStore();
    for (const [, key, value] of ordered) this.facts.add(key, value);
  }

  /** Runs each rule's prepare() once; files read side by side wait for the same one to finish. */
  private async prepare(rules: ActiveRule[]): Promise<void> {
    for (const { rule } of rules) {
      if (!rule.prepare) continue;
      let prepared = this.prepared.get(rule);
      if (!prepared) {
        prepared = rule.prepare();
        this.prepared.set(rule, prepared);
      }
      await prepared;
    }
  }

  /**
   * Checks one file; returns the milliseconds it took, not counting the wait for prepare() (other files are read
   * meanwhile, and a phase's time must not count them twice).
   */
  private async checkOne(candidate: Candidate, facts: RepoFacts, digest: string): Promise<number> {
    const { options, result, cache } = this;
    await this.prepare(candidate.rules);
    const started = performance.now();
    const before = { findings: result.findings.length, errors: result.errors.length, diffs: result.diffs.length };
    try {
      await checkAndFix(candidate, options, facts, result);
    } catch (error) {
      // A crash inside one file's processing is that file's error; the run goes on.
      result.errors.push({ file: candidate.source.path, message: `internal error: ${(error as Error).message}` });
    }
    const clean = result.errors.length === before.errors && result.diffs.length === before.diffs && candidate.facts !== null;
    if (cache && clean) {
      const findings = result.findings.slice(before.findings);
      const verdict = { scanned: true, matched: true, findings, factsDigest: digest, facts: candidate.facts ?? undefined };
      cache.record(candidate.source.absPath, candidate.bytes, candidate.meta, verdict);
    }
    this.onFileDone(this);
    return performance.now() - started;
  }

  /** Checks (and with --fix, fixes) every candidate, in path order. Facts must be complete. */
  async check(): Promise<void> {
    const { options, result, cache, facts } = this;
    let started = performance.now();
    // Facts are complete now: a cached verdict that was computed under the same facts still holds.
    const digest = cache ? factsDigest(facts.entries()) : '';
    const fixing = options.fix || options.dryRun;
    for (const { absPath, entry } of this.deferred.splice(0)) {
      const hasFix = (f: { fixable: boolean; unsafeFixable?: true }) => f.fixable || (options.unsafeFixes === true && f.unsafeFixable === true);
      if (entry.factsDigest === digest && !(fixing && entry.findings?.some(hasFix))) {
        result.summary.filesScanned++;
        pushAll(result.findings, entry.findings ?? []);
      } else {
        await this.readOne(absPath, entry);
      }
    }
    for (const candidate of this.candidates) await this.prepare(candidate.rules);
    const candidates = this.candidates.splice(0);
    candidates.sort((a, b) => (a.source.path < b.source.path ? -1 : a.source.path > b.source.path ? 1 : 0));
    this.stats.readMs += performance.now() - started;
    started = performance.now();

    for (const candidate of candidates) await this.checkOne(candidate, facts, digest);
    this.stats.checkMs += performance.now() - started + this.earlyCheckMs;
    this.stats.filesParsed = this.parsedFiles.size;
  }
}

/** Runs a whole scan in this thread. */
export async function scanHere(files: string[], options: ShardOptions, onFileDone: (shard: ScanShard) => void): Promise<ScanShard> {
  const shard = new ScanShard(options, onFileDone);
  await shard.read(files);
  await shard.collect(shard.needs());
  await shard.check();
  return shard;
}
