/**
 * The engine's contracts, with a small rule made for the test (it flags `OLD` and fixes it to `NEW`) beside the
 * real endpoints-rbac rule: pre-filter, suppressions, fix passes, parse check, atomic writes, BOM/CRLF.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.js';
import { applyEdits, LineIndex, selectNonOverlapping } from '../src/edits.js';
import { ScanShard } from '../src/shard.js';
import type { Rule } from '../src/types.js';
import { lint, writeTree } from './helpers.js';

function wordRule(options: { id?: string; fix?: boolean; replacement?: string; unsafe?: boolean } = {}): Rule {
  return {
    meta: {
      id: options.id ?? 'old-word',
      severity: 'error',
      description: 'test rule',
      help: 'test rule',
      docs: 'rules/old-word.md',
      languages: ['yaml', 'shell'],
      triggers: ['OLD'],
      fixable: options.fix !== false,
      messages: { old: 'found {{word}}' },
    },
    check(context) {
      for (const match of context.file.text.matchAll(/OLD/g)) {
        context.report({
          start: match.index,
          end: match.index + 3,
          messageId: 'old',
          data: { word: 'OLD' },
          ...(options.fix === false
            ? {}
            : { [options.unsafe ? 'unsafeFix' : 'fix']: [{ start: match.index, end: match.index + 3, text: options.replacement ?? 'NEW' }] }),
        });
      }
    },
  };
}

describe('edits', () => {
  it('applies edits from the end so offsets stay valid', () => {
    expect(applyEdits('abcdef', [{ start: 0, end: 1, text: 'X' }, { start: 4, end: 6, text: 'YZW' }])).toBe('XbcdYZW');
  });
  it('takes an edit group whole or not at all, never overlapping', () => {
    const taken = selectNonOverlapping([
      [{ start: 0, end: 5, text: 'a' }],
      [{ start: 3, end: 8, text: 'b' }, { start: 20, end: 21, text: 'c' }],
      [{ start: 10, end: 12, text: 'd' }],
    ]);
    expect(taken.map((e) => e.text)).toEqual(['a', 'd']);
  });
  it('maps offsets to 1-based lines and columns', () => {
    const lines = new LineIndex('ab\ncd\r\nef');
    expect(lines.position(0)).toEqual({ line: 1, column: 1 });
    expect(lines.position(4)).toEqual({ line: 2, column: 2 });
    expect(lines.position(7)).toEqual({ line: 3, column: 1 });
  });
});

describe('scan', () => {
  it('reports with 1-based positions and the message filled in', async () => {
    const { result } = await lint({ 'a.yaml': 'x: 1\ny: OLD\n' }, [wordRule()]);
    expect(result.findings).toEqual([
      { ruleId: 'old-word', severity: 'error', file: 'a.yaml', line: 2, column: 4, endLine: 2, endColumn: 7, message: 'found OLD', fixable: true },
    ]);
    expect(result.summary).toMatchObject({ filesScanned: 1, findings: 1, fixable: 1, fixed: 0 });
  });

  it('parses only files that contain a trigger text', async () => {
    // Both files are broken YAML; only the one with the trigger is parsed, so only it has a parse error.
    const { result } = await lint({ 'a.yaml': 'x: [\n', 'b.yaml': 'OLD: [\n' }, [wordRule()]);
    expect(result.summary.filesScanned).toBe(2);
    expect(result.errors.map((e) => e.file)).toEqual(['b.yaml']);
  });

  it('fixes, writes once, and leaves files without findings untouched', async () => {
    const dir = writeTree({ 'a.yaml': 'k: OLD OLD\n', 'b.yaml': 'k: fine\n' });
    const before = fs.statSync(path.join(dir, 'b.yaml')).mtimeMs;
    const { result, files } = await lint(dir, [wordRule()], { fix: true });
    expect(files['a.yaml']).toBe('k: NEW NEW\n');
    expect(result.findings).toEqual([]);
    expect(result.summary.fixed).toBe(1);
    expect(fs.statSync(path.join(dir, 'b.yaml')).mtimeMs).toBe(before);
    expect(result.diffs[0].patch).toContain('-k: OLD OLD\n+k: NEW NEW');
  });

  it('--dry-run computes the diff and writes nothing', async () => {
    const { result, files } = await lint({ 'a.yaml': 'k: OLD\n' }, [wordRule()], { dryRun: true });
    expect(files['a.yaml']).toBe('k: OLD\n');
    expect(result.diffs).toHaveLength(1);
    expect(result.findings).toHaveLength(1);
    expect(result.summary.fixed).toBe(0);
  });

  it('stops after 10 passes when a fix keeps producing findings', async () => {
    // OLD → OLDx: every pass finds OLD again.
    const { files, result } = await lint({ 'a.yaml': 'k: OLD\n' }, [wordRule({ replacement: 'OLDx' })], { fix: true });
    expect(files['a.yaml']).toBe(`k: OLD${'x'.repeat(10)}\n`);
    expect(result.findings).toHaveLength(1);
  });

  it('does not write a fix whose result does not parse, and says so', async () => {
    const { files, result } = await lint({ 'a.yaml': 'k: OLD\n' }, [wordRule({ replacement: '[unclosed' })], { fix: true });
    expect(files['a.yaml']).toBe('k: OLD\n');
    expect(result.summary.fixed).toBe(0);
    expect(result.errors[0].file).toBe('a.yaml');
    expect(result.errors[0].message).toMatch(/not written because its result does not parse/);
  });

  it('applies no fix to a file that does not parse, but still reports', async () => {
    const { files, result } = await lint({ 'a.yaml': 'k: OLD\nbad: [\n' }, [wordRule()], { fix: true });
    expect(files['a.yaml']).toBe('k: OLD\nbad: [\n');
    expect(result.findings).toHaveLength(1);
    expect(result.errors[0].message).toMatch(/could not be parsed: .*line \d+, column \d+.*no fix is applied/);
  });

  it('honours slicefix-ignore-next-line and slicefix-ignore-file with and without rule ids', async () => {
    const { result } = await lint(
      {
        'a.yaml': '# slicefix-ignore-next-line\nk: OLD\nj: OLD\n# slicefix-ignore-next-line other-rule\nl: OLD\n',
        'b.sh': '# slicefix-ignore-file old-word\necho OLD\n',
      },
      [wordRule()],
    );
    expect(result.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['a.yaml:3', 'a.yaml:5']);
  });

  it('keeps CRLF endings, a BOM and the file mode', async () => {
    const dir = writeTree({ 'a.sh': '\uFEFF#!/bin/sh\r\necho OLD\r\n' });
    fs.chmodSync(path.join(dir, 'a.sh'), 0o755);
    await lint(dir, [wordRule({ replacement: 'NEW\nNEWER' })], { fix: true });
    expect(fs.readFileSync(path.join(dir, 'a.sh'), 'utf8')).toBe('\uFEFF#!/bin/sh\r\necho NEW\r\nNEWER\r\n');
    expect(fs.statSync(path.join(dir, 'a.sh')).mode & 0o777).toBe(0o755);
    expect(fs.readdirSync(dir)).toEqual(['a.sh']);
  });

  it('turns a crash inside a rule into that file\'s error and goes on', async () => {
    const crashing: Rule = { ...wordRule({ id: 'crash' }), check: () => { throw new Error('boom'); } };
    const { result } = await lint({ 'a.yaml': 'OLD: 1\n', 'b.yaml': 'OLD: 2\n' }, [crashing, wordRule()]);
    expect(result.errors.map((e) => e.file)).toEqual(['a.yaml', 'b.yaml']);
    expect(result.errors[0].message).toBe('internal error in rule crash: boom');
    expect(result.findings).toHaveLength(2);
  });
});

describe('checking while reading', () => {
  it('checks a file of a rule without a collect pass only once that rule\'s prepare() has finished', async () => {
    let ready = false;
    const slow: Rule = {
      ...wordRule({ id: 'slow' }),
      prepare: () => new Promise<void>((resolve) => setTimeout(() => ((ready = true), resolve()), 30)),
      check(context) {
        if (!ready) throw new Error('checked before prepare() finished');
        wordRule().check(context);
      },
    };
    const files = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}.yaml`, `OLD: ${i}\n`]));
    const { result } = await lint(files, [slow]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(6);
  });

  it('counts each millisecond in one phase: reading and checking add up to no more than the scan took', async () => {
    const slow: Rule = {
      ...wordRule({ id: 'slow' }),
      prepare: () => new Promise<void>((resolve) => setTimeout(resolve, 50)),
    };
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}.yaml`, `OLD: ${i}\n`]));
    const started = performance.now();
    const { result } = await lint(files, [slow]);
    const wall = performance.now() - started;
    const { walkMs, readMs, checkMs } = result.stats!;
    expect(readMs).toBeGreaterThanOrEqual(0);
    expect(checkMs).toBeGreaterThanOrEqual(0);
    expect(walkMs + readMs + checkMs).toBeLessThanOrEqual(wall);
  });

  it('a rule without a collect pass that reads facts gets an error naming the contract, not stale facts', async () => {
    const reader: Rule = { ...wordRule({ id: 'reader' }), check: (context) => void context.facts.get('anything') };
    const { result } = await lint({ 'a.yaml': 'OLD: 1\n' }, [reader]);
    expect(result.errors.map((e) => e.message)).toEqual([
      'internal error in rule reader: read repository facts but declares no collect pass, so it was checked before facts were complete',
    ]);
  });
});

describe('ASTs kept between the collect and the check pass', () => {
  it('past the budget a file is parsed again for its check, with the same answers', async () => {
    const root = path.resolve(import.meta.dirname, '..');
    const { rules } = await import('../rules/index.js');
    const tree = path.join(root, 'examples', 'demo');
    const kept = await lint(tree, rules);
    const budget0 = await lint(tree, rules, { extra: { keptAstBudget: 0 } });
    expect(budget0.result.findings).toEqual(kept.result.findings);
    expect(budget0.result.errors).toEqual(kept.result.errors);
    expect(budget0.result.stats!.parses).toBeGreaterThan(kept.result.stats!.parses);
  });
});

describe('files only collected from', () => {
  it('past the budget are read again through the scan\'s reader (--staged: the git index), with the same answers', async () => {
    const { rules } = await import('../rules/index.js');
    const endpoints = 'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: web\nsubsets:\n  - addresses:\n      - ip: 10.0.0.1\n    ports:\n      - port: 80\n';
    const service = (selector: boolean) =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n${selector ? '  selector:\n    app: web\n' : ''}  ports:\n    - port: 80\n`;
    // On disk the Service has no selector; "staged" it has one, which makes the Endpoints controller-owned.
    const dir = writeTree({ 'ep.yaml': endpoints, 'svc.yaml': service(false) });
    const staged: Record<string, string> = { 'ep.yaml': endpoints, 'svc.yaml': service(true) };
    const readBytes = async (absPath: string) => Buffer.from(staged[path.basename(absPath)]);
    const kept = await lint(dir, rules, { extra: { readBytes } });
    const reread = await lint(dir, rules, { extra: { readBytes, keptPendingBudget: 0 } });
    const disk = await lint(dir, rules, { extra: { keptPendingBudget: 0 } });
    expect(reread.result.findings).toEqual(kept.result.findings);
    expect(kept.result.findings).not.toEqual(disk.result.findings);
  });
});

describe('repository facts', () => {
  /** Flags `USE name` lines unless some file declares `DEFINE name`; collects from files with DEFINE. */
  function factRule(options: { needs: boolean }): Rule & { collected: string[] } {
    const collected: string[] = [];
    return {
      collected,
      meta: {
        id: 'use-define',
        severity: 'error',
        description: 'test rule with facts',
        help: 'test rule with facts',
        docs: 'rules/use-define.md',
        languages: ['shell'],
        triggers: ['USE '],
        fixable: false,
        messages: { undefined: '{{name}} is not defined' },
        collect: { languages: ['shell'], triggers: ['DEFINE '] },
      },
      collect(context) {
        collected.push(context.file.path);
        for (const m of context.file.text.matchAll(/DEFINE (\w+)/g)) context.facts.add('defined', m[1]);
      },
      collectNeeds: options.needs ? (context) => [...context.file.text.matchAll(/USE (\w+)/g)].map((m) => m[1]) : undefined,
      check(context) {
        const defined = context.facts.get<string>('defined');
        for (const m of context.file.text.matchAll(/USE (\w+)/g)) {
          if (!defined.includes(m[1])) context.report({ start: m.index, end: m.index + m[0].length, messageId: 'undefined', data: { name: m[1] } });
        }
      },
    };
  }

  it('collects nothing when no file needs checking', async () => {
    const rule = factRule({ needs: false });
    const { result } = await lint({ 'a.sh': 'DEFINE x\n', 'b.sh': 'DEFINE y\n' }, [rule]);
    expect(rule.collected).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  it('collects from every matching file in path order, without collectNeeds', async () => {
    const rule = factRule({ needs: false });
    const { result } = await lint({ 'use.sh': 'USE x\nUSE z\n', 'b.sh': 'DEFINE y\n', 'a.sh': 'DEFINE x\n' }, [rule]);
    expect(rule.collected).toEqual(['a.sh', 'b.sh']);
    expect(result.findings.map((f) => f.message)).toEqual(['z is not defined']);
  });

  it('parseAhead parses the files collect() will parse whatever other threads need, and collect() does not parse them again', async () => {
    const dir = writeTree({ 'use.sh': 'USE x\nUSE z\nDEFINE w\n', 'a.sh': 'DEFINE x\n', 'b.sh': 'DEFINE y\n' });
    const files = ['a.sh', 'b.sh', 'use.sh'].map((f) => path.join(dir, f));
    const run = async (ahead: boolean) => {
      const rule = factRule({ needs: false });
      const shard = new ScanShard({ cwd: dir, config: defaultConfig(), rules: [{ rule, severity: 'error' }] });
      await shard.read(files);
      const needs = shard.needs();
      const before = shard.stats.parses;
      if (ahead) shard.parseAhead(needs);
      const parsedAhead = shard.stats.parses - before;
      const facts = await shard.collect(needs);
      await shard.check();
      return { parsedAhead, parses: shard.stats.parses, facts, findings: shard.result.findings, collected: rule.collected };
    };
    const plain = await run(false);
    const ahead = await run(true);
    // use.sh, read and kept to be checked, is parsed ahead; a.sh and b.sh, only collected from, are read again later.
    expect(ahead.parsedAhead).toBe(1);
    expect(ahead.parses).toBe(plain.parses);
    expect(ahead.facts).toEqual(plain.facts);
    expect(ahead.findings).toEqual(plain.findings);
    expect(ahead.collected).toEqual(['a.sh', 'b.sh', 'use.sh']);
  });

  it('collectNeeds narrows collection to files that contain what the checked files need', async () => {
    const rule = factRule({ needs: true });
    const { result } = await lint({ 'use.sh': 'USE x\nUSE z\n', 'b.sh': 'DEFINE y\n', 'a.sh': 'DEFINE x\n' }, [rule]);
    expect(rule.collected).toEqual(['a.sh']);
    expect(result.findings.map((f) => f.message)).toEqual(['z is not defined']);
  });
});

