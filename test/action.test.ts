/**
 * The GitHub Action, run as the runner runs it: `node action/bundle/index.mjs` with INPUT_* variables and
 * temporary GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import MarkdownIt from 'markdown-it';
import { jobSummary } from '../action/main.js';
import { rules } from '../rules/index.js';
import type { ScanResult } from '../src/types.js';
import { makeTempDir, repoRoot, writeTree } from './helpers.js';

const decodeEntities = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

const bundle = path.join(repoRoot, 'action', 'bundle', 'index.mjs');

interface ActionRun {
  status: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

function runAction(workspace: string, inputs: Record<string, string>, entry = bundle): ActionRun {
  const scratch = makeTempDir('slicefix-action-');
  const outputFile = path.join(scratch, 'output');
  const summaryFile = path.join(scratch, 'summary');
  fs.writeFileSync(outputFile, '');
  fs.writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  // The runner starts actions in the workspace, but the action must not depend on it.
  const result = spawnSync(process.execPath, [entry], { cwd: scratch, env, encoding: 'utf8' });
  const outputs = readOutputs(fs.readFileSync(outputFile, 'utf8'));
  return { status: result.status, stdout: result.stdout + result.stderr, outputs, summary: fs.readFileSync(summaryFile, 'utf8') };
}

/** `$GITHUB_OUTPUT` read as the runner reads it: `name=value` lines and `name<<DELIMITER` blocks; a later one wins. */
function readOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const multi = /^([^=]+?)<<(.+)$/.exec(line);
    const single = /^([^=]+)=(.*)$/s.exec(line);
    if (multi && (!single || multi[1].length < single[1].length)) {
      const end = lines.indexOf(multi[2], i + 1);
      if (end === -1) throw new Error(`output ${multi[1]}: no closing delimiter`);
      outputs[multi[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (single) {
      outputs[single[1]] = single[2];
    } else {
      throw new Error(`not an output line: ${line}`);
    }
  }
  return outputs;
}

interface SarifLog {
  version: string;
  $schema: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: { id: string; shortDescription: { text: string }; helpUri: string }[] } };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: Record<string, number> } }[];
    }[];
  }[];
}

