/**
 * The compile cache (src/compile-cache.ts) is used and harmless: a warm run reads it and writes nothing, reports
 * the same as a cold one, and a corrupt, truncated or unwritable cache, or the opt-out, changes nothing but speed.
 * Each run gets its own TMPDIR, where the cache lives.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, repoRoot, writeTree } from './helpers.js';

const bin = path.join(repoRoot, 'bin/slicefix.js');
/** Node ≥ 22.1 caches with its own module.enableCompileCache, whose files are Node's business. */
const nodeHasCompileCache = typeof (Module as unknown as { enableCompileCache?: unknown }).enableCompileCache === 'function';

interface CacheStats {
  mode: string;
  reason?: string;
  directory?: string;
  hits: number;
  misses: number;
}

/** A repository whose scan loads the TypeScript compiler (9 MB, the file worth caching), with one finding. */
function repository(): string {
  return writeTree({
    'src/a.ts':
      "import * as k8s from '@kubernetes/client-node';\nexport const f = (api: k8s.CoreV1Api) => api.readNamespacedEndpoints({ name: 'a', namespace: 'b' });\n",
    'deploy/role.yaml': 'kind: Role\nrules:\n- {apiGroups: [""], resources: [endpoints], verbs: [get]}\n',
  });
}

/** This process's environment with the cache in `tmp`, without any setting of ours or Node's that turns it off. */
function cacheEnv(tmp: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
  for (const name of ['SLICEFIX_NO_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE', 'NODE_COMPILE_CACHE']) delete env[name];
  return { ...env, ...extra };
}

function scan(cwd: string, tmp: string, env: Record<string, string> = {}): { status: number | null; stdout: string; cache: CacheStats } {
  const run = spawnSync(process.execPath, [bin, '--format', 'json', '--stats', '.'], { cwd, encoding: 'utf8', env: cacheEnv(tmp, env) });
  const stats = /^slicefix-stats (.*)$/m.exec(run.stderr);
  expect(stats, run.stderr).not.toBeNull();
  return { status: run.status, stdout: run.stdout, cache: (JSON.parse(stats![1]) as { compileCache: CacheStats }).compileCache };
}

function entries(directory: string): string[] {
  return fs.existsSync(directory) ? fs.readdirSync(directory).filter((f) => f.endsWith('.cache')).map((f) => path.join(directory, f)) : [];
}

