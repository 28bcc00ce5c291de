/**
 * Which files a scan reads. Directories are walked with one `readdir` each, honouring `.gitignore` files as git
 * does (each file's patterns relative to its own folder, deeper files overriding shallower ones, the files of the
 * folders above the scanned one up to the git root included) and pruning ignored folders without reading them;
 * symbolic links are never followed while walking, so a link out of the tree or a link loop cannot lead the scan
 * astray. Files named on the command line (as pre-commit passes them) are read unless the config ignores them.
 *
 * The walk used to be globby's; on a 50k-file monorepo its `.gitignore` support alone cost seconds (it globs the
 * tree twice and matches every path against every pattern), far more than reading the files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type ignore from 'ignore';
import type { Ignore } from 'ignore';
import type { Config } from './config.js';
import { DEPENDENCY_DIRS } from './config.js';
import { gitignorePatterns } from './ignore-globs.js';
import { detectLanguage, knownNames } from './languages/index.js';
import { bundled, lazyRequire } from './load-cjs.js';
import type { FileError } from './types.js';

// Loaded on first use (see ./load-cjs.ts): a run on files named on the command line, as pre-commit does, with no
// ignore globs, needs none.
const ignoreLibrary = lazyRequire<typeof ignore>('ignore', bundled ? await import('ignore') : undefined);

export interface WalkResult {
  /** Absolute paths, sorted, without duplicates. */
  files: string[];
  errors: FileError[];
  /** Entries passed over: symbolic links met while walking. */
  skipped: number;
}

export function toReportPath(absPath: string, cwd: string): string {
  const relative = path.relative(cwd, absPath);
  return (relative === '' ? '.' : relative).split(path.sep).join('/');
}

/** A matcher for the config's and the command line's ignore globs (see ./ignore-globs.ts for their syntax). */
export function ignoreMatcher(globs: string[], bases: string[]): (absPath: string) => boolean {
  if (globs.length === 0) return () => false;
  const matcher = ignoreLibrary()({ ignorecase: false }).add(gitignorePatterns(globs));
  return (absPath) =>
    bases.some((base) => {
      const relative = path.relative(base, absPath).split(path.sep).join('/');
      if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return false;
      return matcher.ignores(relative);
    });
}

/** Could this file be one slicefix reads? (By its base name only; extensionless files are decided by their first line.) */
function isCandidateName(base: string): boolean {
  if (detectLanguage(base) !== undefined || knownNames.includes(base)) return true;
  return !base.includes('.');
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The `.gitignore` rules that apply inside one folder: those of its own `.gitignore` and of every folder above it
 * up to `root`, each pattern rebased onto `root` (as globby did), so one matcher decides with git's precedence:
 * a deeper file's later rules win, and nothing inside an excluded folder can be re-included.
 */
interface GitignoreRules {
  root: string;
  patterns: string[];
  /** Absent while there are no patterns. */
  matcher?: Ignore;
}

/** Lines of a `.gitignore` as git reads them: no blanks, no comments, unescaped trailing spaces dropped. */
function gitignoreLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => {
      line = line.replace(/^\uFEFF/, '');
      const trimmed = line.replace(/\s+$/, '');
      if (trimmed.length === line.length) return line;
      const backslashes = /\\*$/.exec(trimmed)![0].length;
      return backslashes % 2 === 1 ? `${trimmed} ` : trimmed;
    })
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** A pattern of the `.gitignore` in folder `base` (relative to the root, `/`-separated), as seen from the root. */
function rebasePattern(pattern: string, base: string): string {
  if (!base) return pattern;
  const negative = pattern.startsWith('!');
  const clean = negative ? pattern.slice(1) : pattern;
  const slash = clean.indexOf('/');
  const anchored = slash !== -1 && slash !== clean.length - 1;
  const rebased = !anchored ? path.posix.join(base, '**', clean) : clean.startsWith('/') ? path.posix.join(base, clean.slice(1)) : path.posix.join(base, clean);
  return negative ? `!${rebased}` : rebased;
}

/** The rules inside `dir`: those inherited, plus its own `.gitignore` if it has one. */
function withGitignoreOf(dir: string, inherited: GitignoreRules): GitignoreRules {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, '.gitignore'), 'utf8');
  } catch {
    return inherited;
  }
  const base = path.relative(inherited.root, dir).split(path.sep).join('/');
  const own = gitignoreLines(text).map((p) => rebasePattern(p, base));
  if (own.length === 0) return inherited;
  const patterns = [...inherited.patterns, ...own];
  const ignore = ignoreLibrary();
  return { root: inherited.root, patterns, matcher: ignore().add(patterns) };
}

