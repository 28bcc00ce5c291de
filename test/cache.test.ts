/**
 * --cache: a second scan of unchanged files reuses their verdicts (no parse), changed files are checked again,
 * findings that depend on facts from other files are recomputed when those facts change, and --fix never trusts
 * a cached fixable finding.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey, cacheKeyFile, cacheSignature, factsDigest, FileCache } from '../src/cache.js';
import { runCli } from '../src/cli.js';
import { rules } from '../rules/index.js';
import { defaultConfig } from '../src/config.js';
import type { Rule, ScanResult } from '../src/types.js';
import { lint, makeTempDir, writeTree } from './helpers.js';

/** Flags `kubectl get NAME` in shell scripts unless some `allow.sh` declares `# allow NAME` (a fact). */
const allowRule: Rule<{ lines: { start: number; text: string }[] }> = {
  meta: {
    id: 'no-get',
    severity: 'error',
    description: 'test rule',
    help: 'test rule',
    docs: 'rules/no-get.md',
    languages: ['shell'],
    triggers: ['kubectl get'],
    fixable: true,
    messages: { get: 'get {{name}}' },
    collect: { languages: ['shell'], triggers: ['# allow'] },
  },
  collect(context) {
    for (const line of context.ast.lines) {
      const m = /^# allow (\S+)/.exec(line.text);
      if (m) context.facts.add('allowed', m[1]);
    }
  },
  check(context) {
    const allowed = context.facts.get<string>('allowed');
    for (const line of context.ast.lines) {
      const m = /kubectl get (\S+)/.exec(line.text);
      if (m && !allowed.includes(m[1])) {
        const start = line.start + m.index;
        context.report({ start, end: start + m[0].length, messageId: 'get', data: { name: m[1] }, fix: [{ start, end: start + m[0].length, text: `kubectl describe ${m[1]}` }] });
      }
    }
  },
};

const signature = cacheSignature('test', [{ id: 'no-get', severity: 'error' }], defaultConfig().settings);

/** This user's key (tests pass it; the CLI reads SLICEFIX_CACHE_KEY or the key file). */
const userKey = Buffer.from('a'.repeat(64));

async function run(dir: string, options: { fix?: boolean; location?: string; signature?: string; key?: Buffer } = {}): Promise<ScanResult> {
  const cache = FileCache.load(options.location ?? path.join(dir, '.slicefix-cache'), options.signature ?? signature, options.key ?? userKey);
  const { result } = await lint(dir, [allowRule], { fix: options.fix, extra: { cache } });
  cache.save();
  return result;
}

const comparable = (r: ScanResult) => ({ findings: r.findings, errors: r.errors, summary: r.summary });

/** Files written by a test are seconds old, so the cache re-hashes them; age them to test the metadata path. */
function age(dir: string): void {
  const old = new Date(Date.now() - 3_600_000);
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) fs.utimesSync(path.join(dir, f), old, old);
}

