/** The command line as users and CI see it: options, exit codes, the report formats and their contracts. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { runCli } from '../src/cli.js';
import { repoRoot, writeTree } from './helpers.js';

const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: r
rules:
  - apiGroups: [""]
    resources: ["endpoints"]
    verbs: ["get"]
`;

interface Replacement {
  deletedRegion: { startLine: number; startColumn: number; endLine: number; endColumn: number };
  insertedContent: { text: string };
}

/** Applies SARIF replacements (1-based lines and columns, end exclusive) to a text, as a SARIF viewer would. */
function applyReplacements(text: string, replacements: Replacement[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offset = (line: number, column: number) => starts[line - 1] + column - 1;
  const edits = replacements.map((r) => ({
    start: offset(r.deletedRegion.startLine, r.deletedRegion.startColumn),
    end: offset(r.deletedRegion.endLine, r.deletedRegion.endColumn),
    text: r.insertedContent.text,
  }));
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stdoutIsTTY: false, stderrIsTTY: false, env },
    rules,
  );
  return { code, stdout, stderr };
}

describe('exit codes', () => {
  it('0 when clean, 1 with error findings, 0 with warnings only, 1 over --max-warnings', async () => {
    expect((await cli([], writeTree({ 'ok.yaml': 'a: 1\n' }))).code).toBe(0);
    const dir = writeTree({ 'role.yaml': ROLE });
    expect((await cli([], dir)).code).toBe(0); // endpoints-rbac is a warning
    expect((await cli(['--max-warnings', '0'], dir)).code).toBe(1);
    expect((await cli(['--max-warnings', '1'], dir)).code).toBe(0);
    fs.writeFileSync(path.join(dir, '.slicefix.yaml'), 'rules:\n  endpoints-rbac: error\n');
    expect((await cli([], dir)).code).toBe(1);
    expect((await cli(['--fix'], dir)).code).toBe(0);
  });

  it('2 for bad usage, with a one-line reason', async () => {
    const dir = writeTree({ 'a.yaml': 'a: 1\n' });
    for (const args of [['--format', 'xml'], ['--rule', 'nope'], ['--max-warnings', '-1'], ['--what'], ['--fix', '--dry-run']]) {
      const { code, stderr, stdout } = await cli(args, dir);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.split('\n')[0]).toMatch(/^slicefix: /);
      expect(stdout).toBe('');
    }
  });

  it('2 for a bad config, naming the file, the key and the reason', async () => {
    const cases: [string, RegExp][] = [
      ['rules:\n  endpoints-rbac: loud\n', /\.slicefix\.yaml: rules\.endpoints-rbac: must be off, warn or error/],
      ['rules:\n  no-such-rule: off\n', /rules\.no-such-rule: no such rule/],
      ['maxEndpointsPerSlice: 5000\n', /maxEndpointsPerSlice: must be a whole number from 1 to 1000/],
      ['managedBy: endpointslicemirroring-controller.k8s.io\n', /managedBy: .*fight over the slices/],
      ['colour: blue\n', /colour: unknown key/],
      ['rules: [\n', /\(file\): is not valid YAML/],
    ];
    for (const [config, reason] of cases) {
      const dir = writeTree({ '.slicefix.yaml': config, 'a.yaml': 'a: 1\n' });
      const { code, stderr } = await cli([], dir);
      expect(code).toBe(2);
      expect(stderr).toMatch(reason);
    }
  });

  it('2 for a path that does not exist; the other paths are still scanned', async () => {
    const dir = writeTree({ 'role.yaml': ROLE });
    const { code, stdout } = await cli(['--format', 'json', 'missing-dir', 'role.yaml'], dir);
    expect(code).toBe(2);
    const report = JSON.parse(stdout);
    expect(report.errors).toEqual([{ file: 'missing-dir', message: 'no such file or directory' }]);
    expect(report.findings).toHaveLength(1);
  });

  it('2 for a path through a file (ENOTDIR), beside a folder: reported, not an internal error', async () => {
    // Through the real command line, which lets scans use threads (and so looks at the paths first).
    const dir = writeTree({ 'role.yaml': ROLE });
    const bin = path.join(repoRoot, 'bin/slicefix.js');
    const run = spawnSync(process.execPath, [bin, '--format', 'json', 'role.yaml/x', '.'], { cwd: dir, encoding: 'utf8' });
    const { status: code, stdout, stderr } = run;
    expect(stderr).not.toMatch(/internal error/);
    expect(code).toBe(2);
    const report = JSON.parse(stdout);
    expect(report.errors).toEqual([{ file: 'role.yaml/x', message: 'no such file or directory' }]);
    expect(report.findings).toHaveLength(1);
  });
});