/** The parts of SARIF 2.1.0 that GitHub code scanning requires of an upload (and that kube-linter #213 broke). */
function expectValidSarif(text: string): SarifLog {
  const log = JSON.parse(text) as SarifLog;
  expect(log.version).toBe('2.1.0');
  expect(log.$schema).toMatch(/sarif-2\.1\.0/);
  expect(log.runs).toHaveLength(1);
  const [run] = log.runs;
  expect(run.tool.driver.name).toBe('slicefix');
  expect(Array.isArray(run.results)).toBe(true);
  const ids = run.tool.driver.rules.map((r) => r.id);
  for (const rule of run.tool.driver.rules) {
    expect(rule.shortDescription.text.length).toBeGreaterThan(0);
    expect(rule.helpUri).toMatch(/^https:\/\//);
  }
  for (const result of run.results) {
    expect(ids[result.ruleIndex]).toBe(result.ruleId);
    expect(['error', 'warning', 'note', 'none']).toContain(result.level);
    expect(result.message.text.length).toBeGreaterThan(0);
    for (const { physicalLocation } of result.locations) {
      expect(physicalLocation.artifactLocation.uri).not.toMatch(/^\/|^[a-z]+:/i);
      expect(physicalLocation.artifactLocation.uriBaseId).toBe('%SRCROOT%');
      const { startLine, startColumn, endLine, endColumn } = physicalLocation.region;
      expect(startLine).toBeGreaterThanOrEqual(1);
      expect(startColumn).toBeGreaterThanOrEqual(1);
      expect(endLine).toBeGreaterThanOrEqual(startLine);
      if (endLine === startLine) expect(endColumn).toBeGreaterThan(startColumn);
    }
  }
  return log;
}

const script = '#!/bin/sh\nkubectl get endpoints web -n shop\nkubectl delete ep legacy\n';

describe('GitHub Action', () => {
  it('runs every language from a copy of the bundle alone (no node_modules), and fixes with the workspace config', () => {
    // On a runner the action's folder has no node_modules: every parser, schema and WebAssembly file must be in it.
    const copy = path.join(makeTempDir('slicefix-bundle-copy-'), 'bundle');
    fs.cpSync(path.dirname(bundle), copy, { recursive: true });
    const workspace = makeTempDir('slicefix-ws-');
    fs.cpSync(path.join(repoRoot, 'examples/demo'), workspace, { recursive: true });
    fs.writeFileSync(path.join(workspace, '.slicefix.yaml'), 'managedBy: platform-team\n');
    const report = runAction(workspace, { paths: '.', 'fail-on': 'never' }, path.join(copy, 'index.mjs'));
    expect(report.status, report.stdout).toBe(0);
    expect(report.stdout).not.toMatch(/internal error/);
    for (const id of ['endpoints-manifest', 'endpoints-go-client', 'endpoints-ts-client', 'endpoints-kubectl', 'endpoints-rbac']) {
      expect(report.stdout).toContain(`slicefix(${id})`);
    }
    const fixed = runAction(workspace, { paths: '.', fix: 'true', 'fail-on': 'never' }, path.join(copy, 'index.mjs'));
    expect(fixed.stdout).not.toMatch(/internal error/);
    expect(Number(fixed.outputs.fixed)).toBeGreaterThan(5);
    expect(fs.readFileSync(path.join(workspace, 'deploy/external-db.yaml'), 'utf8')).toContain('endpointslice.kubernetes.io/managed-by: platform-team');
  }, 120_000);

  it('the committed bundle is built from the current sources (run `npm run build:action`)', () => {
    const fresh = path.join(makeTempDir('slicefix-bundle-'), 'bundle');
    execFileSync(process.execPath, [path.join(repoRoot, 'action', 'build.mjs'), fresh], { cwd: repoRoot });
    const committed = path.dirname(bundle);
    const files = (dir: string) => (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
    expect(files(committed), 'action/bundle/ is stale: run `npm run build:action` and commit it').toEqual(files(fresh));
    for (const file of files(fresh)) {
      const same = fs.readFileSync(path.join(fresh, file)).equals(fs.readFileSync(path.join(committed, file)));
      expect(same, `action/bundle/${file} is stale: run \`npm run build:action\` and commit it`).toBe(true);
    }
  }, 120_000);

  it('action.yml declares the inputs the entry reads and runs the committed bundle without npm install', () => {
    const action = parseYaml(fs.readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
      outputs: Record<string, unknown>;
      runs: { using: string; main: string };
    };
    expect(Object.keys(action.inputs).sort()).toEqual(['changed-since', 'config', 'fail-on', 'fix', 'paths', 'sarif-file']);
    expect(action.inputs.fix.default).toBe('false');
    expect(action.inputs['fail-on'].default).toBe('error');
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['findings', 'fixable']));
    expect(action.runs.using).toBe('node20');
    expect(path.join(repoRoot, action.runs.main)).toBe(bundle);
    const main = fs.readFileSync(path.join(repoRoot, 'action', 'main.ts'), 'utf8');
    for (const name of Object.keys(action.inputs)) expect(main).toContain(`'${name}'`);
  });

  it('annotates findings, writes summary, outputs and SARIF, and fails on errors', () => {
    const workspace = writeTree({ 'ops/check.sh': script, 'docs/ok.md': '# ok\n' });
    const run = runAction(workspace, { paths: '.', fix: 'false', 'fail-on': 'error', 'sarif-file': 'reports/slicefix.sarif' });
    expect(run.status, run.stdout).toBe(1);

    const annotations = run.stdout.split('\n').filter((l) => l.startsWith('::error file='));
    expect(annotations).toHaveLength(2);
    expect(annotations[0]).toMatch(/^::error file=ops\/check\.sh,line=2,col=1,endLine=2,endColumn=34,title=slicefix\(endpoints-kubectl\)::`kubectl get endpoints web -n shop` reads v1 Endpoints/);
    expect(annotations[1]).toMatch(/^::error file=ops\/check\.sh,line=3,.*kubectl delete endpointslices -l kubernetes\.io\/service-name=legacy/);

    expect(run.outputs).toMatchObject({ findings: '2', fixable: '1', fixed: '0', 'sarif-file': 'reports/slicefix.sarif' });

    expect(run.summary).toContain('## slicefix: 2 findings (2 errors, 0 warnings), 1 fixable');
    expect(run.summary).toMatch(/\| \[endpoints-kubectl\]\(https:\/\/github\.com\/slicefix\/slicefix\/blob\/main\/rules\/endpoints-kubectl\.md\) \| 2 \| 1 \|/);
    expect(run.summary).toContain('[`ops/check.sh:2`](https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567/ops/check.sh#L2)');
    expect(run.summary).toContain('slicefix --fix .');
    // npx would fetch an unrelated package of that name from the registry: the summary never suggests it.
    expect(run.summary).not.toContain('npx slicefix');

    const log = expectValidSarif(fs.readFileSync(path.join(workspace, 'reports/slicefix.sarif'), 'utf8'));
    expect(log.runs[0].results.map((r) => `${r.ruleId} ${r.locations[0].physicalLocation.artifactLocation.uri}:${r.locations[0].physicalLocation.region.startLine}`)).toEqual([
      'endpoints-kubectl ops/check.sh:2',
      'endpoints-kubectl ops/check.sh:3',
    ]);
  });

  it('passes a clean workspace with an empty but present SARIF result list', () => {
    const workspace = writeTree({ 'ops/check.sh': '#!/bin/sh\nkubectl get endpointslices -l kubernetes.io/service-name=web\n' });
    const run = runAction(workspace, { 'sarif-file': 'slicefix.sarif' });
    expect(run.status, run.stdout).toBe(0);
    expect(run.stdout).not.toContain('::error');
    expect(run.outputs).toMatchObject({ findings: '0', fixable: '0' });
    expect(run.summary).toContain('## slicefix: no v1 Endpoints uses found');
    const log = expectValidSarif(fs.readFileSync(path.join(workspace, 'slicefix.sarif'), 'utf8'));
    expect(log.runs[0].results).toEqual([]);
  });

  it('fix: true rewrites the workspace and reports what is left; fail-on: never keeps the step green', () => {
    const workspace = writeTree({ 'ops/check.sh': script });
    const run = runAction(workspace, { fix: 'true', 'fail-on': 'never' });
    expect(run.status, run.stdout).toBe(0);
    expect(fs.readFileSync(path.join(workspace, 'ops/check.sh'), 'utf8')).toBe(
      '#!/bin/sh\nkubectl get endpointslices -l kubernetes.io/service-name=web -n shop\nkubectl delete ep legacy\n',
    );
    expect(run.outputs).toMatchObject({ findings: '1', fixable: '0', fixed: '1' });
    expect(run.summary).toContain('1 file fixed by this run');
    expect(run.summary).not.toContain('### Fix locally');
  });

  it('pull-request mode: changed-since reports only lines the branch changed', () => {
    const workspace = writeTree({ 'ops/old.sh': '#!/bin/sh\nkubectl get ep legacy\n' });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: workspace, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'old debt');
    git('checkout', '-q', '-b', 'feature');
    writeTree({ 'ops/new.sh': '#!/bin/sh\nkubectl describe endpoints web\n' }, workspace);
    git('add', '-A');
    git('commit', '-q', '-m', 'new work');
    const run = runAction(workspace, { 'changed-since': 'main' });
    expect(run.status, run.stdout).toBe(1);
    expect(run.outputs.findings).toBe('1');
    expect(run.stdout).toContain('::error file=ops/new.sh,line=2');
    expect(run.stdout).not.toContain('ops/old.sh');
  });

  it('a line break in an input cannot set another output', () => {
    const workspace = writeTree({ 'ops/check.sh': script });
    const sarif = 'reports/slicefix.sarif\nfindings=0\nfixable=0';
    const run = runAction(workspace, { 'sarif-file': sarif, 'fail-on': 'never' });
    expect(run.status, run.stdout).toBe(0);
    expect(run.outputs).toEqual({ findings: '2', fixable: '1', fixed: '0', 'sarif-file': sarif });
  });

  it('a file name cannot inject Markdown, HTML or links into the job summary', () => {
    const name = 'ops/x`y``<img src=z onerror=alert(1)>|[click](https:__evil)*b*.sh';
    const workspace = writeTree({ [name]: script });
    const run = runAction(workspace, { 'fail-on': 'never' });
    expect(run.status, run.stdout).toBe(0);
    const html = new MarkdownIt({ html: true, linkify: true }).render(run.summary);
    expect(html).not.toMatch(/<img|<em>b|evil"/);
    // Every link goes to the repository or to slicefix's rule pages.
    for (const [, href] of html.matchAll(/<a href="([^"]*)"/g)) expect(href).toMatch(/^https:\/\/github\.com\/(acme\/shop|slicefix\/slicefix)\/blob\//);
    // The name is shown as it is, inside the link to its line.
    const shown = [...html.matchAll(/<a href="[^"]*#L2"><code>([^<]*)<\/code><\/a>/g)].map((m) => decodeEntities(m[1]));
    expect(shown).toEqual([`${name}:2`]);
  });

  it('messages and files that could not be checked are plain text in the summary', () => {
    const hostile = 'a`</code><img src=x>[x](https://evil.example) **b** | c\nd\x1b[31m';
    const result: ScanResult = {
      findings: [{ ruleId: 'endpoints-kubectl', severity: 'error', file: 'f.sh', line: 1, column: 1, endLine: 1, endColumn: 2, message: hostile, fixable: false }],
      errors: [{ file: 'bad`|<b>.yaml', message: hostile }],
      summary: { filesScanned: 2, filesSkipped: 0, findings: 1, fixable: 0, fixed: 0 },
      diffs: [],
    };
    const markdown = jobSummary(result, rules, {}, ['.'], false);
    const html = new MarkdownIt({ html: true, linkify: true }).render(markdown);
    expect(html).not.toMatch(/<img|<strong>b|<b>|href="https:\/\/evil/);
    const text = decodeEntities(html.replace(/<[^>]*>/g, ''));
    expect(text).toContain('a`</code><img src=x>[x](https://evil.example) **b** | c\\nd\\x1b[31m');
    expect(text).toContain('bad`|<b>.yaml: a`</code>');
  });

  it('rejects bad inputs with an error annotation', () => {
    const workspace = writeTree({ 'a.sh': 'echo\n' });
    const bad = runAction(workspace, { 'fail-on': 'sometimes' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toContain('::error title=slicefix::input fail-on must be error, warning or never, not "sometimes"');
    const missing = runAction(workspace, { config: 'nope.yaml' });
    expect(missing.status).toBe(2);
    expect(missing.stdout).toContain('config file nope.yaml does not exist');
  });
});
