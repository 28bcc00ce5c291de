/**
 * Checking one file: run its rules on its AST, and with --fix apply their edits, re-run and repeat (at most
 * MAX_FIX_PASSES), parse the result again and write it atomically. What a file is checked with (its text, rules
 * and facts) comes from the scan's shard (./shard.ts).
 */
import fs from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';
import type { CachedFact, FileMeta } from './cache.js';
import type { Config } from './config.js';
import { applyEdits, LineIndex, selectNonOverlapping } from './edits.js';
import type { ActiveRule } from './engine.js';
import type { ShardOptions } from './shard.js';
import { adaptLineEndings, encode, type DecodedText } from './source.js';
import { findSuppressions } from './suppress.js';
import type { Edit, Finding, LanguageSupport, ParseProblem, ParseResult, RepoFacts, ScanResult, SourceText } from './types.js';

/** Fixes stop after this many passes even if rules still offer edits (as ESLint does). */
export const MAX_FIX_PASSES = 10;

export const EMPTY_BYTES = Buffer.alloc(0);

interface RawFinding {
  active: ActiveRule;
  start: number;
  end: number;
  message: string;
  fix?: Edit[];
  unsafeFix?: Edit[];
}

interface RuleRun {
  findings: RawFinding[];
  parseErrors: ParseProblem[];
  failures: string[];
}

/** One file that passed the pre-filter of at least one rule. */
export interface Candidate {
  source: SourceText;
  decoded: DecodedText;
  bytes: Buffer;
  mode: number;
  rules: ActiveRule[];
  language: LanguageSupport;
  /** AST of the file as read, reused by collectors and the first rule pass. */
  parsed?: ParseResult;
  /** Whether `parsed` counts against the budget of ASTs kept until the check pass. */
  astKept?: boolean;
  /** Size and times of the file as read, for the cache. */
  meta?: FileMeta;
  /** The facts it contributes, when they can be cached (`null`: they cannot, so neither can its verdict). */
  facts?: CachedFact[] | null;
}

/** Drops a candidate's AST, freeing what its parser holds outside the heap. */
export function release(candidate: Candidate): void {
  if (candidate.parsed) candidate.language.dispose?.(candidate.parsed.ast);
  candidate.parsed = undefined;
}

export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in data ? String(data[name]) : whole));
}

function runRules(
  source: SourceText,
  language: LanguageSupport,
  rules: ActiveRule[],
  config: Config,
  facts: RepoFacts,
  parsed?: ParseResult,
): RuleRun {
  const run: RuleRun = { findings: [], parseErrors: [], failures: [] };
  let result: ParseResult;
  try {
    result = parsed ?? language.parse(source.text, source.path);
  } catch (error) {
    run.parseErrors.push({ message: (error as Error).message });
    return run;
  }
  run.parseErrors = result.errors;
  try {
    runEach(source, result, rules, config, facts, run);
  } finally {
    if (!parsed) language.dispose?.(result.ast);
  }
  return run;
}

function runEach(source: SourceText, result: { ast: unknown }, rules: ActiveRule[], config: Config, facts: RepoFacts, run: RuleRun): void {
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
            unsafeFix: !report.fix?.length && report.unsafeFix?.length ? report.unsafeFix : undefined,
          });
        },
      });
    } catch (error) {
      run.failures.push(`internal error in rule ${meta.id}: ${(error as Error).message}`);
    }
  }
}

function describeParseError(problem: ParseProblem, text: string): string {
  if (problem.offset === undefined) return problem.message;
  const { line, column } = new LineIndex(text).position(problem.offset);
  return `${problem.message} (line ${line}, column ${column})`;
}

function toFinding(raw: RawFinding, source: SourceText, lines: LineIndex, fixable: boolean): Finding {
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
    fixable: fixable && raw.fix !== undefined,
    ...(fixable && raw.unsafeFix !== undefined ? { unsafeFixable: true as const } : {}),
  };
}

function isReadOnly(mode: number): boolean {
  return (mode & 0o222) === 0;
}

