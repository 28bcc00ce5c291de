/**
 * The scan: walk → read each file once → byte pre-filter → parse (lazily, per language) → collect repository
 * facts → run rules → apply fixes → results. The engine knows rules only through the `Rule` interface.
 */
import fs from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';
import { cacheableFacts, factsDigest, type CacheEntry, type CachedFact, type FileCache, type FileMeta } from './cache.js';
import type { Config } from './config.js';
import { applyEdits, LineIndex, selectNonOverlapping } from './edits.js';
import { detectLanguage, hasLanguage, loadLanguage } from './languages/index.js';
import { adaptLineEndings, decode, encode, type DecodedText } from './source.js';
import { findSuppressions } from './suppress.js';
import type {
  Edit,
  FileError,
  Finding,
  LanguageId,
  LanguageSupport,
  ParseProblem,
  RepoFacts,
  Rule,
  ScanResult,
  ScanStats,
  Severity,
  SourceText,
} from './types.js';
import { toReportPath, walk } from './walk.js';

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
  /** Extra ignore globs (from `--ignore`). */
  ignore?: string[];
  /** Where a file's bytes come from (default: the file system; `--staged` reads the git index). */
  readBytes?: (absPath: string) => Promise<Buffer>;
  /** Keeps only some findings (e.g. `--changed-since`: findings on changed lines). */
  keepFinding?: (finding: Finding) => boolean;
  /** `--cache`: verdicts of unchanged files are reused instead of reading and checking them again. */
  cache?: FileCache;
  /** Called as files are read and checked (for a progress bar). */
  onProgress?: (progress: { done: number; total: number; findings: number }) => void;
}

/** Fixes stop after this many passes even if rules still offer edits (as ESLint does). */
export const MAX_FIX_PASSES = 10;
const EMPTY_BYTES = Buffer.alloc(0);
const READ_CONCURRENCY = 32;

interface RawFinding {
  active: ActiveRule;
  start: number;
  end: number;
  message: string;
  fix?: Edit[];
}

interface RuleRun {
  findings: RawFinding[];
  parseErrors: ParseProblem[];
  failures: string[];
}

/** One file that passed the pre-filter of at least one rule. */
interface Candidate {
  source: SourceText;
  decoded: DecodedText;
  bytes: Buffer;
  mode: number;
  rules: ActiveRule[];
  language: LanguageSupport;
  /** AST of the file as read, reused by collectors and the first rule pass. */
  parsed?: { ast: unknown; errors: ParseProblem[] };
  /** Size and times of the file as read, for the cache. */
  meta?: FileMeta;
  /** The facts it contributes, when they can be cached (`null`: they cannot, so neither can its verdict). */
  facts?: CachedFact[] | null;
}

class FactStore implements RepoFacts {
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

export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in data ? String(data[name]) : whole));
}

function containsAny(bytes: Buffer, triggers: Buffer[]): boolean {
  return triggers.some((t) => bytes.includes(t));
}

function runRules(
  source: SourceText,
  language: LanguageSupport,
  rules: ActiveRule[],
  config: Config,
  facts: RepoFacts,
  parsed?: { ast: unknown; errors: ParseProblem[] },
): RuleRun {
  const run: RuleRun = { findings: [], parseErrors: [], failures: [] };
  let result: { ast: unknown; errors: ParseProblem[] };
  try {
    result = parsed ?? language.parse(source.text, source.path);
  } catch (error) {
    run.parseErrors.push({ message: (error as Error).message });
    return run;
  }
  run.parseErrors = result.errors;
  for (const active of rules) {
    const { meta } = active.rule;
    try {
      active.rule.check({
        file: source,
        ast: result.ast,
        settings: config.settings,
        facts,
        report: (report) => {
          const template = meta.messages[report.messageId];
          if (template === undefined) throw new Error(`rule ${meta.id} reported unknown messageId ${report.messageId}`);
          run.findings.push({
            active,
            start: report.start,
            end: report.end,
            message: formatMessage(template, report.data),
            fix: report.fix && report.fix.length > 0 ? report.fix : undefined,
          });
        },
      });
    } catch (error) {
      run.failures.push(`internal error in rule ${meta.id}: ${(error as Error).message}`);
    }
  }
  return run;
}

