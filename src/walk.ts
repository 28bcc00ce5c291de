/**
 * Which files a scan reads. In a git work tree, a folder's files are what git shows there (tracked files, and
 * untracked ones that are not ignored: `git ls-files --cached --others --exclude-standard`), so a file the
 * repository tracks is read even when a `.gitignore` pattern matches it, and a folder scanned on its own gives
 * the same files as the repository's root scan has below it. Nested repositories and submodules are read as their
 * own repository lists them (a checked-out submodule is code the repository builds with; an ignored checkout is
 * not read). Outside a repository, or when git cannot answer (not installed, a repository it refuses to read),
 * folders are walked honouring `.gitignore` files as git does (each file's patterns relative to its own folder,
 * deeper files overriding shallower ones, the files of the folders above the scanned one up to the git root
 * included), pruning ignored folders without reading them. Either way, symbolic links are never followed while
 * walking (git lists a link as a link), so a link out of the tree or a link loop cannot lead the scan astray, and
 * dependency folders are skipped. Files named on the command line (as pre-commit passes them) are read unless the
 * config ignores them.
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
import { workTreeFiles } from './git.js';
import { gitignorePatterns } from './ignore-globs.js';
import { detectLanguage, knownNames } from './languages/index.js';
import { bundled, lazyRequire } from './load-cjs.js';
import type { FileError } from './types.js';
import { pushAll } from './push-all.js';

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

/**
 * Where a named path really leads, when a symbolic link on its way (a folder's as well as its own) takes it out of
 * the scanned root; undefined when it stays inside, or names a place outside the root without any link.
 */
function linkedOutside(abs: string, cwd: string, cwdReal: string): string | undefined {
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    return undefined;
  }
  if (isInside(real, cwdReal)) return undefined;
  // A path outside the root given plainly (`../other`, `/srv/x`) is the user's choice: only a link may not lead there.
  let common = cwd;
  while (!isInside(abs, common)) common = path.dirname(common);
  const plain = path.join(fs.realpathSync(common), path.relative(common, abs));
  return real === plain ? undefined : real;
}

const NOT_UTF8_NAME = 'its name is not valid UTF-8, which slicefix cannot open; rename it';

/**
 * Node reads file names as UTF-8 and puts U+FFFD for bytes that are not; such a name no longer opens the file. (A
 * name may hold a real U+FFFD: then it exists.)
 */
function hasUndecodableName(absPath: string): boolean {
  return absPath.includes('\uFFFD') && !fs.existsSync(absPath);
}

