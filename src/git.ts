/**
 * Git for `--changed-since REF` (report only findings on lines changed since REF: pull requests in repositories
 * with old debt) and `--staged` (scan what is about to be committed: the index, not the working tree).
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FileError, Finding } from './types.js';

/** git is missing, the directory is no repository, or a ref does not exist: a usage problem (exit 2). */
export class GitError extends Error {}

/**
 * Settings that keep git from running commands a repository's own `.git/config` names: slicefix is run on
 * repositories it does not trust (a pull request's checkout), and reading a diff must never execute anything.
 * `core.fsmonitor` would run a hook on every index refresh; hooks are off too (no command here runs one today,
 * this keeps it so). Text conversion and external diff drivers are switched off per command (`--no-textconv`,
 * `--no-ext-diff`). Standard input is closed: a command that still reads it ends instead of hanging.
 */
const UNTRUSTED_REPOSITORY_CONFIG = ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null'];

function git(args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', [...UNTRUSTED_REPOSITORY_CONFIG, ...args], { cwd, env, encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') reject(new GitError('git is not installed or not on PATH'));
        else reject(new GitError(stderr.toString().trim().split('\n')[0] || error.message));
      } else resolve(stdout);
    });
    // Nothing is ever written to git: a command that waits for input must see its end, not hang.
    child.stdin?.end();
  });
}

export async function repositoryRoot(cwd: string): Promise<string> {
  const out = await git(['rev-parse', '--show-toplevel'], cwd).catch((error: Error) => {
    throw new GitError(`${cwd} is not inside a git repository (${error.message})`);
  });
  return fs.realpathSync(out.toString().trim());
}

/** Variables that point git at another repository or index than the one that holds the folder. */
const REPOSITORY_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE'];

/**
 * What git shows in the work tree below `dir`: tracked files and untracked ones that are not ignored
 * (`.gitignore`, `.git/info/exclude`, `core.excludesFile`), relative to `dir` with `/`. A tracked file deleted
 * from disk is still listed; a submodule is one entry (its folder); an untracked nested repository is one entry
 * ending in `/`. The repository that holds `dir` answers, whatever GIT_DIR or GIT_INDEX_FILE a hook inherited, and
 * its fsmonitor hook is off: a crafted `.git/config` must not run a command.
 */
export async function workTreeFiles(dir: string): Promise<string[]> {
  const env = { ...process.env };
  for (const name of REPOSITORY_VARIABLES) delete env[name];
  const out = await git(['-c', 'core.fsmonitor=false', 'ls-files', '--cached', '--others', '--exclude-standard', '-z'], dir, env);
  return out.toString('utf8').split('\0').filter(Boolean);
}

/** Line numbers (1-based) that are new or changed, by absolute path; `'all'` for files new to git. */
export type ChangedLines = Map<string, Set<number> | 'all'>;

/** Parses `git diff --unified=0` output into the changed lines of the new side. */
export function parseUnifiedDiff(diff: string, root: string): ChangedLines {
  const changed: ChangedLines = new Map();
  let current: Set<number> | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      const target = line.slice(4);
      if (target === '/dev/null') {
        current = undefined;
        continue;
      }
      const file = unquote(target).replace(/^b\//, '');
      current = new Set();
      changed.set(path.join(root, file), current);
    } else if (line.startsWith('@@') && current) {
      const match = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!match) continue;
      const first = Number(match[1]);
      const count = match[2] === undefined ? 1 : Number(match[2]);
      for (let n = first; n < first + count; n++) current.add(n);
    }
  }
  return changed;
}

