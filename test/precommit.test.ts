/**
 * The pre-commit hooks, run by the real `pre-commit` on a fresh repository, as a user would set them up.
 * pre-commit installs a hook repository from git, so the project's working tree (tracked and new files) is first
 * committed to a temporary repository: the test checks what is on disk, not only what was committed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { makeTempDir, repoRoot, writeTree } from './helpers.js';

const available = spawnSync('pre-commit', ['--version']).status === 0;
const inCi = process.env.CI === 'true';
const reason = available ? '' : ' (skipped: pre-commit is not installed; `apt-get install -y pre-commit`, CI installs it)';

const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  PRE_COMMIT_HOME: makeTempDir('slicefix-pre-commit-home-'),
  // The hook's `npm install` takes packages from the npm cache when it has them.
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  CI: '',
};

function run(cwd: string, command: string, ...args: string[]) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 540_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, seconds: (Date.now() - started) / 1000 };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' });
}

/** The project as it is on disk (git-ignored files such as node_modules/ and dist/ left out), as one commit. */
function snapshotProject(): { dir: string; rev: string } {
  const dir = makeTempDir('slicefix-hook-repo-');
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && fs.existsSync(path.join(repoRoot, file)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, file), path.join(dir, file));
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'snapshot');
  return { dir, rev: git(dir, 'rev-parse', 'HEAD').trim() };
}

const manifest = `apiVersion: v1
kind: Endpoints
metadata:
  name: legacy-db
subsets:
  - addresses:
      - ip: 10.0.0.12
    ports:
      - port: 5432
`;
const script = '#!/bin/sh\nkubectl get endpoints legacy-db -n data\n';

describe('pre-commit hooks', () => {
  it('the hook file declares both hooks with node, a types filter and file names passed', () => {
    const text = fs.readFileSync(path.join(repoRoot, '.pre-commit-hooks.yaml'), 'utf8');
    expect(text).toMatch(/- id: slicefix\n[\s\S]*entry: slicefix\n\s+language: node\n\s+types_or: \[yaml, json, shell, makefile, dockerfile, markdown/);
    expect(text).toMatch(/- id: slicefix-fix\n[\s\S]*entry: slicefix --fix\n/);
    expect(text).not.toMatch(/pass_filenames: false/);
  });

  it.skipIf(!available && !inCi)(`block a bad commit, then fix it with slicefix-fix${reason}`, () => {
    const hooks = snapshotProject();
    const project = writeTree({
      '.pre-commit-config.yaml': `repos:\n  - repo: ${hooks.dir}\n    rev: ${hooks.rev}\n    hooks:\n      - id: slicefix\n`,
      'README.md': '# demo\n',
    });
    git(project, 'init', '-q', '-b', 'main');
    const install = run(project, 'pre-commit', 'install');
    expect(install.status, install.output).toBe(0);

    writeTree({ 'k8s/endpoints.yaml': manifest, 'scripts/check-db.sh': script }, project);
    git(project, 'add', '-A');
    const commit = run(project, 'git', 'commit', '-m', 'add the legacy database endpoints');
    console.info(`pre-commit: first commit (hook installed from scratch) took ${commit.seconds.toFixed(1)} s`);
    expect(commit.status, commit.output).not.toBe(0);
    expect(commit.output).toContain('slicefix (v1 Endpoints → EndpointSlice)');
    expect(commit.output).toContain('Failed');
    expect(commit.output).toContain('scripts/check-db.sh');
    expect(commit.output).toContain('kubectl get endpointslices -l kubernetes.io/service-name=legacy-db -n data');
    if (rules.some((rule) => rule.meta.id === 'endpoints-manifest')) expect(commit.output).toContain('k8s/endpoints.yaml');
    expect(spawnSync('git', ['rev-parse', '--verify', 'HEAD'], { cwd: project }).status, 'the commit was blocked').not.toBe(0);

    fs.writeFileSync(
      path.join(project, '.pre-commit-config.yaml'),
      `repos:\n  - repo: ${hooks.dir}\n    rev: ${hooks.rev}\n    hooks:\n      - id: slicefix-fix\n`,
    );
    const fix = run(project, 'pre-commit', 'run', '--files', 'scripts/check-db.sh', 'README.md', '.pre-commit-config.yaml');
    console.info(`pre-commit: slicefix-fix on 3 files took ${fix.seconds.toFixed(2)} s (hook environment installed)`);
    expect(fix.status, fix.output).toBe(1);
    expect(fix.output).toContain('files were modified by this hook');
    expect(fs.readFileSync(path.join(project, 'scripts/check-db.sh'), 'utf8')).toBe(
      '#!/bin/sh\nkubectl get endpointslices -l kubernetes.io/service-name=legacy-db -n data\n',
    );
    // A run on a handful of files is a node start-up and a scan: well under the time a person notices.
    expect(fix.seconds).toBeLessThan(10);
  }, 600_000);
});
