/**
 * --type-aware: with the project's tsconfig and client-node installed, a receiver's type decides. A method of the
 * right name on another class is no longer flagged even in a file that imports client-node, and a real CoreV1Api
 * still is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rule as clientRule } from '../rules/endpoints-ts-client.js';
import { configureTypeScript } from '../src/languages/typescript-options.js';
import { ts, tsMorph } from '../src/ts/compiler.js';
import { lint, repoRoot, writeTree } from './helpers.js';

const source = `import * as k8s from '@kubernetes/client-node';

const kc = new k8s.KubeConfig();
const core = kc.makeApiClient(k8s.CoreV1Api);

class Cache {
  async readNamespacedEndpoints(name: string, namespace: string): Promise<string[]> {
    return [name, namespace];
  }
}

export async function both(cache: Cache) {
  const cached = await cache.readNamespacedEndpoints('web', 'default');
  const live = await core.readNamespacedEndpoints({ name: 'web', namespace: 'default' });
  return { cached, live };
}
`;

function project(): string {
  const dir = writeTree({
    'package.json': JSON.stringify({ type: 'module', dependencies: { '@kubernetes/client-node': '^1.4.0' } }),
    'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', skipLibCheck: true, types: [] } }),
    'src/both.ts': source,
  });
  // The scanned project's own node_modules: the real client-node of this repository.
  fs.mkdirSync(path.join(dir, 'node_modules/@kubernetes'), { recursive: true });
  fs.symlinkSync(path.join(repoRoot, 'node_modules/@kubernetes/client-node'), path.join(dir, 'node_modules/@kubernetes/client-node'));
  return dir;
}

describe('--type-aware', () => {
  afterAll(() => configureTypeScript({ typeAware: false }));

  it('syntax-only: both calls count, since the file imports client-node', async () => {
    configureTypeScript({ typeAware: false });
    const { result } = await lint(project(), [clientRule]);
    expect(result.findings.map((f) => f.line)).toEqual([13, 14]);
  });

  it('type-aware: only the CoreV1Api call counts', async () => {
    configureTypeScript({ typeAware: true });
    const { result } = await lint(project(), [clientRule]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.line)).toEqual([14]);
  });

  it("the compiler loaded on its own is the very one ts-morph's Project uses", () => {
    // Syntax-only parsing requires ts-morph's typescript.js directly; type-aware checkers come from ts-morph, which
    // hands out the same module behind a namespace object of getters.
    const viaTsMorph = tsMorph().ts;
    expect(viaTsMorph.createSourceFile).toBe(ts.createSourceFile);
    expect(viaTsMorph.SyntaxKind).toBe(ts.SyntaxKind);
    expect(viaTsMorph.version).toBe(ts.version);
  });
});