describe('unsafe fixes', () => {
  it('are reported, never applied by plain --fix, and applied with unsafeFixes', async () => {
    const plain = await lint({ 'a.yaml': 'k: OLD\n' }, [wordRule({ unsafe: true })], { fix: true });
    expect(plain.files['a.yaml']).toBe('k: OLD\n');
    expect(plain.result.findings).toMatchObject([{ fixable: false, unsafeFixable: true }]);
    expect(plain.result.summary).toMatchObject({ fixable: 0, fixed: 0 });

    const dry = await lint({ 'a.yaml': 'k: OLD\n' }, [wordRule({ unsafe: true })], { dryRun: true, extra: { unsafeFixes: true } });
    expect(dry.files['a.yaml']).toBe('k: OLD\n');
    expect(dry.result.diffs[0].patch).toContain('+k: NEW');

    const applied = await lint({ 'a.yaml': 'k: OLD\n' }, [wordRule({ unsafe: true })], { fix: true, extra: { unsafeFixes: true } });
    expect(applied.files['a.yaml']).toBe('k: NEW\n');
    expect(applied.result.summary.fixed).toBe(1);
    expect(applied.result.findings).toEqual([]);
  });

  it('leave the JSON contract of safe findings unchanged', async () => {
    const { result } = await lint({ 'a.yaml': 'k: OLD\n' }, [wordRule()], {});
    expect(Object.keys(result.findings[0])).not.toContain('unsafeFixable');
  });
});

