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

/** The issue's reproducer: `levels` anchors, each a list of nine aliases of the one before (9^levels strings). */
function aliasBomb(levels: number, kind: string): string {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < levels; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `${lines.join('\n')}\n${kind}\n`;
}

describe('YAML alias bombs', () => {
  it('in an Endpoints or a v1beta1 EndpointSlice: the file is reported with the reason, not expanded, and the scan goes on', async () => {
    const good = 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: good}\nsubsets:\n- addresses: [{ip: 10.0.0.1}]\n  ports: [{port: 80}]\n';
    const { result } = await lint(
      {
        'endpoints.yaml': aliasBomb(7, 'kind: Endpoints\napiVersion: v1'),
        'slice.yaml': aliasBomb(7, 'kind: EndpointSlice\napiVersion: discovery.k8s.io/v1beta1'),
        // A cycle: followed naively it never ends.
        'cycle.yaml': 'kind: Endpoints\napiVersion: v1\nsubsets: &s [{addresses: *s}]\n',
        'good.yaml': good,
      },
      rules,
      { fix: true },
    );
    const bomb = /could not be parsed: YAML aliases expand this document by more than 100,000 nodes \(an alias bomb\); the document is not checked \(line 2, column 8\); no fix is applied to this file/;
    expect(result.errors.find((e) => e.file === 'endpoints.yaml')?.message).toMatch(bomb);
    expect(result.errors.find((e) => e.file === 'slice.yaml')?.message).toMatch(bomb);
    expect(result.errors.find((e) => e.file === 'cycle.yaml')?.message).toMatch(/a YAML alias stands inside the node it refers to \(a cycle/);
    expect(result.summary.fixed).toBe(1);
  }, 10_000);

  it('a few aliases in a real manifest are still followed and converted', async () => {
    const { files, result } = await lint(
      {
        'ep.yaml':
          'apiVersion: v1\nkind: Endpoints\nmetadata: {name: web}\nsubsets:\n- addresses: [{ip: 10.0.0.1}]\n  ports: &ports [{port: 80, name: http}]\n' +
          '- addresses: [{ip: 10.0.0.2}]\n  ports: *ports\n',
      },
      rules,
      { fix: true },
    );
    expect(result.errors).toEqual([]);
    expect(files['ep.yaml']).toContain('kind: EndpointSlice');
    expect(files['ep.yaml']).toContain('10.0.0.2');
  });
});

