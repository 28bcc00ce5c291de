/**
 * Bad input battery (issue: never lose a line). Each case: a clear error naming the file and the reason, the scan
 * goes on, and no file changes except by an intended fix.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rules } from '../rules/index.js';
import { writeFileAtomic } from '../src/atomic-write.js';
import { lint, makeTempDir, readTree, writeTree } from './helpers.js';

const ROLE = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- {apiGroups: [""], resources: [endpoints], verbs: [get]}\n';
const ROLE_FIXED = ROLE + '- apiGroups: [discovery.k8s.io]\n  resources: [endpointslices]\n  verbs: [get, list, watch]\n';

/** Runs --fix over `files` plus a good role, and checks the scan went on and nothing else changed. */
async function battery(files: Record<string, string | Buffer>, expectedError: RegExp | null) {
  const dir = writeTree({ ...files, 'good/role.yaml': ROLE });
  const before = readTree(dir);
  const { result, files: after } = await lint(dir, rules, { fix: true });
  if (expectedError) {
    const names = Object.keys(files);
    const errors = result.errors.filter((e) => names.includes(e.file));
    expect(errors.length, JSON.stringify(result.errors)).toBeGreaterThan(0);
    expect(errors[0].message).toMatch(expectedError);
  }
  // The scan went on: the good file was fixed.
  expect(after['good/role.yaml']).toBe(ROLE_FIXED);
  for (const name of Object.keys(files)) expect(after[name], name).toBe(before[name]);
  return result;
}

afterEach(() => vi.restoreAllMocks());

describe('bad input', () => {
  it('YAML with tabs for indentation', async () => {
    await battery({ 'tabs.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules:\n\t- resources: [endpoints]\n' }, /could not be parsed: .*line 4/);
  });

  it('YAML with an unclosed quote', async () => {
    await battery({ 'quote.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: "endpoints\nrules: []\n' }, /could not be parsed/);
  });

  it('YAML with duplicate keys', async () => {
    await battery({ 'dup.yaml': ROLE + 'kind: ClusterRole\n' }, /could not be parsed: Map keys must be unique/);
  });

  it('a YAML bomb (billion laughs) ends quickly without expanding', async () => {
    const levels = ['a: &a ["endpoints","endpoints","endpoints","endpoints","endpoints","endpoints","endpoints","endpoints","endpoints"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    }
    const bomb = `kind: Role\napiVersion: rbac.authorization.k8s.io/v1\n${levels.join('\n')}\nrules: *j\n`;
    const started = process.memoryUsage().rss;
    await battery({ 'bomb.yaml': bomb }, null);
    expect(process.memoryUsage().rss - started).toBeLessThan(200 * 1024 * 1024);
  });

  it('a huge single-line JSON file', async () => {
    const items = Array.from({ length: 8000 }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { note: 'endpoints' } }));
    const result = await battery({ 'huge.json': JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) }, null);
    expect(result.errors).toEqual([]);
  });

  it('binary data with a text extension is skipped', async () => {
    const result = await battery({ 'blob.yaml': Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0x00, 0x01, 0x02, 0x65, 0x6e, 0x64, 0x70, 0x6f, 0x69, 0x6e, 0x74, 0x73]) }, null);
    expect(result.summary.filesSkipped).toBe(1);
  });

  it('text that is not UTF-8', async () => {
    await battery({ 'latin1.yaml': Buffer.concat([Buffer.from(ROLE), Buffer.from('# caf\xe9\n', 'latin1')]) }, /not valid UTF-8/);
  });

  it('an empty file and a file of blank lines', async () => {
    const result = await battery({ 'empty.yaml': '', 'blank.yaml': '\n\n\n' }, null);
    expect(result.errors).toEqual([]);
  });

  it('a read-only file under --fix is not written', async () => {
    const dir = writeTree({ 'ro.yaml': ROLE });
    fs.chmodSync(path.join(dir, 'ro.yaml'), 0o444);
    const { result, files } = await lint(dir, rules, { fix: true });
    expect(files['ro.yaml']).toBe(ROLE);
    expect(result.errors).toEqual([{ file: 'ro.yaml', message: 'is read-only; the fix was not written' }]);
    expect(result.summary.fixed).toBe(0);
    expect(result.findings).toHaveLength(1);
  });

  it('a file that changes on disk between read and write is not written', async () => {
    const dir = writeTree({ 'role.yaml': ROLE });
    const edited = ROLE + '# edited meanwhile\n';
    const { result } = await lint(dir, rules, {
      fix: true,
      extra: {
        readBytes: async (file) => {
          const bytes = fs.readFileSync(file);
          fs.writeFileSync(file, edited); // someone saves the file while slicefix works
          return bytes;
        },
      },
    });
    expect(fs.readFileSync(path.join(dir, 'role.yaml'), 'utf8')).toBe(edited);
    expect(result.errors).toEqual([{ file: 'role.yaml', message: 'changed on disk while slicefix was running; not written (run --fix again)' }]);
    expect(result.summary.fixed).toBe(0);
  });

  it('a write failure (disk full) leaves the original intact and no temporary file behind', async () => {
    const dir = writeTree({ 'role.yaml': ROLE, 'other.yaml': ROLE });
    const real = fs.writeFileSync;
    vi.spyOn(fs, 'writeFileSync').mockImplementation((file, data, options) => {
      if (typeof file === 'number') {
        real(file, (data as Buffer).subarray(0, 10), options as fs.WriteFileOptions); // half written, then the disk is full
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return real(file, data, options as fs.WriteFileOptions);
    });
    const { result } = await lint(dir, rules, { fix: true });
    vi.restoreAllMocks();
    expect(fs.readFileSync(path.join(dir, 'role.yaml'), 'utf8')).toBe(ROLE);
    expect(fs.readdirSync(dir).sort()).toEqual(['other.yaml', 'role.yaml']);
    expect(result.errors.map((e) => e.file)).toEqual(['other.yaml', 'role.yaml']);
    expect(result.errors[0].message).toMatch(/the fix could not be written \(ENOSPC: no space left on device, write\); the file is unchanged/);
    expect(result.summary.fixed).toBe(0);
  });

  it('writeFileAtomic replaces a file whole and keeps its mode', () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'x.sh');
    fs.writeFileSync(file, 'old');
    fs.chmodSync(file, 0o750);
    writeFileAtomic(file, 'new', 0o750);
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    expect(fs.statSync(file).mode & 0o777).toBe(0o750);
    expect(fs.readdirSync(dir)).toEqual(['x.sh']);
  });

  it('the number of files written equals the summary\'s fixed count', async () => {
    const dir = writeTree({ 'a.yaml': ROLE, 'b/b.yaml': ROLE, 'c.yaml': 'x: 1\n', 'd.yaml': ROLE.replace('endpoints', 'pods') });
    const before = readTree(dir);
    const { result, files } = await lint(dir, rules, { fix: true });
    const changed = Object.keys(files).filter((f) => files[f] !== before[f]);
    expect(changed.sort()).toEqual(['a.yaml', 'b/b.yaml']);
    expect(result.summary.fixed).toBe(changed.length);
  });
});

