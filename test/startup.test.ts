/**
 * Start-up cost matters in a pre-commit hook: a parser is imported only when a file of its language needs it, and
 * `--version` or a run that finds nothing to parse loads no dependency at all.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, repoRoot, writeTree } from './helpers.js';

function importsWhileScanning(files: Record<string, string>, args: string[] = [], paths = ['.']): string[] {
  const dir = writeTree(files);
  const record = path.join(makeTempDir('slicefix-imports-'), 'imports.txt');
  fs.writeFileSync(record, '');
  const run = spawnSync(
    process.execPath,
    ['--import', path.join(repoRoot, 'test/support/record-imports.mjs'), path.join(repoRoot, 'bin/slicefix.js'), ...args, ...paths],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, SLICEFIX_RECORD_IMPORTS: record } },
  );
  expect(run.status, run.stderr).not.toBe(2);
  return [...new Set(fs.readFileSync(record, 'utf8').split('\n').filter(Boolean))].sort();
}

describe('lazy loading', () => {
  it('--version and --help load no dependency at all', () => {
    expect(importsWhileScanning({}, ['--version'])).toEqual([]);
    expect(importsWhileScanning({}, ['--help'])).toEqual([]);
  });

  it('a pre-commit run on named files without trigger texts loads no dependency (no .gitignore matcher either)', () => {
    const files = { 'a.yaml': 'x: 1\n', 'b.go': 'package b\n', 'c.ts': 'export const c = 1;\n', 'd.sh': 'echo\n', '.gitignore': 'tmp/\n' };
    expect(importsWhileScanning(files, ['--format', 'json'], ['a.yaml', 'b.go', 'c.ts', 'd.sh'])).toEqual([]);
  });

  it('a repository without trigger texts imports no parser at all', () => {
    const imported = importsWhileScanning({ 'a.yaml': 'x: 1\n', 'b.go': 'package b\n', 'c.ts': 'export const c = 1;\n', 'd.sh': 'echo\n' });
    for (const parser of ['yaml', 'ts-morph', 'typescript', 'web-tree-sitter', 'tree-sitter', 'kubernetes-models']) {
      expect(imported).not.toContain(parser);
    }
  });

  it('a manifest with a trigger imports the YAML parser and nothing for Go or TypeScript', () => {
    const imported = importsWhileScanning({ 'role.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules:\n- {apiGroups: [""], resources: [endpoints], verbs: [get]}\n' });
    expect(imported).toContain('yaml');
    for (const parser of ['ts-morph', 'typescript', 'web-tree-sitter', 'tree-sitter']) expect(imported).not.toContain(parser);
  });
});

describe('lazy loading per language', () => {
  it('a Go file with a trigger loads tree-sitter, not the TypeScript compiler', () => {
    const imported = importsWhileScanning({
      'main.go': 'package main\n\nimport "k8s.io/client-go/kubernetes"\n\nfunc f(cs kubernetes.Interface) { _ = cs.CoreV1().Endpoints("ns") }\n',
    });
    expect(imported).toContain('web-tree-sitter');
    for (const parser of ['ts-morph', 'typescript', 'yaml']) expect(imported).not.toContain(parser);
  });

  const tsTrigger = {
    'a.ts': "import * as k8s from '@kubernetes/client-node';\nexport const f = (api: k8s.CoreV1Api) => api.readNamespacedEndpoints({ name: 'a', namespace: 'b' });\n",
  };

  it('a TypeScript file with a trigger loads the TypeScript compiler alone: not ts-morph, not tree-sitter', () => {
    const imported = importsWhileScanning(tsTrigger);
    expect(imported).toContain('typescript');
    for (const parser of ['ts-morph', 'web-tree-sitter', 'yaml']) expect(imported).not.toContain(parser);
  });

  it('--type-aware loads ts-morph for its Project', () => {
    const imported = importsWhileScanning({ ...tsTrigger, 'tsconfig.json': '{}' }, ['--type-aware']);
    expect(imported).toEqual(expect.arrayContaining(['ts-morph', 'typescript']));
    for (const parser of ['web-tree-sitter', 'yaml']) expect(imported).not.toContain(parser);
  });
});