export async function checkAndFix(candidate: Candidate, options: ShardOptions, facts: RepoFacts, result: ScanResult): Promise<void> {
  const { source, language, rules } = candidate;
  const { config } = options;
  const first = runRules(source, language, rules, config, facts, candidate.parsed);
  release(candidate);
  for (const failure of first.failures) result.errors.push({ file: source.path, message: failure });
  if (first.parseErrors.length) {
    const problem = first.parseErrors[0];
    result.errors.push({
      file: source.path,
      message: problem.newerThanParser
        ? `${describeParseError(problem, source.text)}; its findings are reported, but no fix is applied to this file`
        : `could not be parsed: ${describeParseError(problem, source.text)}; no fix is applied to this file`,
    });
  }
  const unsuppressed = (findings: RawFinding[], text: string): RawFinding[] => {
    // Most checked files have no finding: their lines need no index (a multi-megabyte file's costs milliseconds).
    if (findings.length === 0) return findings;
    const lines = new LineIndex(text);
    const suppressions = findSuppressions(text, lines);
    return findings.filter((f) => !suppressions.isSuppressed(f.active.rule.meta.id, lines.position(f.start).line));
  };
  let current = unsuppressed(first.findings, source.text);
  let text = source.text;

  // A file that did not parse cleanly, or on which a rule failed, is never fixed: none of its findings is fixable.
  const fixable = first.parseErrors.length === 0 && first.failures.length === 0;
  const wantsFix = (options.fix || options.dryRun) && fixable;
  // Plain --fix applies only fixes proven equal on every cluster state; --unsafe-fixes adds the others.
  const editsOf = (f: RawFinding): Edit[] | undefined => f.fix ?? (options.unsafeFixes ? f.unsafeFix : undefined);
  if (wantsFix && current.some(editsOf)) {
    let passes = 0;
    let failure: string | undefined;
    while (passes < MAX_FIX_PASSES) {
      const groups = current.flatMap((f) => {
        const edits = editsOf(f);
        return edits ? [edits.map((e) => ({ ...e, text: adaptLineEndings(e.text, candidate.decoded.eol) }))] : [];
      });
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
      current = unsuppressed(rerun.findings, text);
    }
    if (failure) {
      result.errors.push({ file: source.path, message: failure });
      text = source.text;
      current = unsuppressed(first.findings, source.text);
    } else if (text !== source.text) {
      const written = options.dryRun ? true : writeFix(candidate, text, result);
      if (written) {
        // The diff library is needed only when there is a diff to show.
        const { fixPatch, fixReplacements } = await import('./patch.js');
        const patch = fixPatch(source.path, source.text, text);
        result.diffs.push({ file: source.path, patch, replacements: fixReplacements(source.text, text) });
        if (options.dryRun) {
          // Nothing was written: report what is in the file now.
          text = source.text;
          current = unsuppressed(first.findings, source.text);
        }
      } else {
        text = source.text;
        current = unsuppressed(first.findings, source.text);
      }
    }
  }
  if (current.length === 0) return;
  const lines = new LineIndex(text);
  const reportSource = { ...source, text };
  for (const raw of current) result.findings.push(toFinding(raw, reportSource, lines, fixable));
}

/**
 * Writes a fixed file atomically (through a symbolic link, keeping mode and owner); refuses when the file changed on
 * disk since it was read, is read-only, or has other hard links.
 */
function writeFix(candidate: Candidate, text: string, result: ScanResult): boolean {
  const { source } = candidate;
  try {
    const now = fs.readFileSync(source.absPath);
    if (!now.equals(candidate.bytes)) {
      result.errors.push({ file: source.path, message: 'changed on disk while slicefix was running; not written (run --fix again)' });
      return false;
    }
    const stat = fs.statSync(source.absPath);
    if (isReadOnly(stat.mode)) {
      result.errors.push({ file: source.path, message: 'is read-only; the fix was not written' });
      return false;
    }
    // Replacing the file (see writeFileAtomic) would cut it off from its other names, which would keep the old
    // text; writing in place could leave it half-written. Neither is acceptable unasked.
    if (stat.nlink > 1) {
      result.errors.push({ file: source.path, message: `has ${stat.nlink} hard links, which a rewrite would break; the fix was not written (fix it by hand, or copy it to a file of its own first)` });
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