describe('Helm templates', () => {
  it('a key defined in both branches of an if/else is not a duplicate-key error', async () => {
    const template = '{{- if .Values.a }}\nkind: Role\napiVersion: rbac.authorization.k8s.io/v1\n{{- else }}\nkind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\n{{- end }}\nmetadata: {name: r}\nrules:\n- {apiGroups: [""], resources: [endpoints], verbs: [get]}\n';
    const { result } = await lint({ 'templates/role.yaml': template }, rules);
    expect(result.errors).toEqual([]);
  });
});

describe('syntax errors in code', () => {
  it('Go with a syntax error: reported, named, and no fix is applied to the file', async () => {
    const broken = [
      'package main',
      '',
      'import (',
      '\t"context"',
      '',
      '\tmetav1 "k8s.io/apimachinery/pkg/apis/meta/v1"',
      '\t"k8s.io/client-go/kubernetes"',
      ')',
      '',
      'func f(ctx context.Context, cs kubernetes.Interface) error {',
      '\t_, err := cs.CoreV1().Endpoints("ns").Get(ctx, "web", metav1.GetOptions{})',
      '\treturn err',
      '}',
      '',
      'func g( {',
      '',
    ].join('\n');
    await battery({ 'main.go': broken }, /could not be parsed: .*line 15.*no fix is applied/);
  });

  it('TypeScript with a syntax error: reported, named, and no fix is applied to the file', async () => {
    const broken = [
      "import * as k8s from '@kubernetes/client-node';",
      'const kc = new k8s.KubeConfig();',
      'const core = kc.makeApiClient(k8s.CoreV1Api);',
      'export async function f() {',
      "  const ep = await core.readNamespacedEndpoints({ name: 'web', namespace: 'ns' });",
      '  return ep.subsets?.flatMap((s) => s.addresses ?? []) ?? [];',
      '}',
      'export function g( {',
      '',
    ].join('\n');
    await battery({ 'web.ts': broken, 'package.json': '{"dependencies":{"@kubernetes/client-node":"^1.4.0"}}' }, /could not be parsed: .*no fix is applied/);
  });
});
