/** `--changed-since REF` and `--staged`, run through the CLI in real temporary git repositories. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { runCli } from '../src/cli.js';
import { parseUnifiedDiff } from '../src/git.js';
import { makeTempDir, writeTree } from './helpers.js';

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: makeTempDir('slicefix-home-'),
};

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: gitEnv, encoding: 'utf8' });
}

function newRepo(files: Record<string, string>): string {
  const dir = writeTree(files);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'start');
  return dir;
}

async function cli(dir: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    { cwd: dir, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stdoutIsTTY: false, stderrIsTTY: false, env: {} },
    rules,
  );
  const report = stdout.startsWith('{') ? (JSON.parse(stdout) as { findings: { file: string; line: number }[]; summary: { filesScanned: number } }) : undefined;
  return { code, stdout, stderr, report, where: report?.findings.map((f) => `${f.file}:${f.line}`) ?? [] };
}

describe('--changed-since', () => {
  it('reports only findings on lines changed since the merge base, including uncommitted and untracked files', async () => {
    const dir = newRepo({
      'old.sh': 'kubectl get ep old\necho one\necho two\n',
      'forked.sh': 'kubectl get ep forked\n',
    });
    git(dir, 'checkout', '-q', '-b', 'feature');
    // On main after the fork: forked.sh loses its finding. Against main itself that line would look added.
    git(dir, 'checkout', '-q', 'main');
    fs.writeFileSync(path.join(dir, 'forked.sh'), 'echo fixed on main\n');
    git(dir, 'commit', '-q', '-am', 'main moves on');
    git(dir, 'checkout', '-q', 'feature');
    fs.writeFileSync(path.join(dir, 'old.sh'), 'kubectl get ep old\necho one\nkubectl get ep committed\necho two\n');
    git(dir, 'commit', '-q', '-am', 'feature work');
    fs.appendFileSync(path.join(dir, 'old.sh'), 'kubectl get ep uncommitted\n');
    writeTree({ 'new dir/spaced näme.sh': 'kubectl describe ep new\n' }, dir);

    const all = await cli(dir, '--format', 'json');
    expect(all.where).toEqual(['forked.sh:1', 'new dir/spaced näme.sh:1', 'old.sh:1', 'old.sh:3', 'old.sh:5']);

    const changed = await cli(dir, '--format', 'json', '--changed-since', 'main');
    expect(changed.stderr).toBe('');
    expect(changed.where).toEqual(['new dir/spaced näme.sh:1', 'old.sh:3', 'old.sh:5']);
    expect(changed.code).toBe(1);

    const nothing = await cli(path.join(dir), '--format', 'json', '--changed-since', 'HEAD', 'forked.sh');
    expect(nothing.where).toEqual([]);
    expect(nothing.code).toBe(0);
  });

  it('works from a subdirectory and keeps only changed lines of a multi-line finding range', async () => {
    const dir = newRepo({ 'ops/run.sh': 'kubectl get endpoints \\\n  web\n' });
    fs.writeFileSync(path.join(dir, 'ops/run.sh'), 'kubectl get endpoints \\\n  api\n');
    const result = await cli(path.join(dir, 'ops'), '--format', 'json', '--changed-since', 'HEAD');
    expect(result.where).toEqual(['run.sh:1']);
  });

  it('fails with exit 2 and a hint for an unknown ref, outside a repository, and with --fix', async () => {
    const dir = newRepo({ 'a.sh': 'echo\n' });
    const unknown = await cli(dir, '--changed-since', 'origin/nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown git ref "origin/nope"');
    expect(unknown.stderr).toContain('fetch-depth: 0');
    const outside = await cli(makeTempDir(), '--changed-since', 'HEAD');
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('not inside a git repository');
    const fix = await cli(dir, '--fix', '--changed-since', 'HEAD');
    expect(fix.code).toBe(2);
    expect(fix.stderr).toContain('--fix rewrites whole files');
  });
});

describe('--staged', () => {
  it('scans the staged version of staged files only', async () => {
    const dir = newRepo({ 'a.sh': 'echo\n', 'b.sh': 'echo\n' });
    fs.writeFileSync(path.join(dir, 'a.sh'), 'kubectl get ep staged\n');
    git(dir, 'add', 'a.sh');
    // The working tree moves on after staging: --staged must not see this.
    fs.writeFileSync(path.join(dir, 'a.sh'), 'echo clean in the working tree\n');
    fs.writeFileSync(path.join(dir, 'b.sh'), 'kubectl get ep unstaged\n');

    const staged = await cli(dir, '--format', 'json', '--staged');
    expect(staged.where).toEqual(['a.sh:1']);
    expect(staged.report?.summary.filesScanned).toBe(1);
    expect(staged.code).toBe(1);

    const worktree = await cli(dir, '--format', 'json');
    expect(worktree.where).toEqual(['b.sh:1']);

    const elsewhere = await cli(dir, '--format', 'json', '--staged', 'b.sh');
    expect(elsewhere.where).toEqual([]);
    expect(elsewhere.report?.summary.filesScanned).toBe(0);
    expect(elsewhere.code).toBe(0);
  });

  it('scans the staged content of a file deleted from the working tree (but not from the index)', async () => {
    const dir = newRepo({ 'keep.sh': 'echo\n' });
    writeTree({ 'ops/gone.sh': 'kubectl get ep staged\n', 'ops/here.sh': 'kubectl get ep here\n', 'old/only.sh': 'kubectl get ep only\n' }, dir);
    git(dir, 'add', '-A');
    fs.rmSync(path.join(dir, 'ops/gone.sh'));
    fs.writeFileSync(path.join(dir, 'ops/here.sh'), 'echo unstaged\n');
    fs.rmSync(path.join(dir, 'old'), { recursive: true });

    const staged = await cli(dir, '--format', 'json', '--staged');
    expect(staged.stderr).toBe('');
    expect(staged.report?.errors).toEqual([]);
    expect(staged.where).toEqual(['old/only.sh:1', 'ops/gone.sh:1', 'ops/here.sh:1']);
    expect(staged.report?.summary.filesScanned).toBe(3);
    // A folder named on the command line that is gone from the working tree still has its staged files.
    const named = await cli(dir, '--format', 'json', '--staged', 'old', 'ops/gone.sh');
    expect(named.where).toEqual(['old/only.sh:1', 'ops/gone.sh:1']);
    const changed = await cli(dir, '--format', 'json', '--staged', '--changed-since', 'HEAD');
    expect(changed.where).toEqual(['old/only.sh:1', 'ops/gone.sh:1', 'ops/here.sh:1']);
    const ignored = await cli(dir, '--format', 'json', '--staged', '--ignore', 'old/**');
    expect(ignored.where).toEqual(['ops/gone.sh:1', 'ops/here.sh:1']);
  });

  it('combines with --changed-since: changed lines of the index', async () => {
    const dir = newRepo({ 'a.sh': 'kubectl get ep old\n' });
    fs.writeFileSync(path.join(dir, 'a.sh'), 'kubectl get ep old\nkubectl get ep new\n');
    git(dir, 'add', 'a.sh');
    const result = await cli(dir, '--format', 'json', '--staged', '--changed-since', 'HEAD');
    expect(result.where).toEqual(['a.sh:2']);
  });

  it('refuses --fix', async () => {
    const dir = newRepo({ 'a.sh': 'echo\n' });
    const result = await cli(dir, '--fix', '--staged');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--fix cannot be combined with --staged');
  });
});

describe('parseUnifiedDiff', () => {
  it('reads added line ranges and C-quoted paths', () => {
    const diff = [
      'diff --git "a/t\\tab.sh" "b/t\\tab.sh"',
      '--- "a/t\\tab.sh"',
      '+++ "b/t\\tab.sh"',
      '@@ -1 +1,2 @@',
      '@@ -9,0 +10 @@',
      '@@ -20,3 +21,0 @@',
      'diff --git a/gone.sh b/gone.sh',
      '--- a/gone.sh',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
    ].join('\n');
    const changed = parseUnifiedDiff(diff, '/repo');
    expect([...changed.keys()]).toEqual(['/repo/t\tab.sh']);
    expect([...(changed.get('/repo/t\tab.sh') as Set<number>)]).toEqual([1, 2, 10]);
  });
});
