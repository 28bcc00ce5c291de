/** Which files a scan reads, and how it survives what it should not read. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rule as rbac } from '../rules/endpoints-rbac.js';
import { defaultConfig } from '../src/config.js';
import { walk } from '../src/walk.js';
import { lint, makeTempDir, writeTree } from './helpers.js';

const ROLE = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- {apiGroups: [""], resources: [endpoints], verbs: [get]}\n';

describe('walk', () => {
  it('honours .gitignore and skips dependency folders unless told not to', async () => {
    const dir = writeTree({
      '.gitignore': 'build/\n',
      'build/role.yaml': ROLE,
      'node_modules/x/role.yaml': ROLE,
      'vendor/role.yaml': ROLE,
      'third_party/role.yaml': ROLE,
      'deploy/role.yaml': ROLE,
      '.github/role.yaml': ROLE,
    });
    const { result } = await lint(dir, [rbac]);
    expect(result.findings.map((f) => f.file).sort()).toEqual(['.github/role.yaml', 'deploy/role.yaml']);
    const all = await lint(dir, [rbac], { config: { skipDependencyDirs: false } });
    expect(all.result.findings.map((f) => f.file).sort()).toEqual([
      '.github/role.yaml',
      'deploy/role.yaml',
      'node_modules/x/role.yaml',
      'third_party/role.yaml',
      'vendor/role.yaml',
    ]);
  });

  it('reads only files of known languages and extensionless shell scripts', async () => {
    const dir = writeTree({ 'a.yaml': 'x: 1\n', 'b.txt': 'x\n', 'c.png': 'x', 'run': '#!/usr/bin/env bash\necho\n', 'LICENSE': 'text\n' });
    const { result } = await lint(dir, [rbac]);
    expect(result.summary.filesScanned).toBe(2);
  });

  it('skips binary files and files over the size limit, and counts them', async () => {
    const dir = writeTree({ 'bin.yaml': Buffer.from([0x65, 0x6e, 0x64, 0, 0x70, 0x6f]), 'big.yaml': ROLE + '#'.repeat(2000) + '\n', 'role.yaml': ROLE });
    fs.appendFileSync(path.join(dir, 'bin.yaml'), 'endpoints');
    const { result } = await lint(dir, [rbac], { config: { maxFileBytes: 1000 } });
    expect(result.findings.map((f) => f.file)).toEqual(['role.yaml']);
    expect(result.summary.filesSkipped).toBe(2);
    expect(result.errors).toEqual([]);
  });

  it('never follows a symlink while walking: loops and links out of the root are passed over', async () => {
    const outside = writeTree({ 'role.yaml': ROLE });
    const dir = writeTree({ 'in/role.yaml': ROLE });
    fs.symlinkSync(dir, path.join(dir, 'in/loop'));
    fs.symlinkSync(path.join(outside, 'role.yaml'), path.join(dir, 'out.yaml'));
    fs.symlinkSync(outside, path.join(dir, 'outdir'));
    const { result } = await lint(dir, [rbac]);
    expect(result.findings.map((f) => f.file)).toEqual(['in/role.yaml']);
    expect(result.summary.filesSkipped).toBe(3);
  });

  it('names a symlink passed explicitly that leaves the root or loops, and goes on', async () => {
    const outside = writeTree({ 'role.yaml': ROLE });
    const dir = writeTree({ 'role.yaml': ROLE });
    fs.symlinkSync(path.join(outside, 'role.yaml'), path.join(dir, 'out.yaml'));
    fs.symlinkSync(path.join(dir, 'loop-a.yaml'), path.join(dir, 'loop-b.yaml'));
    fs.symlinkSync(path.join(dir, 'loop-b.yaml'), path.join(dir, 'loop-a.yaml'));
    const { result } = await lint(dir, [rbac], { paths: ['out.yaml', 'loop-a.yaml', 'role.yaml'] });
    expect(result.errors).toEqual([
      { file: 'loop-a.yaml', message: 'symbolic link loop; not followed' },
      { file: 'out.yaml', message: expect.stringMatching(/^symbolic link points outside the scanned root/) },
    ]);
    expect(result.findings.map((f) => f.file)).toEqual(['role.yaml']);
  });

  it('reports a file it may not read and goes on', async () => {
    if (process.getuid?.() === 0) {
      // root reads everything; simulate the failure through the engine's read hook instead.
      const dir = writeTree({ 'secret.yaml': ROLE, 'role.yaml': ROLE });
      const { result } = await lint(dir, [rbac], {
        extra: {
          readBytes: async (file) => {
            if (file.endsWith('secret.yaml')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
            return fs.readFileSync(file);
          },
        },
      });
      expect(result.errors).toEqual([{ file: 'secret.yaml', message: 'cannot be read: permission denied' }]);
      expect(result.findings.map((f) => f.file)).toEqual(['role.yaml']);
      return;
    }
    const dir = writeTree({ 'secret.yaml': ROLE, 'role.yaml': ROLE });
    fs.chmodSync(path.join(dir, 'secret.yaml'), 0);
    const { result } = await lint(dir, [rbac]);
    expect(result.errors).toEqual([{ file: 'secret.yaml', message: 'cannot be read: permission denied' }]);
  });

  it('reports text that is not UTF-8 instead of guessing', async () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, 'latin1.yaml'), Buffer.concat([Buffer.from(ROLE), Buffer.from([0x23, 0xe9, 0x0a])]));
    const { result } = await lint(dir, [rbac]);
    expect(result.errors).toEqual([{ file: 'latin1.yaml', message: 'not valid UTF-8 text (byte 0xE9 on line 6); not scanned' }]);
  });
});

describe('Jinja templates', () => {
  it('are manifests by their inner extension; other templates are not read', async () => {
    const { detectLanguage } = await import('../src/languages/index.js');
    expect(detectLanguage('roles/x/templates/role.yml.j2')).toBe('yaml');
    expect(detectLanguage('role.yaml.jinja2')).toBe('yaml');
    expect(detectLanguage('openapi.json.j2')).toBe('json');
    expect(detectLanguage('ROLE.YML.J2')).toBe('yaml');
    // A templated script's `{{ name }}` would become part of a rewritten command: not read at all.
    expect(detectLanguage('install.sh.j2')).toBeUndefined();
    expect(detectLanguage('motd.j2')).toBeUndefined();
  });

  it('mask statements and comments only in Jinja files: in plain YAML `{%` is text', async () => {
    const { findDirectives } = await import('../src/languages/helm.js');
    const text = 'a: 1\n{% if x %}\nb: {{ y }}\n{# note #}\n{% endif %}\n';
    expect(findDirectives(text, true).map((d) => [d.text, d.standalone])).toEqual([
      ['{% if x %}', true],
      ['{{ y }}', false],
      ['{# note #}', true],
      ['{% endif %}', true],
    ]);
    expect(findDirectives(text).map((d) => d.text)).toEqual(['{{ y }}']);
    const role = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\nrules:\n{% for g in groups %}\n  - apiGroups: ["{{ g }}"]\n    resources: ["pods"]\n    verbs: ["get"]\n{% endfor %}\n  - apiGroups: [""]\n    resources: ["endpoints"]\n    verbs: ["get"]\n';
    const { result } = await lint({ 'templates/role.yml.j2': role }, [rbac]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.file, f.line])).toEqual([['templates/role.yml.j2', 11]]);
  });
});

describe('walk milestone', () => {
  it('calls back once, when the walk has found the given number of files', async () => {
    const dir = writeTree(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i % 3}/f${i}.yaml`, 'a: 1\n'])));
    const seen: number[] = [];
    let files = 0;
    const result = await walk(['.'], dir, defaultConfig(), [], { count: 10, reached: () => seen.push(++files) });
    expect(result.files).toHaveLength(30);
    expect(seen).toEqual([1]);
    const never: number[] = [];
    await walk(['.'], dir, defaultConfig(), [], { count: 31, reached: () => never.push(1) });
    expect(never).toEqual([]);
  });
});