function isGitignored(absPath: string, isDir: boolean, rules: GitignoreRules): boolean {
  if (!rules.matcher) return false;
  // Walked paths are below the root, and path.relative (which resolves both paths) is costly per entry.
  const below = absPath.startsWith(rules.root + path.sep) ? absPath.slice(rules.root.length + 1) : path.relative(rules.root, absPath);
  const relative = path.sep === '/' ? below : below.split(path.sep).join('/');
  if (!relative || relative.startsWith('..')) return false;
  return rules.matcher.ignores(isDir ? `${relative}/` : relative);
}

function findGitRoot(dir: string): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, '.git'))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

/** The rules that apply inside `dir` from the folders above it, from the git root down (none outside a repository). */
function ancestorGitignores(dir: string): GitignoreRules {
  const root = findGitRoot(dir) ?? dir;
  let rules: GitignoreRules = { root, patterns: [] };
  const parts = root === dir ? [] : path.relative(root, dir).split(path.sep);
  for (let i = 0; i < parts.length; i++) rules = withGitignoreOf(path.join(root, ...parts.slice(0, i)), rules);
  return rules;
}

/** Called once, as soon as the walk has found `count` files (the scan starts its threads then, see scan()). */
export interface WalkMilestone {
  count: number;
  reached: () => void;
}

export async function walk(paths: string[], cwd: string, config: Config, extraIgnores: string[] = [], milestone?: WalkMilestone): Promise<WalkResult> {
  const bases = [cwd, ...(config.file ? [path.dirname(config.file)] : [])];
  const isIgnored = ignoreMatcher([...config.ignore, ...extraIgnores], bases);
  const files = new Set<string>();
  const errors: FileError[] = [];
  let skipped = 0;
  const cwdReal = fs.realpathSync(cwd);

  for (const given of paths.length ? paths : ['.']) {
    const abs = path.resolve(cwd, given);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(abs);
    } catch {
      errors.push({ file: toReportPath(abs, cwd), message: 'no such file or directory' });
      continue;
    }
    if (stat.isSymbolicLink()) {
      let target: string;
      try {
        target = fs.realpathSync(abs);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        errors.push({ file: toReportPath(abs, cwd), message: code === 'ELOOP' ? 'symbolic link loop; not followed' : 'broken symbolic link' });
        continue;
      }
      if (!isInside(target, cwdReal)) {
        errors.push({ file: toReportPath(abs, cwd), message: `symbolic link points outside the scanned root (${target}); not followed` });
        continue;
      }
      stat = fs.statSync(abs);
    }
    if (stat.isFile()) {
      if (!isIgnored(abs)) files.add(abs);
      continue;
    }
    if (!stat.isDirectory()) continue;
    const visit = (dir: string, inherited: GitignoreRules) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        errors.push({ file: toReportPath(dir, cwd), message: `cannot be read: ${code === 'EACCES' ? 'permission denied' : (error as Error).message}` });
        return;
      }
      const rules = entries.some((e) => e.name === '.gitignore' && e.isFile()) ? withGitignoreOf(dir, inherited) : inherited;
      // `dir` is absolute and normalized, and an entry's name has no separator: joining needs no path.join (which
      // normalizes again, a measurable cost over tens of thousands of entries).
      const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
      for (const entry of entries) {
        const entryPath = prefix + entry.name;
        if (entry.isDirectory()) {
          if (entry.name === '.git' || (config.skipDependencyDirs && DEPENDENCY_DIRS.includes(entry.name))) continue;
          if (isGitignored(entryPath, true, rules)) continue;
          visit(entryPath, rules);
        } else if (entry.isSymbolicLink()) {
          if (!isGitignored(entryPath, false, rules)) skipped++;
        } else if (entry.isFile() && isCandidateName(entry.name)) {
          if (isGitignored(entryPath, false, rules)) continue;
          if (isIgnored(entryPath)) continue;
          files.add(entryPath);
          if (files.size === milestone?.count) milestone.reached();
        }
      }
    };
    visit(abs, ancestorGitignores(abs));
  }
  return { files: [...files].sort(), errors, skipped };
}
