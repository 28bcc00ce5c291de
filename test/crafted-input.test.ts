/**
 * Input crafted to hang or crash a scan (issue 14 §2): each case ends well inside the test timeout, with a clear
 * error naming the file and the reason, and runs nothing the input names. How fast is `npm run bench`'s business.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { lint, makeTempDir, repoRoot, writeTree } from './helpers.js';

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

/**
 * Runs the CLI as a user's shell does: standard input stays open (a terminal, a pre-commit hook), so a child that
 * reads it would wait forever. Killed after `limitMs`; `timedOut` says so.
 */
function runCliProcess(cwd: string, args: string[], limitMs: number): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/slicefix.js'), ...args], { cwd, env: gitEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

describe('findings and errors by the hundred thousand', () => {
  it('a file with 130,000 findings is reported whole, not "Maximum call stack size exceeded"', async () => {
    const { result } = await lint({ 'many.sh': 'kubectl get endpoints\n'.repeat(130_000) }, rules);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(130_000);
    expect(result.findings[129_999]).toMatchObject({ file: 'many.sh', line: 130_000, ruleId: 'endpoints-kubectl' });
  });
});

describe('--changed-since in a repository with a crafted .git/config', () => {
  it('runs neither core.fsmonitor nor a textconv driver, and ends although standard input stays open', async () => {
    const dir = writeTree({ 'ep.yaml': 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: a}\nsubsets: []\n' });
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'start');
    const markers = makeTempDir('slicefix-markers-');
    const fsmonitor = path.join(markers, 'fsmonitor.sh');
    fs.writeFileSync(fsmonitor, `#!/bin/sh\ntouch '${markers}/fsmonitor-ran'\n`, { mode: 0o755 });
    git(dir, 'config', 'core.fsmonitor', fsmonitor);
    // A textconv that reads standard input: it hangs for as long as git's standard input stays open.
    git(dir, 'config', 'diff.evil.textconv', `touch '${markers}/textconv-ran'; read line; cat`);
    fs.writeFileSync(path.join(dir, '.gitattributes'), '*.yaml diff=evil\n');
    fs.writeFileSync(path.join(dir, 'ep.yaml'), 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: changed}\nsubsets: []\n');

    const run = await runCliProcess(dir, ['--format', 'json', '--changed-since', 'HEAD'], 20_000);
    expect(run.timedOut).toBe(false);
    expect(fs.readdirSync(markers)).toEqual(['fsmonitor.sh']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { findings: { file: string }[] }).findings.map((f) => f.file)).toEqual(['ep.yaml']);
  }, 30_000);
});
