/**
 * Scans split over worker threads (--concurrency) must answer exactly what one thread answers: the same findings,
 * errors, diffs and fixed files, byte for byte. Threads run the compiled code (workers load dist/), so these tests
 * drive the built CLI; `npm test` builds it first.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARALLEL_MIN_FILES, threadsFor } from '../src/engine.js';
import { parseConcurrency } from '../src/cli.js';
import { makeTempDir, readTree, repoRoot, writeTree } from './helpers.js';

const bin = path.join(repoRoot, 'bin', 'slicefix.js');

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** A repository with a case of every rule (the demo) and every rule's fixtures, which include refusals and errors. */
function corpus(): string {
  const dir = makeTempDir('slicefix-parallel-');
  fs.cpSync(path.join(repoRoot, 'examples', 'demo'), path.join(dir, 'demo'), { recursive: true });
  fs.cpSync(path.join(repoRoot, 'fixtures'), path.join(dir, 'fixtures'), { recursive: true });
  return dir;
}

describe('--concurrency', () => {
  it('finds the same findings, errors and summary in 1, 2 and 3 threads', () => {
    const dir = corpus();
    const one = run(['--format', 'json', '--concurrency', 'off', '.'], dir);
    expect(one.code).toBe(1);
    expect(JSON.parse(one.stdout).findings.length).toBeGreaterThan(50);
    for (const threads of ['2', '3']) {
      const many = run(['--format', 'json', '--concurrency', threads, '.'], dir);
      expect(many.stderr).toBe(one.stderr);
      expect(many.code).toBe(one.code);
      expect(many.stdout).toBe(one.stdout);
    }
  });

  it('passes files to the thread that parses their language, wholly or past a budget only in part, with the same answers', () => {
    const dir = corpus();
    const handedOff = (env: NodeJS.ProcessEnv) => {
      const out = run(['--format', 'json', '--stats', '--concurrency', '2', '.'], dir, env);
      const stats = JSON.parse(/^slicefix-stats (.*)$/m.exec(out.stderr)![1]);
      return { stdout: out.stdout, handedOff: stats.filesHandedOff as number, read: stats.filesRead as number, matched: stats.filesMatched as number };
    };
    const one = run(['--format', 'json', '--concurrency', 'off', '.'], dir);
    const whole = handedOff({});
    const part = handedOff({ SLICEFIX_OWNED_BUDGETS: '4000,3' });
    const none = handedOff({ SLICEFIX_OWNED_BUDGETS: '0,0' });
    expect(whole.handedOff).toBeGreaterThan(20);
    expect(part.handedOff).toBeGreaterThan(0);
    expect(part.handedOff).toBeLessThan(whole.handedOff);
    expect(none.handedOff).toBe(0);
    for (const run of [whole, part, none]) {
      expect(run.stdout).toBe(one.stdout);
      // A file passed on is counted once, where it was read.
      expect(run.read).toBe(whole.read);
      expect(run.matched).toBe(whole.matched);
    }
  });

  it('with auto, starts threads during the walk of a large tree, and answers as one thread does', () => {
    const dir = corpus();
    // Enough small files to pass PARALLEL_MIN_FILES: threads start while the walk goes on.
    for (let d = 0; d < 150; d++) {
      const folder = path.join(dir, 'bulk', `d${d}`);
      fs.mkdirSync(folder, { recursive: true });
      for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(folder, `f${f}.yaml`), `name: f${f}\n`);
    }
    const one = run(['--format', 'json', '--concurrency', 'off', '.'], dir);
    const auto = run(['--format', 'json', '--stats', '.'], dir);
    expect(auto.stdout).toBe(one.stdout);
    const stats = JSON.parse(/^slicefix-stats (.*)$/m.exec(auto.stderr)![1]);
    expect(stats.filesWalked).toBeGreaterThan(PARALLEL_MIN_FILES);
    // Files passed between threads: there were threads.
    expect(stats.filesHandedOff).toBeGreaterThan(0);
  });

  it('fixes the same files to the same bytes, and prints the same --dry-run diff', () => {
    const a = corpus();
    const b = corpus();
    const dryOne = run(['--dry-run', '--concurrency', 'off', '.'], a);
    const dryMany = run(['--dry-run', '--concurrency', '3', '.'], b);
    expect(dryMany.stdout).toBe(dryOne.stdout);
    expect(dryOne.stdout).toContain('+++ b/');
    const before = readTree(a);
    const fixOne = run(['--fix', '--format', 'json', '--concurrency', 'off', '.'], a);
    const fixMany = run(['--fix', '--format', 'json', '--concurrency', '3', '.'], b);
    expect(fixMany.stdout).toBe(fixOne.stdout);
    expect(JSON.parse(fixOne.stdout).summary.fixed).toBeGreaterThan(10);
    const after = readTree(a);
    expect(after).not.toEqual(before);
    expect(readTree(b)).toEqual(after);
  });

  it('answers bad input the same way in threads: binary, invalid UTF-8, too large, unparsable, a symlink loop', () => {
    const dir = writeTree({
      'binary.yaml': Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0x45, 0x6e, 0x64, 0x70, 0x6f, 0x69, 0x6e, 0x74, 0x73, 0x00, 0x01]),
      'latin1.yaml': Buffer.concat([Buffer.from('apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
      'broken.yaml': 'apiVersion: v1\nkind: Endpoints\nmetadata: [\n',
      'broken.go': 'package x\nfunc f() { c.CoreV1().Endpoints(ns).Get(\n',
      'big.yaml': `# kind: Endpoints\n${'x'.repeat(600)}\n`,
      'run.sh': 'kubectl get ep web\n',
      '.slicefix.yaml': 'maxFileBytes: 512\n',
    });
    fs.mkdirSync(path.join(dir, 'loop'));
    fs.symlinkSync('..', path.join(dir, 'loop', 'up'));
    const one = run(['--format', 'json', '--concurrency', 'off', '.'], dir);
    const many = run(['--format', 'json', '--concurrency', '2', '.'], dir);
    expect(many.stdout).toBe(one.stdout);
    expect(many.code).toBe(one.code);
    const report = JSON.parse(one.stdout);
    expect(report.errors.map((e: { file: string }) => e.file).sort()).toEqual(['broken.go', 'broken.yaml', 'latin1.yaml']);
    expect(report.findings.map((f: { file: string }) => f.file)).toContain('run.sh');
  });

  it('uses threads only for scans large enough to repay them, and only with a rule module to load', () => {
    const rulesModule = 'file:///rules.js';
    expect(threadsFor({ threads: 'auto', rulesModule }, PARALLEL_MIN_FILES - 1)).toBe(1);
    expect(threadsFor({ threads: 'auto', rulesModule }, PARALLEL_MIN_FILES)).toBeGreaterThanOrEqual(1);
    expect(threadsFor({ threads: 3 }, 10_000)).toBe(1);
    expect(threadsFor({ threads: 3, rulesModule }, 10_000)).toBe(3);
    expect(threadsFor({ threads: 8, rulesModule }, 2)).toBe(2);
    expect(threadsFor(undefined, 10_000)).toBe(1);
  });

  it('takes auto, off or a whole number, and exits 2 on anything else', () => {
    expect(parseConcurrency(undefined)).toBe('auto');
    expect(parseConcurrency('auto')).toBe('auto');
    expect(parseConcurrency('off')).toBe(1);
    expect(parseConcurrency('2')).toBe(2);
    const dir = writeTree({ 'a.yaml': 'a: 1\n' });
    for (const bad of ['0', 'many', '1.5']) {
      const out = run(['--concurrency', bad, '.'], dir);
      expect(out.code, bad).toBe(2);
      expect(out.stderr).toMatch(/^slicefix: --concurrency takes auto, off or a whole number/);
    }
  });

  it('a worker that cannot load the rules fails the run with exit 2 and a reason, not a hang', async () => {
    const { scan } = (await import(path.join(repoRoot, 'dist', 'src', 'engine.js'))) as typeof import('../src/engine.js');
    const { defaultConfig } = (await import(path.join(repoRoot, 'dist', 'src', 'config.js'))) as typeof import('../src/config.js');
    const { rules } = (await import(path.join(repoRoot, 'dist', 'rules', 'index.js'))) as typeof import('../rules/index.js');
    const dir = writeTree({ 'a.sh': 'kubectl get ep web\n', 'b.sh': 'kubectl get ep api\n' });
    const empty = writeTree({ 'rules.mjs': 'export const rules = [];\n' });
    const options = {
      paths: ['.'],
      cwd: dir,
      config: defaultConfig(),
      rules: rules.map((rule) => ({ rule, severity: rule.meta.severity })),
      concurrency: { threads: 2, rulesModule: new URL(`file://${path.join(empty, 'rules.mjs')}`).href },
    };
    await expect(scan(options)).rejects.toThrow(/rule endpoints-manifest is not in/);
  });
});
