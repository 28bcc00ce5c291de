/**
 * Which files a scan reads. Directories are walked with globby (which honours `.gitignore`); symbolic links are
 * never followed while walking, so a link out of the tree or a link loop cannot lead the scan astray. Files named
 * on the command line (as pre-commit passes them) are read unless the config ignores them.
 */
import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { Config } from './config.js';
import { DEPENDENCY_DIRS } from './config.js';
import { detectLanguage, knownNames } from './languages/index.js';
import type { FileError } from './types.js';

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

/** A matcher for the config's and the command line's ignore globs. */
export function ignoreMatcher(globs: string[], bases: string[]): (absPath: string) => boolean {
  if (globs.length === 0) return () => false;
  const matchers = globs.map((glob) => picomatch(glob.replace(/^\.\//, ''), { dot: true, basename: !glob.includes('/') }));
  return (absPath) =>
    bases.some((base) => {
      const relative = path.relative(base, absPath).split(path.sep).join('/');
      if (relative.startsWith('..')) return false;
      return matchers.some((m) => m(relative) || m(`${relative}/`));
    });
}

/** Could this file be one slicefix reads? (By name only; extensionless files are decided by their first line.) */
function isCandidateName(name: string): boolean {
  const base = path.basename(name);
  if (detectLanguage(base) !== undefined || knownNames.includes(base)) return true;
  return !base.includes('.');
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export async function walk(paths: string[], cwd: string, config: Config, extraIgnores: string[] = []): Promise<WalkResult> {
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
    // globby is imported only to walk a directory: pre-commit passes file names, and its load time is not small.
    const { globby } = await import('globby');
    const ignore = ['**/.git/**', ...(config.skipDependencyDirs ? DEPENDENCY_DIRS.map((d) => `**/${d}/**`) : [])];
    const entries = await globby('**/*', {
      cwd: abs,
      dot: true,
      gitignore: true,
      followSymbolicLinks: false,
      onlyFiles: false,
      objectMode: true,
      ignore,
    });
    for (const entry of entries) {
      if (entry.dirent.isDirectory()) continue;
      if (entry.dirent.isSymbolicLink()) {
        skipped++;
        continue;
      }
      if (!entry.dirent.isFile() || !isCandidateName(entry.name)) continue;
      const file = path.join(abs, entry.path);
      if (!isIgnored(file)) files.add(file);
    }
  }
  return { files: [...files].sort(), errors, skipped };
}