describe('compile cache', () => {
  it('a warm run reads the cache, writes nothing, and reports exactly what the cold run did', () => {
    const repo = repository();
    const tmp = makeTempDir('slicefix-cc-');
    const cold = scan(repo, tmp);
    expect(cold.status).toBe(1);
    expect(JSON.parse(cold.stdout).summary.findings).toBeGreaterThan(0);
    expect(cold.cache.mode).toBe(nodeHasCompileCache ? 'node' : 'slicefix');
    expect(cold.cache.directory!.startsWith(tmp)).toBe(true);
    if (nodeHasCompileCache) {
      expect(scan(repo, tmp).stdout).toBe(cold.stdout);
      return;
    }
    expect(cold.cache).toMatchObject({ hits: 0 });
    expect(cold.cache.misses).toBeGreaterThan(0);
    const written = entries(cold.cache.directory!);
    expect(written.length).toBe(cold.cache.misses);
    const before = written.map((file) => fs.statSync(file));

    const warm = scan(repo, tmp);
    expect(warm.stdout).toBe(cold.stdout);
    expect(warm.status).toBe(cold.status);
    expect(warm.cache).toMatchObject({ hits: cold.cache.misses, misses: 0 });
    // Not rewritten: same files (a rename would change the inode), same times.
    const after = written.map((file) => fs.statSync(file));
    expect(after.map((s) => [s.ino, s.mtimeMs])).toEqual(before.map((s) => [s.ino, s.mtimeMs]));
    // The directory is private to the user (other users could otherwise plant code in it).
    expect(fs.statSync(path.dirname(cold.cache.directory!)).mode & 0o077).toBe(0);
  });

  it.skipIf(nodeHasCompileCache)('corrupt, truncated or garbage entries are recompiled from source and replaced', () => {
    const repo = repository();
    const tmp = makeTempDir('slicefix-cc-');
    const cold = scan(repo, tmp);
    const written = entries(cold.cache.directory!);
    expect(written.length).toBeGreaterThan(0);
    const damage = [
      // The data's bytes changed, its length kept: only the checksum can tell (V8 would not).
      (bytes: Buffer) => {
        const copy = Buffer.from(bytes);
        for (let i = copy.indexOf(10) + 200; i < copy.length; i += 97) copy[i] ^= 0x5a;
        return copy;
      },
      (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2)),
      () => Buffer.from('not a cache entry at all'),
      () => Buffer.from('null\n'),
      () => Buffer.alloc(0),
    ];
    for (const spoil of damage) {
      for (const file of written) fs.writeFileSync(file, spoil(fs.readFileSync(file)));
      const spoilt = scan(repo, tmp);
      expect(spoilt.stdout).toBe(cold.stdout);
      expect(spoilt.status).toBe(cold.status);
      expect(spoilt.cache).toMatchObject({ hits: 0, misses: cold.cache.misses });
      // Replaced at exit: the next run hits again.
      expect(scan(repo, tmp).cache).toMatchObject({ hits: cold.cache.misses, misses: 0 });
    }
  });

  it.skipIf(nodeHasCompileCache)('an entry of a changed source file is not used', () => {
    const tmp = makeTempDir('slicefix-cc-');
    const dir = writeTree({ 'big.cjs': bigModule('one') });
    const first = runModule(dir, tmp);
    expect(first.value).toBe('one');
    // Same length, other content: V8 checks only the length; the entry must not be used.
    fs.writeFileSync(path.join(dir, 'big.cjs'), bigModule('two'));
    const second = runModule(dir, tmp);
    expect(second.value).toBe('two');
    expect(second.stats).toMatchObject({ hits: 0, misses: 1 });
    expect(runModule(dir, tmp).stats).toMatchObject({ hits: 1, misses: 0 });
  });

  it('a cache that cannot be written, or a shared directory, only costs speed', () => {
    const repo = repository();
    const reference = scan(repo, makeTempDir('slicefix-cc-')).stdout;
    // The version directory is a file: nothing can be written under it.
    const blocked = makeTempDir('slicefix-cc-');
    const first = scan(repo, blocked);
    fs.rmSync(first.cache.directory!, { recursive: true, force: true });
    fs.writeFileSync(first.cache.directory!, 'in the way');
    for (let i = 0; i < 2; i++) expect(scan(repo, blocked).stdout).toBe(reference);
    // A cache root others may write to is not trusted at all.
    const shared = makeTempDir('slicefix-cc-');
    const root = path.dirname(scan(repo, shared).cache.directory!);
    fs.chmodSync(root, 0o777);
    const distrusted = scan(repo, shared);
    expect(distrusted.stdout).toBe(reference);
    if (!nodeHasCompileCache) expect(distrusted.cache.hits).toBe(0);
    else expect(distrusted.cache.mode).toBe('off');
  });

  it('SLICEFIX_NO_COMPILE_CACHE=1 turns it off and leaves no trace', () => {
    const repo = repository();
    const tmp = makeTempDir('slicefix-cc-');
    const reference = scan(repo, makeTempDir('slicefix-cc-')).stdout;
    const off = scan(repo, tmp, { SLICEFIX_NO_COMPILE_CACHE: '1' });
    expect(off.cache.mode).toBe('off');
    expect(off.stdout).toBe(reference);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it.skipIf(nodeHasCompileCache)('a module compiled from the cache behaves as one Node compiled', () => {
    const tmp = makeTempDir('slicefix-cc-');
    const dir = writeTree({ 'big.cjs': bigModule('v') });
    for (const expected of [{ hits: 0, misses: 1 }, { hits: 1, misses: 0 }]) {
      const run = runModule(dir, tmp);
      expect(run.stats).toMatchObject({ ...expected, uncacheable: 0 });
      expect(run).toMatchObject({
        value: 'v',
        filename: path.join(dir, 'big.cjs'),
        dirname: dir,
        dep: 42,
        resolved: path.join(dir, 'dep.cjs'),
        thisIsExports: true,
        // Line numbers in stack traces are the file's own.
        throwLine: 4,
      });
    }
  });

  it.skipIf(nodeHasCompileCache)('a module that calls import() is left to Node, and still can', () => {
    // Node 20 loses the import() callback of a script compiled from cached data.
    const tmp = makeTempDir('slicefix-cc-');
    const dir = writeTree({ 'big.cjs': bigModule('v', "exports.load = () => import('./esm.mjs');") });
    for (let i = 0; i < 2; i++) {
      const run = runModule(dir, tmp);
      expect(run.stats).toMatchObject({ hits: 0, misses: 0, uncacheable: 1 });
      expect(run.dynamicImport).toBe(42);
    }
  });
});

/** A CommonJS module over the cache's size threshold (a long comment), exercising what a module can use. */
function bigModule(value: string, extra = ''): string {
  return [
    `exports.value = ${JSON.stringify(value)};`,
    'exports.filename = __filename; exports.dirname = __dirname; exports.thisIsExports = this === module.exports;',
    "exports.dep = require('./dep.cjs'); exports.resolved = require.resolve('./dep.cjs');",
    "exports.fail = () => { throw new Error('here'); };",
    // Strings and comments that only look like a dynamic import do not make a module uncacheable.
    "exports.text = \"import('x')\"; // import('y')",
    extra,
    `// ${'x'.repeat(70 * 1024)}`,
    '',
  ].join('\n');
}

function runModule(dir: string, tmp: string): Record<string, unknown> & { stats: CacheStats } {
  if (!fs.existsSync(path.join(dir, 'dep.cjs'))) fs.writeFileSync(path.join(dir, 'dep.cjs'), 'module.exports = 42;\n');
  if (!fs.existsSync(path.join(dir, 'esm.mjs'))) fs.writeFileSync(path.join(dir, 'esm.mjs'), 'export const answer = 42;\n');
  const script = `
    import { createRequire } from 'node:module';
    import { compileCacheStats, enableCompileCache } from ${JSON.stringify(path.join(repoRoot, 'dist/src/compile-cache.js'))};
    enableCompileCache(process.env, 'test');
    const big = createRequire(${JSON.stringify(path.join(dir, 'x.js'))})('./big.cjs');
    let throwLine;
    try { big.fail(); } catch (error) { throwLine = Number(/big\\.cjs:(\\d+)/.exec(error.stack)[1]); }
    const { value, filename, dirname, dep, resolved, thisIsExports } = big;
    const dynamicImport = big.load ? (await big.load()).answer : undefined;
    console.log(JSON.stringify({ value, filename, dirname, dep, resolved, thisIsExports, dynamicImport, throwLine, stats: compileCacheStats() }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', env: cacheEnv(tmp) });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown> & { stats: CacheStats };
}
