/**
 * --cache: a second scan of unchanged files reuses their verdicts (no parse), changed files are checked again,
 * findings that depend on facts from other files are recomputed when those facts change, and --fix never trusts
 * a cached fixable finding.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheSignature, factsDigest, FileCache } from '../src/cache.js';
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

async function run(dir: string, options: { fix?: boolean; location?: string; signature?: string } = {}): Promise<ScanResult> {
  const cache = FileCache.load(options.location ?? path.join(dir, '.slicefix-cache'), options.signature ?? signature);
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

  it('digests facts independently of the order they were collected in, and refuses what is not plain JSON', () => {
    expect(factsDigest([['k', [1, 'a', { b: 2 }]]])).toBe(factsDigest([['k', [{ b: 2 }, 'a', 1]]]));
    expect(factsDigest([['k', [1]]])).not.toBe(factsDigest([['k', [2]]]));
    expect(factsDigest([['k', [new Map()]]])).not.toBe(factsDigest([['k', [new Map()]]]));
  });
});