describe('cache', () => {
  it('gives the same report on a second run without parsing any unchanged file', async () => {
    const dir = writeTree({ 'a.sh': 'kubectl get pods\n', 'b.sh': 'echo hi\n', 'c.yaml': 'x: 1\n', 'd.txt': 'kubectl get x\n' });
    const first = await run(dir);
    expect(first.findings.map((f) => f.file)).toEqual(['a.sh']);
    const second = await run(dir);
    expect(comparable(second)).toEqual(comparable(first));
    expect(second.stats!.parses).toBe(0);
  });

  it('trusts size and times of files last changed well before they were hashed, and reads nothing', async () => {
    const dir = writeTree({ 'a.sh': 'kubectl get pods\n', 'b.sh': 'echo hi\n' });
    age(dir);
    const first = await run(dir);
    const second = await run(dir);
    expect(comparable(second)).toEqual(comparable(first));
    expect(second.stats!.filesRead).toBe(0);
  });

  it('checks a changed file again, even one whose size and mtime were put back', async () => {
    const dir = writeTree({ 'a.sh': 'kubectl get pods\n', 'b.sh': 'echo hi\nxxxxxxxxx\n' });
    age(dir);
    await run(dir);
    const stat = fs.statSync(path.join(dir, 'b.sh'));
    fs.writeFileSync(path.join(dir, 'b.sh'), 'kubectl get nodes\n');
    expect(fs.statSync(path.join(dir, 'b.sh')).size).toBe(stat.size);
    fs.utimesSync(path.join(dir, 'b.sh'), stat.atime, stat.mtime);
    const second = await run(dir);
    expect(second.findings.map((f) => f.message)).toEqual(['get pods', 'get nodes']);
  });

  it('replays the facts of unchanged files instead of collecting them again', async () => {
    const dir = writeTree({ 'a.sh': 'kubectl get pods\nkubectl get nodes\n', 'allow.sh': '# allow pods\n', 'other.sh': '# allow x\nkubectl get x\n' });
    age(dir);
    const first = await run(dir);
    expect(first.findings.map((f) => f.message)).toEqual(['get nodes']);
    const second = await run(dir);
    expect(comparable(second)).toEqual(comparable(first));
    expect(second.stats!.parses).toBe(0);
    // One changed file that reads the facts: checked again under the replayed facts of the others.
    fs.writeFileSync(path.join(dir, 'a.sh'), 'kubectl get pods\nkubectl get x\nkubectl get y\n');
    const third = await run(dir);
    expect(third.findings.map((f) => f.message)).toEqual(['get y']);
    expect(third.stats!.parses).toBe(1);
  });

  it('recomputes cached findings when the facts they were computed under change', async () => {
    const dir = writeTree({ 'a.sh': 'kubectl get pods\nkubectl get nodes\n', 'allow.sh': '# allow pods\n' });
    age(dir);
    expect((await run(dir)).findings.map((f) => f.message)).toEqual(['get nodes']);
    fs.writeFileSync(path.join(dir, 'allow.sh'), '# allow nodes\n');
    expect((await run(dir)).findings.map((f) => f.message)).toEqual(['get pods']);
    expect((await run(dir)).findings.map((f) => f.message)).toEqual(['get pods']);
  });

  it('never reuses a cached fixable finding under --fix, and does not cache what it rewrote', async () => {
    const dir = writeTree({ 'a.sh': 'kubectl get pods\n' });
    age(dir);
    await run(dir);
    const fixed = await run(dir, { fix: true });
    expect(fixed.summary.fixed).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'a.sh'), 'utf8')).toBe('kubectl describe pods\n');
    expect((await run(dir)).findings).toEqual([]);
  });

  it('starts afresh under other rules or settings, or from a broken cache file', async () => {
    const dir = writeTree({ 'a.sh': 'kubectl get pods\n' });
    const location = path.join(makeTempDir(), 'cache.json');
    await run(dir, { location });
    expect((await run(dir, { location, signature: 'other' })).stats!.parses).toBe(1);
    fs.writeFileSync(location, '{not json');
    const again = await run(dir, { location });
    expect(again.findings.map((f) => f.message)).toEqual(['get pods']);
    expect(again.stats!.parses).toBe(1);
  });

  describe('a cache file this user did not write cannot hide a finding', () => {
    /** What someone would commit to hide findings: every cached verdict emptied (the content hashes still match). */
    const emptyFindings = (text: string) => text.replace(/"findings":\[\{.*?\}\]/g, '"findings":[]');

    /** Empties every verdict of the cache at `location` and signs the result with `key` (which its forger has). */
    function forge(location: string, key: Buffer): void {
      const text = fs.readFileSync(location, 'utf8');
      const newline = text.indexOf('\n');
      const header = JSON.parse(text.slice(0, newline));
      const body = emptyFindings(text.slice(newline + 1));
      header.mac = crypto.createHmac('sha256', key).update(header.signature).update('\n').update(body).digest('hex');
      fs.writeFileSync(location, `${JSON.stringify(header)}\n${body}`);
    }

    it('an edited cache, or one signed with another key, is ignored; one of this key is used', async () => {
      const dir = writeTree({ 'a.sh': 'kubectl get pods\n' });
      age(dir);
      const location = path.join(dir, '.slicefix-cache');
      const attacker = Buffer.from('b'.repeat(64));
      // Signed by its writer, but not by this user: a cache committed to the repository, or copied.
      await run(dir, { key: attacker });
      forge(location, attacker);
      expect(fs.readFileSync(location, 'utf8')).toContain('"findings":[]');
      expect(FileCache.load(location, signature, attacker).size).toBe(1); // its writer would trust it
      const loaded = FileCache.load(location, signature, userKey);
      expect(loaded.rejected).toBe('unsigned');
      expect(loaded.size).toBe(0);
      expect((await run(dir)).findings.map((f) => f.message)).toEqual(['get pods']);
      // The same edit to this user's own cache breaks its signature.
      fs.writeFileSync(location, emptyFindings(fs.readFileSync(location, 'utf8')));
      expect(fs.readFileSync(location, 'utf8')).toContain('"findings":[]');
      expect((await run(dir)).findings.map((f) => f.message)).toEqual(['get pods']);
      // Untouched, it is used: nothing is read again.
      expect((await run(dir)).stats!.filesRead).toBe(0);
    });

    it('a signed cache with malformed entries is ignored, and the scan goes on', async () => {
      const dir = writeTree({ 'a.sh': 'kubectl get pods\n' });
      const location = path.join(dir, '.slicefix-cache');
      const body = JSON.stringify({ [path.join(dir, 'a.sh')]: { size: 'x', findings: 'none' } });
      const mac = crypto.createHmac('sha256', userKey).update(signature).update('\n').update(body).digest('hex');
      fs.writeFileSync(location, `${JSON.stringify({ format: 2, signature, mac })}\n${body}`);
      expect(FileCache.load(location, signature, userKey).rejected).toBe('malformed');
      expect((await run(dir)).findings.map((f) => f.message)).toEqual(['get pods']);
    });

    it('the CLI: a committed .slicefix-cache is ignored with a note, and the key lives outside the repository', async () => {
      const script = '#!/bin/sh\nkubectl get endpoints web\n';
      const cli = async (cwd: string, env: NodeJS.ProcessEnv) => {
        let stdout = '';
        let stderr = '';
        const code = await runCli(['--cache', '--format', 'json'], { cwd, env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stdoutIsTTY: false, stderrIsTTY: false }, rules);
        return { code, stderr, findings: JSON.parse(stdout).findings as unknown[] };
      };
      const author = { XDG_CACHE_HOME: makeTempDir() };
      const dir = writeTree({ 'check.sh': script });
      expect((await cli(dir, author)).findings).toHaveLength(1);
      // The author commits the cache with every verdict emptied; a reviewer (another user) scans the clone.
      const cacheFile = path.join(dir, '.slicefix-cache');
      fs.writeFileSync(cacheFile, emptyFindings(fs.readFileSync(cacheFile, 'utf8')));
      const reviewer = { XDG_CACHE_HOME: makeTempDir() };
      // The same path (a CI runner's checkout is predictable, and the cache is keyed to the directory).
      const clone = dir;
      const run = await cli(clone, reviewer);
      expect(run.code).toBe(1);
      expect(run.findings).toHaveLength(1);
      expect(run.stderr).toContain('ignoring the cache .slicefix-cache: it was not written by slicefix for this user');
      expect(run.stderr).toContain('add it to .gitignore');
      const keyFile = cacheKeyFile(reviewer);
      expect(keyFile.startsWith(reviewer.XDG_CACHE_HOME)).toBe(true);
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(cacheKey(reviewer)!.toString()).toBe(fs.readFileSync(keyFile, 'utf8').trim());
      expect(cacheKey({ SLICEFIX_CACHE_KEY: 'from-a-secret' })!.toString()).toBe('from-a-secret');
      // The reviewer's own cache is then used, quietly.
      const again = await cli(clone, reviewer);
      expect(again.findings).toHaveLength(1);
      expect(again.stderr).toBe('');
      // Without a key (an unwritable home) there is no cache, rather than one no later run could trust.
      const nowhere = path.join(makeTempDir(), 'a-file');
      fs.writeFileSync(nowhere, '');
      const plain = writeTree({ 'check.sh': script });
      const keyless = await cli(plain, { XDG_CACHE_HOME: nowhere });
      expect(keyless.findings).toHaveLength(1);
      expect(keyless.stderr).toContain('--cache is off: its key could not be read or created');
      expect(fs.existsSync(path.join(plain, '.slicefix-cache'))).toBe(false);
    });
  });

  it('digests facts independently of the order they were collected in, and refuses what is not plain JSON', () => {
    expect(factsDigest([['k', [1, 'a', { b: 2 }]]])).toBe(factsDigest([['k', [{ b: 2 }, 'a', 1]]]));
    expect(factsDigest([['k', [1]]])).not.toBe(factsDigest([['k', [2]]]));
    expect(factsDigest([['k', [new Map()]]])).not.toBe(factsDigest([['k', [new Map()]]]));
  });
});