function fileKind(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'of an unknown kind';
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

function realPathOrUndefined(file: string): string | undefined {
  try {
    return fs.realpathSync.native(file);
  } catch {
    return undefined;
  }
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

/**
 * What a walk found on disk below one folder, before deciding which files to take: each file of a readable name
 * and each symbolic link with the `.gitignore` rules of its folder, and the nested repositories (folders holding a
 * `.git`, not entered).
 */
interface OnDisk {
  files: Map<string, GitignoreRules>;
  links: Map<string, GitignoreRules>;
  repositories: string[];
}

/** The config's and the command line's ignore globs, relative to the current directory and to the config file. */
function configIgnores(cwd: string, config: Config, extraIgnores: string[]): (absPath: string) => boolean {
  return ignoreMatcher([...config.ignore, ...extraIgnores], [cwd, ...(config.file ? [path.dirname(config.file)] : [])]);
}

/** Files chosen without looking at the disk (the index's, for `--staged`): only the ignore globs apply. */
export function chosenFiles(absPaths: string[], cwd: string, config: Config, extraIgnores: string[] = []): WalkResult {
  const isIgnored = configIgnores(cwd, config, extraIgnores);
  return { files: [...new Set(absPaths.filter((file) => !isIgnored(file)))].sort(), errors: [], skipped: 0 };
}

export async function walk(paths: string[], cwd: string, config: Config, extraIgnores: string[] = [], milestone?: WalkMilestone): Promise<WalkResult> {
  const isIgnored = configIgnores(cwd, config, extraIgnores);
  const files = new Set<string>();
  const errors: FileError[] = [];
  let skipped = 0;
  let found = 0;
  const cwdReal = fs.realpathSync(cwd);
  /** Nested repositories and submodules met so far: each is listed by its own git in turn. */
  const repositories: string[] = [];
  const skipsFolder = (name: string) => name === '.git' || (config.skipDependencyDirs && DEPENDENCY_DIRS.includes(name));
  const take = (file: string) => {
    if (isIgnored(file)) return;
    if (hasUndecodableName(file)) errors.push({ file: toReportPath(file, cwd), message: `cannot be read: ${NOT_UTF8_NAME}` });
    else files.add(file);
  };

  /** Records what is below `dir`, pruning the folders `.gitignore` excludes (build output and the like cost no reads). */
  const visit = (dir: string, inherited: GitignoreRules, onDisk: OnDisk, top: boolean) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'EACCES' ? 'permission denied' : hasUndecodableName(dir) ? NOT_UTF8_NAME : (error as Error).message;
      errors.push({ file: toReportPath(dir, cwd), message: `cannot be read: ${reason}` });
      return;
    }
    if (!top && entries.some((e) => e.name === '.git')) {
      onDisk.repositories.push(dir);
      return;
    }
    const rules = entries.some((e) => e.name === '.gitignore' && e.isFile()) ? withGitignoreOf(dir, inherited) : inherited;
    // `dir` is absolute and normalized, and an entry's name has no separator: joining needs no path.join (which
    // normalizes again, a measurable cost over tens of thousands of entries).
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    for (const entry of entries) {
      const entryPath = prefix + entry.name;
      if (entry.isDirectory()) {
        if (skipsFolder(entry.name)) continue;
        if (isGitignored(entryPath, true, rules)) continue;
        visit(entryPath, rules, onDisk, false);
      } else if (entry.isSymbolicLink()) {
        onDisk.links.set(entryPath, rules);
      } else if (entry.isFile() && isCandidateName(entry.name)) {
        onDisk.files.set(entryPath, rules);
        // The scan starts its threads as soon as the walk has found enough files, even before it decides on them.
        if (++found === milestone?.count) milestone.reached();
      }
    }
  };

  /** Outside git (or where git cannot answer): `.gitignore` decides, and nested repositories are listed in turn. */
  const takeByGitignore = (onDisk: OnDisk) => {
    for (const [file, rules] of onDisk.files) if (!isGitignored(file, false, rules)) take(file);
    for (const [link, rules] of onDisk.links) if (!isGitignored(link, false, rules)) skipped++;
    pushAll(repositories, onDisk.repositories);
  };

  /**
   * A listed path the walk did not see: tracked but matched by `.gitignore` (the walk pruned its folder), in a
   * dependency folder, deleted from disk, or a submodule. Taken when it is what the walk would have taken, on disk
   * below `root` through real folders only (a folder replaced by a link is not followed).
   */
  const realFolders = new Map<string, string | undefined>();
  const takeUnseen = (file: string, root: string, rootReal: string) => {
    const folders = file.slice(root.length + 1).split(path.sep);
    const name = folders.pop()!;
    if (folders.some(skipsFolder)) return;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch {
      return;
    }
    const folder = path.dirname(file);
    if (!realFolders.has(folder)) realFolders.set(folder, realPathOrUndefined(folder));
    if (realFolders.get(folder) !== path.join(rootReal, ...folders)) return;
    if (stat.isSymbolicLink()) skipped++;
    else if (stat.isFile() && isCandidateName(name)) take(file);
    else if (stat.isDirectory() && !skipsFolder(name) && fs.existsSync(path.join(file, '.git'))) repositories.push(file);
  };

  /** In a work tree: git's list decides (`git ls-files`, run while the walk records what is on disk). */
  const takeByGit = (listed: string[], onDisk: OnDisk, root: string) => {
    const rootReal = fs.realpathSync.native(root);
    const prefix = root.endsWith(path.sep) ? root : root + path.sep;
    for (const entry of listed) {
      // An untracked nested repository is listed as its folder, with a trailing slash.
      const relative = entry.endsWith('/') ? entry.slice(0, -1) : entry;
      const abs = prefix + (path.sep === '/' ? relative : relative.split('/').join(path.sep));
      if (onDisk.files.has(abs)) take(abs);
      else if (onDisk.links.has(abs)) skipped++;
      else takeUnseen(abs, root, rootReal);
    }
  };

  const walkFolder = async (root: string, inWorkTree: boolean) => {
    const listing = inWorkTree ? workTreeFiles(root).catch(() => undefined) : undefined;
    const onDisk: OnDisk = { files: new Map(), links: new Map(), repositories: [] };
    visit(root, ancestorGitignores(root), onDisk, true);
    const listed = await listing;
    if (listed) takeByGit(listed, onDisk, root);
    else takeByGitignore(onDisk);
  };

  for (const given of paths.length ? paths : ['.']) {
    const abs = path.resolve(cwd, given);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(abs);
    } catch {
      // Node decodes arguments as UTF-8, so a name in another encoding cannot be opened (it is not "missing").
      const message = given.includes('\uFFFD') ? `no such file or directory (${NOT_UTF8_NAME})` : 'no such file or directory';
      errors.push({ file: toReportPath(abs, cwd), message });
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
    const escape = linkedOutside(abs, cwd, cwdReal);
    if (escape) {
      errors.push({ file: toReportPath(abs, cwd), message: `leads through a symbolic link outside the scanned root (${escape}); not followed` });
      continue;
    }
    if (stat.isFile()) {
      if (!isIgnored(abs)) files.add(abs);
      continue;
    }
    if (!stat.isDirectory()) {
      // Never opened: reading a FIFO would wait for a writer forever, and a device is no source file.
      errors.push({ file: toReportPath(abs, cwd), message: `not a regular file (${fileKind(stat)}); not read` });
      continue;
    }
    await walkFolder(abs, findGitRoot(abs) !== undefined);
    for (let dir = repositories.shift(); dir !== undefined; dir = repositories.shift()) await walkFolder(dir, true);
  }
  return { files: [...files].sort(), errors, skipped };
}
