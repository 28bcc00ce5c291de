/**
 * Test helpers: run the real engine (walk, pre-filter, parse, rules, fix loop, atomic writes) on files written
 * to a temporary directory, so rule and codemod tests exercise exactly what users run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { defaultConfig, type Config } from '../src/config.js';
import { scan, type ActiveRule, type ScanOptions } from '../src/engine.js';
import type { RepoFacts, Rule, ScanResult, Settings, SourceText } from '../src/types.js';

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const fixturesDir = path.join(repoRoot, 'fixtures');

export function makeTempDir(prefix = 'slicefix-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes `files` (relative path → content) under a new temporary directory and returns it. */
export function writeTree(files: Record<string, string | Buffer>, dir = makeTempDir()): string {
  for (const [file, content] of Object.entries(files)) {
    const abs = path.join(dir, file);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  return dir;
}

export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, entry.name);
      if (entry.isDirectory()) visit(abs);
      else if (entry.isFile()) out[path.relative(dir, abs).split(path.sep).join('/')] = fs.readFileSync(abs, 'utf8');
    }
  };
  visit(dir);
  return out;
}

export interface LintOptions {
  fix?: boolean;
  dryRun?: boolean;
  settings?: Partial<Settings>;
  config?: Partial<Config>;
  /** Paths to scan, relative to the tree (default: the whole tree). */
  paths?: string[];
  extra?: Partial<ScanOptions>;
}

export interface LintOutcome {
  dir: string;
  result: ScanResult;
  /** The tree's files after the run. */
  files: Record<string, string>;
}

export function active(rules: Rule[]): ActiveRule[] {
  return rules.map((rule) => ({ rule, severity: rule.meta.severity }));
}

/** Runs `rules` over a tree (an existing directory or files to write) with the real engine. */
export async function lint(tree: string | Record<string, string | Buffer>, rules: Rule[], options: LintOptions = {}): Promise<LintOutcome> {
  const dir = typeof tree === 'string' ? tree : writeTree(tree);
  const config: Config = { ...defaultConfig(), ...options.config };
  config.settings = { ...config.settings, ...options.settings };
  const result = await scan({
    paths: options.paths ?? ['.'],
    cwd: dir,
    config,
    rules: active(rules),
    fix: options.fix,
    dryRun: options.dryRun,
    ...options.extra,
  });
  return { dir, result, files: readTree(dir) };
}

/** Copies a fixture directory into a temporary directory (fixtures are never modified by tests). */
export function copyFixture(relative: string): string {
  const dir = makeTempDir();
  fs.cpSync(path.join(fixturesDir, relative), dir, { recursive: true });
  return dir;
}

/**
 * Golden pairs in `fixtures/<dir>/`: `<name>.<ext>` is the input, `<name>.fixed.<ext>` the expected output of
 * --fix (absent: --fix must leave the file as it is).
 */
export function goldenPairs(relative: string): { name: string; input: string; expected: string; file: string }[] {
  const dir = path.join(fixturesDir, relative);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => !f.includes('.fixed.') && fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map((file) => {
      const ext = path.extname(file);
      const base = file.slice(0, -ext.length);
      const fixedPath = path.join(dir, `${base}.fixed${ext}`);
      const input = fs.readFileSync(path.join(dir, file), 'utf8');
      return { name: base, file, input, expected: fs.existsSync(fixedPath) ? fs.readFileSync(fixedPath, 'utf8') : input };
    });
}

/** No facts at all, for a rule run on its own. */
const NO_FACTS: RepoFacts = { add() {}, get: () => [] };

/**
 * How many findings a rule's check reports on one file, run directly (no engine: no pre-filter, no mayReport in
 * between), with the default settings. For tests that hold a rule's pre-filters to what the rule reports.
 */
export function reportsOf(rule: Rule, file: SourceText, ast: unknown, facts: RepoFacts = NO_FACTS): number {
  let reports = 0;
  rule.check({ file, ast, settings: defaultConfig().settings, facts, report: () => void reports++ });
  return reports;
}

/** Every file of `validDir` (look-alikes) gets no finding, no error and no fix from `rule`. */
export function itReportsNothingIn(validDir: string, rule: Rule): void {
  for (const file of fs.readdirSync(validDir)) {
    it(`does not report ${file}`, async () => {
      const { result } = await lint({ [file]: fs.readFileSync(path.join(validDir, file), 'utf8') }, [rule], { fix: true });
      expect(result.findings).toEqual([]);
      expect(result.errors).toEqual([]);
      expect(result.summary.fixed).toBe(0);
    });
  }
}