describe('options', () => {
  it('--rule, --disable, --ignore, --quiet select what runs and what is shown', async () => {
    const dir = writeTree({ 'role.yaml': ROLE, 'skip/role.yaml': ROLE });
    const json = async (args: string[]) => JSON.parse((await cli([...args, '--format', 'json'], dir)).stdout);
    expect((await json([])).findings).toHaveLength(2);
    expect((await json(['--disable', 'endpoints-rbac'])).findings).toHaveLength(0);
    expect((await json(['--rule', 'endpoints-rbac', '--ignore', 'skip/**'])).findings).toHaveLength(1);
    expect((await json(['--quiet'])).findings).toHaveLength(0);
  });

  it('config ignore globs and rule severities apply; explicit files are still read', async () => {
    const dir = writeTree({ '.slicefix.yaml': 'ignore: ["generated/**"]\nrules: { endpoints-rbac: error }\n', 'generated/role.yaml': ROLE, 'role.yaml': ROLE });
    const report = JSON.parse((await cli(['--format', 'json'], dir)).stdout);
    expect(report.findings.map((f: { file: string; severity: string }) => `${f.file}:${f.severity}`)).toEqual(['role.yaml:error']);
    const explicit = JSON.parse((await cli(['--format', 'json', 'generated/role.yaml'], dir)).stdout);
    expect(explicit.findings).toHaveLength(0); // the config ignores it, even when named
  });

  it('--dry-run prints the diff and writes nothing; --output writes the report to a file', async () => {
    const dir = writeTree({ 'role.yaml': ROLE });
    const { stdout } = await cli(['--dry-run'], dir);
    expect(stdout).toContain('+++ b/role.yaml');
    expect(stdout).toContain('+  - apiGroups: ["discovery.k8s.io"]');
    expect(fs.readFileSync(path.join(dir, 'role.yaml'), 'utf8')).toBe(ROLE);
    const out = await cli(['--format', 'json', '--output', 'out/report.json'], writeTree({ 'role.yaml': ROLE, 'out/.keep': '' }));
    expect(out.stdout).toBe('');
  });

  it('--list-rules, --version and --help', async () => {
    const dir = writeTree({});
    expect((await cli(['--list-rules'], dir)).stdout).toMatch(/^endpoints-rbac\s+warning\s+fixable/m);
    expect((await cli(['--version'], dir)).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect((await cli(['--help'], dir)).stdout).toMatch(/Usage: slicefix/);
  });
});

describe('report formats', () => {
  const dir = writeTree({ 'a/role.yaml': ROLE, 'b/ok.yaml': 'a: 1\n', 'c/broken.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules: [endpoints\n' });

  it('json keeps the contract exactly', async () => {
    const report = JSON.parse((await cli(['--format', 'json'], dir)).stdout);
    expect(Object.keys(report)).toEqual(['version', 'tool', 'findings', 'errors', 'summary']);
    expect(report.version).toBe(1);
    expect(report.tool).toEqual({ name: 'slicefix', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(report.findings[0]).toEqual({
      ruleId: 'endpoints-rbac',
      severity: 'warning',
      file: 'a/role.yaml',
      line: 6,
      column: 5,
      endLine: 8,
      endColumn: 19,
      message: expect.stringContaining('Role "r" grants [get] on core v1 "endpoints"'),
      fixable: true,
    });
    expect(Object.keys(report.findings[0])).toEqual(['ruleId', 'severity', 'file', 'line', 'column', 'endLine', 'endColumn', 'message', 'fixable']);
    expect(report.errors).toEqual([{ file: 'c/broken.yaml', message: expect.stringMatching(/^could not be parsed/) }]);
    expect(report.summary).toEqual({ filesScanned: 3, filesSkipped: 0, findings: 1, fixable: 1, fixed: 0 });
  });

  it('sarif is valid SARIF 2.1.0, lists every rule and always has results', async () => {
    const schema = JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
    );
    const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
    const log = JSON.parse((await cli(['--format', 'sarif'], dir)).stdout);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(rules.map((r) => r.meta.id));
    expect(log.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'endpoints-rbac').helpUri).toMatch(/\/rules\/endpoints-rbac\.md$/);
    expect(log.runs[0].results[0].locations[0].physicalLocation.region).toEqual({ startLine: 6, startColumn: 5, endLine: 8, endColumn: 19 });
    const empty = JSON.parse((await cli(['--format', 'sarif', 'b'], dir)).stdout);
    expect(validate(empty)).toBe(true);
    expect(empty.runs[0].results).toEqual([]);
  });

  describe('--dry-run with a machine format: stdout is one document that carries the changes', () => {
    const twoRoles = `${ROLE}---\n${ROLE.replace('name: r', 'name: s')}`;
    const tree = { 'a/role.yaml': ROLE, 'd/roles.yaml': twoRoles };
    const fixedBy = async (files: Record<string, string>) => {
      const fixed = writeTree(files);
      await cli(['--fix'], fixed);
      return Object.fromEntries(Object.keys(files).map((f) => [f, fs.readFileSync(path.join(fixed, f), 'utf8')]));
    };

    it('json: a `diffs` list after the other keys, each patch applying to what --fix writes; nothing written', async () => {
      const dir = writeTree(tree);
      const { stdout } = await cli(['--format', 'json', '--dry-run'], dir);
      const report = JSON.parse(stdout);
      expect(Object.keys(report)).toEqual(['version', 'tool', 'findings', 'errors', 'summary', 'diffs']);
      expect(report.diffs.map((d: { file: string }) => d.file)).toEqual(['a/role.yaml', 'd/roles.yaml']);
      const want = await fixedBy(tree);
      const { applyPatch } = await import('diff');
      for (const d of report.diffs as { file: string; patch: string }[]) {
        expect(applyPatch(fs.readFileSync(path.join(dir, d.file), 'utf8'), d.patch)).toBe(want[d.file]);
      }
      expect(fs.readFileSync(path.join(dir, 'd/roles.yaml'), 'utf8')).toBe(twoRoles);
      // Without --dry-run the contract is unchanged.
      expect(Object.keys(JSON.parse((await cli(['--format', 'json'], dir)).stdout))).not.toContain('diffs');
    });

    it("sarif: valid SARIF 2.1.0 with each file's changes as one `fixes` entry that turns it into what --fix writes", async () => {
      const schema = JSON.parse(
        fs.readFileSync(path.join(repoRoot, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
      );
      const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
      const dir = writeTree(tree);
      const log = JSON.parse((await cli(['--format', 'sarif', '--dry-run'], dir)).stdout);
      expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
      const results = log.runs[0].results as { locations: { physicalLocation: { artifactLocation: { uri: string } } }[]; fixes?: unknown[] }[];
      expect(results.map((r) => [r.locations[0].physicalLocation.artifactLocation.uri, r.fixes?.length ?? 0])).toEqual([
        ['a/role.yaml', 1],
        ['d/roles.yaml', 1],
        ['d/roles.yaml', 0],
      ]);
      const want = await fixedBy(tree);
      for (const result of results.filter((r) => r.fixes)) {
        const change = (result.fixes as { artifactChanges: { artifactLocation: { uri: string }; replacements: Replacement[] }[] }[])[0].artifactChanges[0];
        const file = decodeURI(change.artifactLocation.uri);
        expect(applyReplacements(fs.readFileSync(path.join(dir, file), 'utf8'), change.replacements)).toBe(want[file]);
      }
      expect(JSON.parse((await cli(['--format', 'sarif'], dir)).stdout).runs[0].results[0].fixes).toBeUndefined();
    });
  });

  it('github prints workflow commands with escaped properties', async () => {
    const { stdout } = await cli(['--format', 'github'], dir);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^::warning file=a\/role\.yaml,line=6,col=5,endLine=8,endColumn=19,title=slicefix\(endpoints-rbac\)::Role "r" grants/);
    expect(lines[1]).toMatch(/^::error file=c\/broken\.yaml,title=slicefix::could not be parsed/);
  });

  it('text groups by file and ends with the ESLint-style summary, without colour off a TTY', async () => {
    const { stdout } = await cli([], dir);
    expect(stdout).toContain('a/role.yaml\n  6:5  warning  Role "r" grants');
    expect(stdout).toMatch(/✖ 1 problem \(0 errors, 1 warning\), 1 fixable with --fix/);
    expect(stdout).not.toMatch(/\u001b\[/);
  });
});

describe('the installed command', () => {
  it('bin/slicefix.js runs the compiled CLI', () => {
    const bin = path.join(repoRoot, 'bin/slicefix.js');
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })).toMatch(/^\d+\.\d+\.\d+/);
    const dir = writeTree({ 'role.yaml': ROLE, '.slicefix.yaml': 'rules: {endpoints-rbac: error}\n' });
    const run = spawnSync(process.execPath, [bin, '--format', 'json'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).summary.findings).toBe(1);
  });
});