/** git writes unusual paths C-quoted (`"a\tb"`, octal escapes for bytes). */
function unquote(text: string): string {
  if (!text.startsWith('"')) return text;
  const bytes: number[] = [];
  const escapes: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 1; i < text.length - 1; i++) {
    const ch = text[i];
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = text[++i];
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(text.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(escapes[next] ?? next.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * What changed since `ref`: the diff from the merge base of `ref` and HEAD (so commits on the base branch after
 * the fork do not count) to the working tree, or to the index with `staged`. Untracked files count as new.
 */
export async function changedLinesSince(cwd: string, ref: string, staged: boolean): Promise<ChangedLines> {
  const root = await repositoryRoot(cwd);
  const commit = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], root).catch(() => {
    throw new GitError(
      `--changed-since: unknown git ref "${ref}" (in a shallow clone fetch it first, e.g. actions/checkout with fetch-depth: 0)`,
    );
  });
  const target = commit.toString().trim();
  const base = await git(['merge-base', target, 'HEAD'], root).then(
    (out) => out.toString().trim(),
    () => target,
  );
  const diff = await git(
    ['-c', 'core.quotePath=false', 'diff', '--no-color', '--no-ext-diff', '--no-textconv', '--find-renames', '--unified=0', ...(staged ? ['--cached'] : []), base, '--'],
    root,
  );
  const changed = parseUnifiedDiff(diff.toString('utf8'), root);
  if (!staged) {
    const untracked = await git(['ls-files', '--others', '--exclude-standard', '-z'], root);
    for (const file of untracked.toString('utf8').split('\0').filter(Boolean)) changed.set(path.join(root, file), 'all');
  }
  return changed;
}

/** Keeps findings that touch a changed line, and file errors of changed files. */
export function changedFilter(changed: ChangedLines, cwd: string) {
  const realCwd = fs.realpathSync(cwd);
  const lookup = (file: string) => changed.get(path.resolve(realCwd, file));
  return {
    keepFinding(finding: Finding): boolean {
      const lines = lookup(finding.file);
      if (lines === undefined) return false;
      if (lines === 'all') return true;
      for (let n = finding.line; n <= finding.endLine; n++) if (lines.has(n)) return true;
      return false;
    },
    keepError(error: FileError): boolean {
      return lookup(error.file) !== undefined || error.message === 'no such file or directory';
    },
  };
}

/** Files added, copied, modified or renamed in the index (absolute paths; symbolic links and submodules excluded). */
export async function stagedFiles(cwd: string): Promise<Map<string, string>> {
  const root = await repositoryRoot(cwd);
  const names = await git(['diff', '--no-ext-diff', '--no-textconv', '--cached', '--name-only', '--diff-filter=ACMR', '--no-renames', '-z'], root);
  const wanted = new Set(names.toString('utf8').split('\0').filter(Boolean));
  const entries = await git(['ls-files', '--stage', '-z'], root);
  const blobs = new Map<string, string>();
  for (const entry of entries.toString('utf8').split('\0')) {
    const match = /^(\d+) ([0-9a-f]+) (\d)\t(.*)$/s.exec(entry);
    if (!match || match[3] !== '0' || !wanted.has(match[4])) continue;
    if (match[1] !== '100644' && match[1] !== '100755') continue;
    blobs.set(path.join(root, match[4]), match[2]);
  }
  return blobs;
}

/** Reads blobs by id in one `git cat-file --batch`. */
export function readBlobs(cwd: string, ids: string[]): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...UNTRUSTED_REPOSITORY_CONFIG, 'cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(new GitError(`git cat-file failed: ${error.message}`)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new GitError(`git cat-file failed: ${stderr.trim()}`));
      const out = Buffer.concat(chunks);
      const blobs = new Map<string, Buffer>();
      let pos = 0;
      while (pos < out.length) {
        const nl = out.indexOf(10, pos);
        const [id, type, size] = out.subarray(pos, nl).toString().split(' ');
        if (type === 'missing' || size === undefined) return reject(new GitError(`git object ${id} is missing`));
        const start = nl + 1;
        blobs.set(id, out.subarray(start, start + Number(size)));
        pos = start + Number(size) + 1;
      }
      resolve(blobs);
    });
    child.stdin.end(ids.map((id) => `${id}\n`).join(''));
  });
}

export interface GitScope {
  /** Paths to scan (for `--staged`: the staged files under the given paths; may be empty). */
  paths: string[];
  /** `--staged`: the staged files under the given paths (absolute), read from the index even if deleted from disk. */
  files?: string[];
  readBytes?: (absPath: string) => Promise<Buffer>;
  keepFinding?: (finding: Finding) => boolean;
  keepError?: (error: FileError) => boolean;
}

function isUnder(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Turns `--changed-since` and `--staged` into what the scan needs: which files, read from where, which findings kept. */
export async function gitScope(options: { cwd: string; paths: string[]; changedSince?: string; staged?: boolean }): Promise<GitScope> {
  const { cwd } = options;
  const scope: GitScope = { paths: options.paths };
  if (options.staged) {
    const realCwd = fs.realpathSync(cwd);
    const given = options.paths.map((p) => path.resolve(realCwd, p));
    const staged = await stagedFiles(cwd);
    const files = [...staged.keys()].filter((file) => given.some((dir) => isUnder(file, dir)));
    const blobs = await readBlobs(cwd, [...new Set(files.map((f) => staged.get(f)!))]);
    scope.paths = files.map((file) => path.relative(realCwd, file) || '.');
    scope.files = files.map((file) => path.resolve(cwd, path.relative(realCwd, file)));
    scope.readBytes = async (absPath) => {
      const id = staged.get(path.resolve(realCwd, path.relative(cwd, absPath)));
      const bytes = id === undefined ? undefined : blobs.get(id);
      if (!bytes) throw Object.assign(new Error('not staged'), { code: 'ENOENT' });
      return bytes;
    };
  }
  if (options.changedSince !== undefined) {
    const filter = changedFilter(await changedLinesSince(cwd, options.changedSince, options.staged === true), cwd);
    scope.keepFinding = filter.keepFinding;
    scope.keepError = filter.keepError;
  }
  return scope;
}