describe('findings and errors by the hundred thousand', () => {
  it('a file with 130,000 findings is reported whole, not "Maximum call stack size exceeded"', async () => {
    const { result } = await lint({ 'many.sh': 'kubectl get endpoints\n'.repeat(130_000) }, rules);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(130_000);
    expect(result.findings[129_999]).toMatchObject({ file: 'many.sh', line: 130_000, ruleId: 'endpoints-kubectl' });
    // The text report of them: no Math.max(...) over every finding, no copy of the file's list per finding.
    const { formatText } = await import('../src/formatters/text.js');
    const text = formatText(result, { rules: rules.map((r) => r.meta), toolVersion: '0', docsBaseUrl: '', color: false });
    expect(text).toContain('\u2716 130000 problems');
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

describe('control characters in names a repository chose', () => {
  // A file name that, printed raw, erases the line and prints a fake all-clear; an object name with an escape.
  const trick = 'x\x1b[2K\r\u2714 no problems\x1b[8m\u202e.sh';
  const context = { rules: rules.map((r) => r.meta), toolVersion: '0', docsBaseUrl: '', color: false };

  it('text output shows them as visible escapes: no ESC, CR, C1 or bidi override reaches the terminal', async () => {
    const { result } = await lint(
      {
        [trick]: 'kubectl get endpoints\n',
        'named.yaml': 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: "a\\e]0;title\\a\\x9bb"}\nsubsets: [{addresses: [{ip: "{{ .ip }}"}]}]\n',
      },
      rules,
    );
    result.errors.push({ file: trick, message: `quoting ${trick}` });
    const { formatText } = await import('../src/formatters/text.js');
    const out = formatText(result, context);
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(out).toContain('x\\x1b[2K\\r\u2714 no problems\\x1b[8m\\u202e.sh');
    expect(out).toContain('Endpoints a\\x1b]0;title\\x07\\x9bb');
  });

  it('github output keeps one workflow command per line: a newline in a file name or message cannot start another', async () => {
    const file = 'a\n::error file=fake.sh::injected\r.sh';
    const { result } = await lint({ [file]: 'kubectl get endpoints\n' }, rules);
    result.errors.push({ file, message: 'line one\n::warning::injected' });
    const { formatGithub } = await import('../src/formatters/github.js');
    const lines = formatGithub(result, context).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^::error file=a%0A%3A%3Aerror file=fake.sh%3A%3Ainjected%0D.sh,line=1,/);
    expect(lines[1]).toBe('::error file=a%0A%3A%3Aerror file=fake.sh%3A%3Ainjected%0D.sh,title=slicefix::line one%0A::warning::injected');
  });
});

describe('ignore globs of a repository\'s .slicefix.yaml', () => {
  it('a glob built to backtrack (*a*a…*b) against a long file name is decided at once', async () => {
    const name = `${'a'.repeat(40)}.yaml`;
    const { result } = await lint({ [name]: 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: a}\n' }, rules, {
      config: { ignore: ['*a*a*a*a*a*a*a*a*a*a*a*a*b'] },
    });
    expect(result.findings.map((f) => f.file)).toEqual([name]);
  }, 10_000);

  it('keep the README\'s meaning: relative to the config file, a glob without / matches names at any depth, {a,b}', async () => {
    const { ignoreMatcher } = await import('../src/walk.js');
    const base = '/repo/deploy';
    const matches = (globs: string[], file: string) => ignoreMatcher(globs, [base])(`${base}/${file}`);
    expect(matches(['generated/**'], 'generated/a/ep.yaml')).toBe(true);
    expect(matches(['generated/**'], 'x/generated/ep.yaml')).toBe(false);
    expect(matches(['./generated/*.yaml'], 'generated/ep.yaml')).toBe(true);
    expect(matches(['*.json'], 'deep/down/ep.json')).toBe(true);
    expect(matches(['*.json'], 'ep.yaml')).toBe(false);
    expect(matches(['.hidden*'], 'a/.hidden-ep.yaml')).toBe(true);
    expect(matches(['*.{yml,json}'], 'a/ep.yml')).toBe(true);
    expect(matches(['*.{yml,json}'], 'a/ep.yaml')).toBe(false);
    expect(matches(['*.yaml', '!keep.yaml'], 'a/keep.yaml')).toBe(false);
    expect(matches(['EP.yaml'], 'ep.yaml')).toBe(false);
    expect(matches(['ep.yaml'], '../ep.yaml')).toBe(false);
  });

  it('a glob with more alternatives than a person writes is a config error naming the key', async () => {
    const { validateConfig } = await import('../src/config.js');
    expect(() => validateConfig({ ignore: ['{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}'] }, '.slicefix.yaml', [])).toThrow(
      '.slicefix.yaml: ignore: "{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}" expands to more than 256 alternatives',
    );
  });
});

describe('no work that grows with the square of the input (5 MiB files stay within the default limit)', () => {
  it('placing each of 20,000 objects of a 4 MB one-line JSON dump does not read the line back to its start', async () => {
    const { detectLayout, replaceObject } = await import('../src/k8s/render.js');
    const item = '{"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"e"},"subsets":[]}';
    const prefix = '{"apiVersion":"v1","kind":"List","items":[';
    const text = `${prefix}${Array(20_000).fill(item).join(',')}],"metadata":{}}`;
    expect(text.length).toBeGreaterThan(1_500_000);
    let start = prefix.length;
    let last = { start: 0, end: 0, text: '' };
    for (let i = 0; i < 20_000; i++) {
      const node = { range: [start, start + item.length, start + item.length], flow: true, items: [] } as unknown as Parameters<typeof detectLayout>[1];
      const layout = detectLayout(text, node, true);
      last = replaceObject([{ kind: 'EndpointSlice' }], layout, { text, start, end: start + item.length, inList: true, jsonFile: true });
      start += item.length + 1;
    }
    expect(last.text).toBe('{\n  "kind": "EndpointSlice"\n}');
  }, 10_000);

  it('a TypeScript file with 2,000 Endpoints calls on one client is checked without walking the file once per call', async () => {
    let source = "import * as k8s from '@kubernetes/client-node';\nconst kc = new k8s.KubeConfig();\nconst coreApi = kc.makeApiClient(k8s.CoreV1Api);\n";
    for (let i = 0; i < 2_000; i++) {
      source += `export async function f${i}(ns: string) {\n  const eps = await coreApi.readNamespacedEndpoints({ name: 's${i}', namespace: ns });\n  return eps.subsets?.length;\n}\n`;
    }
    const { result } = await lint({ 'package.json': '{"type":"module","dependencies":{"@kubernetes/client-node":"^1.4.0"}}', 'src/many.ts': source }, rules);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(2_000);
    expect(result.findings[1_999]).toMatchObject({ file: 'src/many.ts', ruleId: 'endpoints-ts-client', line: 4 * 1_999 + 5 });
  }, 20_000);

  it('a one-line Helm template with 20,000 directives', async () => {
    const addresses = Array.from({ length: 20_000 }, (_, i) => `{ip: "{{ .Values.ip${i} }}"}`).join(', ');
    const { result } = await lint(
      {
        'chart/Chart.yaml': 'apiVersion: v2\nname: x\nversion: 0.1.0\n',
        'chart/templates/ep.yaml': `apiVersion: v1\nkind: Endpoints\nmetadata: {name: x}\nsubsets: [{addresses: [${addresses}], ports: [{port: 80}]}]\n`,
      },
      rules,
    );
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].message).toContain('subsets[0].addresses[0].ip is the template "{{ .Values.ip0 }}"');
  }, 10_000);

  it('a kubectl line with a run of 200,000 blanks', async () => {
    const { result } = await lint({ 'run.sh': `kubectl${' '.repeat(200_000)}get endpoints x\n` }, rules);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].ruleId).toBe('endpoints-kubectl');
  }, 10_000);

  it('--fix on 1,500 Endpoints documents: the patch of a file where every object changed is made in bounded work', async () => {
    const docs = Array.from({ length: 1_500 }, (_, i) => `---\napiVersion: v1\nkind: Endpoints\nmetadata:\n  name: svc-${i}\nsubsets:\n- addresses:\n  - ip: 10.0.${i % 250}.${i % 200}\n  ports:\n  - port: 80\n`);
    const before = docs.join('');
    const { result, files } = await lint({ 'many.yaml': before }, rules, { fix: true });
    expect(result.errors).toEqual([]);
    expect(result.summary.fixed).toBe(1);
    expect(files['many.yaml'].match(/kind: EndpointSlice/g)).toHaveLength(1_500);
    const { applyPatch } = await import('diff');
    expect(applyPatch(before, result.diffs[0].patch)).toBe(files['many.yaml']);
  }, 15_000);

  it('100,000 edits are chosen and applied in one pass over the text', async () => {
    const { applyEdits, selectNonOverlapping } = await import('../src/edits.js');
    const text = 'ab'.repeat(100_000);
    const groups = Array.from({ length: 100_000 }, (_, i) => [{ start: 2 * i, end: 2 * i + 1, text: 'X' }]);
    // One group overlapping an earlier one, out of order: left for the next pass.
    groups.push([{ start: 10, end: 12, text: 'late' }]);
    const taken = selectNonOverlapping(groups);
    expect(taken).toHaveLength(100_000);
    expect(applyEdits(text, taken)).toBe('Xb'.repeat(100_000));
    expect(applyEdits('abc', [{ start: 1, end: 1, text: 'x' }, { start: 1, end: 2, text: 'Y' }])).toBe('axYc');
  }, 10_000);
});