function describeParseError(problem: ParseProblem, text: string): string {
  if (problem.offset === undefined) return problem.message;
  const { line, column } = new LineIndex(text).position(problem.offset);
  return `${problem.message} (line ${line}, column ${column})`;
}

function toFinding(raw: RawFinding, source: SourceText, lines: LineIndex): Finding {
  let end = raw.end;
  // A node's range often ends after its trailing newline; a report should end on the object's last character.
  while (end > raw.start && /\s/.test(source.text[end - 1])) end--;
  const from = lines.position(raw.start);
  const to = lines.position(end);
  return {
    ruleId: raw.active.rule.meta.id,
    severity: raw.active.severity,
    file: source.path,
    line: from.line,
    column: from.column,
    endLine: to.line,
    endColumn: to.column,
    message: raw.message,
    fixable: raw.fix !== undefined,
  };
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

function isReadOnly(mode: number): boolean {
  return (mode & 0o222) === 0;
}

export async function scan(options: ScanOptions): Promise<ScanResult> {
  const { cwd, config } = options;
  const result: ScanResult = {
    findings: [],
    errors: [],
    summary: { filesScanned: 0, filesSkipped: 0, findings: 0, fixable: 0, fixed: 0 },
    diffs: [],
  };
  const stats: ScanStats = { filesWalked: 0, filesRead: 0, filesMatched: 0, filesParsed: 0, parses: 0, walkMs: 0, readMs: 0, checkMs: 0 };
  const parsedFiles = new Set<string>();
  let phaseStart = performance.now();
  const walked = await walk(options.paths, cwd, config, options.ignore);
  stats.filesWalked = walked.files.length;
  stats.walkMs = performance.now() - phaseStart;
  phaseStart = performance.now();
  result.errors.push(...walked.errors);
  result.summary.filesSkipped += walked.skipped;

  const usable = options.rules.filter((a) => a.rule.meta.languages.some(hasLanguage));
  const triggerBytes = new Map<Rule, Buffer[]>(usable.map((a) => [a.rule, a.rule.meta.triggers.map((t) => Buffer.from(t))]));
  const collectBytes = new Map<Rule, Buffer[]>(
    usable.filter((a) => a.rule.collect && a.rule.meta.collect).map((a) => [a.rule, a.rule.meta.collect!.triggers.map((t) => Buffer.from(t))]),
  );
  const facts = new FactStore();
  const candidates: Candidate[] = [];
  /** Files to collect facts from, once it is known which rules have files to check (see collectPending). */
  const pending: PendingCollect[] = [];
  // Files on disk are read synchronously: they come from the page cache in microseconds, and each promise-based
  // stat and read costs a thread-pool round trip, which made reading 4x slower on a 50k-file repository.
  const readBytes = options.readBytes;
  // The cache knows files on disk; a custom reader (--staged) reads other bytes than the file's metadata describes.
  const cache = readBytes ? undefined : options.cache;
  /** Cache hits whose findings depend on the facts of this run, decided once all facts are collected. */
  const deferred: { absPath: string; entry: CacheEntry }[] = [];
  const reuse = (absPath: string, entry: CacheEntry | undefined): boolean => {
    if (!entry) return false;
    // The same bytes contribute the same facts: replay them where collecting them would have added them.
    for (const [key, value] of entry.facts ?? []) facts.add(key, value);
    if (entry.matched) deferred.push({ absPath, entry });
    else if (entry.scanned) result.summary.filesScanned++;
    return true;
  };
  let done = 0;
  const progress = () => options.onProgress?.({ done, total: walked.files.length, findings: result.findings.length });

  /** `recheck`: a cache hit whose findings must be computed again; its facts were replayed already. */
  const readOne = async (absPath: string, recheck?: CacheEntry) => {
    const useCache = !recheck;
    const reportPath = toReportPath(absPath, cwd);
    let bytes: Buffer;
    let mode = 0o644;
    let meta: FileMeta | undefined;
    try {
      const stat = readBytes ? await fs.promises.stat(absPath).catch(() => undefined) : fs.statSync(absPath);
      if (stat) {
        mode = stat.mode & 0o7777;
        meta = { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs };
        if (stat.size > config.maxFileBytes) {
          result.summary.filesSkipped++;
          return;
        }
        if (cache && useCache && reuse(absPath, cache.unchanged(absPath, meta))) return;
      }
      bytes = readBytes ? await readBytes(absPath) : fs.readFileSync(absPath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'EACCES' ? 'permission denied' : (error as Error).message;
      result.errors.push({ file: reportPath, message: `cannot be read: ${reason}` });
      return;
    }
    stats.filesRead++;
    if (bytes.length > config.maxFileBytes) {
      result.summary.filesSkipped++;
      return;
    }
    if (cache && useCache && reuse(absPath, cache.sameContent(absPath, bytes, meta))) return;
    const languageId: LanguageId | undefined = detectLanguage(absPath, bytes.subarray(0, 128).toString('latin1').split('\n')[0]);
    if (!languageId) {
      cache?.record(absPath, bytes, meta, { scanned: false, matched: false });
      return;
    }
    result.summary.filesScanned++;
    const rules = usable.filter((a) => a.rule.meta.languages.includes(languageId) && containsAny(bytes, triggerBytes.get(a.rule)!));
    const collectors = usable.filter(
      (a) => a.rule.meta.collect?.languages.includes(languageId) && containsAny(bytes, collectBytes.get(a.rule) ?? []),
    );
    if (rules.length === 0 && collectors.length === 0) {
      cache?.record(absPath, bytes, meta, { scanned: true, matched: false });
      return;
    }
    cache?.forget(absPath);
    stats.filesMatched++;
    const decoded = decode(bytes);
    if (!decoded.ok) {
      // A binary file with a text name, or text that is not UTF-8, holds nothing slicefix can rewrite safely.
      if (decoded.reason === 'binary') result.summary.filesSkipped++;
      else if (rules.length) result.errors.push({ file: reportPath, message: 'not valid UTF-8 text; not scanned' });
      return;
    }
    const language = countingParser(await loadLanguage(languageId), stats, parsedFiles);
    const source: SourceText = { path: reportPath, absPath, language: languageId, text: decoded.value.text };
    // Bytes are kept for files to check (--fix compares them before writing) and for the cache's hash; a file that
    // is only collected from may wait for its collection, and its text is all that needs waiting with it.
    const kept = rules.length || cache ? bytes : EMPTY_BYTES;
    const candidate: Candidate = { source, decoded: decoded.value, bytes: kept, mode, rules, language, meta, facts: recheck?.facts };
    if (collectors.length && !recheck) pending.push({ candidate, collectors });
    if (rules.length) candidates.push(candidate);
    else if (!collectors.length || recheck) candidate.parsed = undefined;
  };
  let next = 0;
  const workers = Array.from({ length: Math.min(READ_CONCURRENCY, walked.files.length) }, async () => {
    while (next < walked.files.length) {
      const file = walked.files[next++];
      await readOne(file);
      done++;
      progress();
    }
  });
  await Promise.all(workers);
  // Cached verdicts of files to check are not parsed, so what they need is unknown: with any, collect everything.
  collectPending(pending, candidates, facts, result, cache, deferred.length > 0);
  // Facts are complete now: a cached verdict that was computed under the same facts still holds.
  const digest = cache ? factsDigest(facts.entries()) : '';
  const fixing = options.fix || options.dryRun;
  for (const { absPath, entry } of deferred) {
    if (entry.factsDigest === digest && !(fixing && entry.findings?.some((f) => f.fixable))) {
      result.summary.filesScanned++;
      result.findings.push(...(entry.findings ?? []));
    } else {
      await readOne(absPath, entry);
    }
  }
  const prepared = new Set<Rule>();
  for (const candidate of candidates) {
    for (const { rule } of candidate.rules) {
      if (!rule.prepare || prepared.has(rule)) continue;
      prepared.add(rule);
      await rule.prepare();
    }
  }
  candidates.sort((a, b) => (a.source.path < b.source.path ? -1 : a.source.path > b.source.path ? 1 : 0));
  stats.readMs = performance.now() - phaseStart;
  phaseStart = performance.now();

  for (const candidate of candidates) {
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
    progress();
  }

  stats.checkMs = performance.now() - phaseStart;
  stats.filesParsed = parsedFiles.size;
  result.stats = stats;

  if (options.keepFinding) result.findings = result.findings.filter(options.keepFinding);
  result.findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  result.errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  result.summary.findings = result.findings.length;
  result.summary.fixable = result.findings.filter((f) => f.fixable).length;
  return result;
}

interface PendingCollect {
  candidate: Candidate;
  collectors: ActiveRule[];
}

/**
 * Runs the collectors, in path order (facts do not depend on read timing). A rule that has no file to check needs
 * no facts, and a rule's `collectNeeds` narrows the files worth parsing: in most repositories this spares parsing
 * every Service manifest. A file whose facts were only partly collected cannot cache its facts.
 */
function collectPending(
  pending: PendingCollect[],
  candidates: Candidate[],
  facts: FactStore,
  result: ScanResult,
  cache: ScanOptions['cache'],
  collectAll: boolean,
): void {
  if (pending.length === 0) return;
  const needs = new Map<Rule, string[] | undefined>();
  for (const rule of new Set(pending.flatMap((p) => p.collectors.map((a) => a.rule)))) {
    if (collectAll) {
      needs.set(rule, undefined);
      continue;
    }
    const checked = candidates.filter((c) => c.rules.some((a) => a.rule === rule));
    if (checked.length === 0) continue;
    let texts: string[] | undefined = [];
    for (const candidate of checked) {
      if (!rule.collectNeeds || !texts) {
        texts = undefined;
        break;
      }
      try {
        candidate.parsed ??= candidate.language.parse(candidate.source.text, candidate.source.path);
        const wanted = rule.collectNeeds({ file: candidate.source, ast: candidate.parsed.ast, facts });
        texts = wanted === undefined ? undefined : [...texts, ...wanted];
      } catch {
        texts = undefined;
      }
    }
    needs.set(rule, texts);
  }
  pending.sort((a, b) => (a.candidate.source.path < b.candidate.source.path ? -1 : a.candidate.source.path > b.candidate.source.path ? 1 : 0));
  for (const { candidate, collectors } of pending) {
    const { source } = candidate;
    const wanted = collectors.filter((a) => {
      if (!needs.has(a.rule)) return false;
      const texts = needs.get(a.rule);
      return texts === undefined || texts.some((t) => source.text.includes(t));
    });
    const isChecked = candidates.includes(candidate);
    if (wanted.length === 0) {
      candidate.facts = null;
      if (!isChecked) {
        candidate.parsed = undefined;
        cache?.forget(source.absPath);
      }
      continue;
    }
    const added: CachedFact[] = [];
    const recorder: RepoFacts = { add: (key, value) => (added.push([key, value]), facts.add(key, value)), get: (key) => facts.get(key) };
    try {
      candidate.parsed ??= candidate.language.parse(source.text, source.path);
      for (const active of wanted) active.rule.collect!({ file: source, ast: candidate.parsed.ast, facts: recorder });
      candidate.facts = wanted.length === collectors.length ? cacheableFacts(added) : null;
    } catch (error) {
      candidate.facts = null;
      result.errors.push({ file: source.path, message: `internal error while collecting: ${(error as Error).message}` });
    }
    if (!isChecked) {
      candidate.parsed = undefined;
      if (candidate.facts) cache?.record(source.absPath, candidate.bytes, candidate.meta, { scanned: true, matched: false, facts: candidate.facts });
      else cache?.forget(source.absPath);
    }
  }
}

async function checkAndFix(candidate: Candidate, options: ScanOptions, facts: RepoFacts, result: ScanResult): Promise<void> {
  const { source, language, rules } = candidate;
  const { config } = options;
  const first = runRules(source, language, rules, config, facts, candidate.parsed);
  candidate.parsed = undefined;
  for (const failure of first.failures) result.errors.push({ file: source.path, message: failure });
  if (first.parseErrors.length) {
    result.errors.push({
      file: source.path,
      message: `could not be parsed: ${describeParseError(first.parseErrors[0], source.text)}; no fix is applied to this file`,
    });
  }
  const suppressedIn = (text: string) => {
    const lines = new LineIndex(text);
    const suppressions = findSuppressions(text, lines);
    return (f: RawFinding) => !suppressions.isSuppressed(f.active.rule.meta.id, lines.position(f.start).line);
  };
  let current = first.findings.filter(suppressedIn(source.text));
  let text = source.text;

  const wantsFix = (options.fix || options.dryRun) && first.parseErrors.length === 0 && first.failures.length === 0;
  if (wantsFix && current.some((f) => f.fix)) {
    let passes = 0;
    let failure: string | undefined;
    while (passes < MAX_FIX_PASSES) {
      const groups = current.filter((f) => f.fix).map((f) => f.fix!.map((e) => ({ ...e, text: adaptLineEndings(e.text, candidate.decoded.eol) })));
      if (groups.length === 0) break;
      const next = applyEdits(text, selectNonOverlapping(groups));
      if (next === text) break;
      passes++;
      const rerun = runRules({ ...source, text: next }, language, rules, config, facts);
      if (rerun.parseErrors.length || rerun.failures.length) {
        const why = rerun.parseErrors.length ? `does not parse: ${describeParseError(rerun.parseErrors[0], next)}` : rerun.failures[0];
        failure = `the fix was not written because its result ${why}`;
        break;
      }
      text = next;
      current = rerun.findings.filter(suppressedIn(text));
    }
    if (failure) {
      result.errors.push({ file: source.path, message: failure });
      text = source.text;
      current = first.findings.filter(suppressedIn(source.text));
    } else if (text !== source.text) {
      const written = options.dryRun ? true : writeFix(candidate, text, result);
      if (written) {
        // The diff library is needed only when there is a diff to show.
        const { createTwoFilesPatch } = await import('diff');
        const patch = createTwoFilesPatch(`a/${source.path}`, `b/${source.path}`, source.text, text, '', '', { context: 3 });
        result.diffs.push({ file: source.path, patch });
        if (options.dryRun) {
          // Nothing was written: report what is in the file now.
          text = source.text;
          current = first.findings.filter(suppressedIn(source.text));
        }
      } else {
        text = source.text;
        current = first.findings.filter(suppressedIn(source.text));
      }
    }
  }
  const lines = new LineIndex(text);
  const reportSource = { ...source, text };
  for (const raw of current) result.findings.push(toFinding(raw, reportSource, lines));
}

/** Writes a fixed file atomically; refuses when the file changed on disk since it was read or is read-only. */
function writeFix(candidate: Candidate, text: string, result: ScanResult): boolean {
  const { source } = candidate;
  try {
    const now = fs.readFileSync(source.absPath);
    if (!now.equals(candidate.bytes)) {
      result.errors.push({ file: source.path, message: 'changed on disk while slicefix was running; not written (run --fix again)' });
      return false;
    }
    if (isReadOnly(fs.statSync(source.absPath).mode)) {
      result.errors.push({ file: source.path, message: 'is read-only; the fix was not written' });
      return false;
    }
    writeFileAtomic(source.absPath, encode({ ...candidate.decoded, text }), candidate.mode);
    result.summary.fixed++;
    return true;
  } catch (error) {
    result.errors.push({ file: source.path, message: `the fix could not be written (${(error as Error).message}); the file is unchanged` });
    return false;
  }
}
