/** Every registered rule is complete: metadata, its page, its codemod, fixtures, and a case in the demo. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { fixturesDir, lint, makeTempDir, repoRoot } from './helpers.js';

describe('rule registry', () => {
  it('has unique ids', () => {
    const ids = rules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  for (const { meta } of rules) {
    describe(meta.id, () => {
      it('declares complete metadata', () => {
        expect(meta.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(['error', 'warning']).toContain(meta.severity);
        expect(meta.description.length).toBeGreaterThan(10);
        expect(meta.help.length).toBeGreaterThan(meta.description.length);
        expect(meta.languages.length).toBeGreaterThan(0);
        expect(meta.triggers.length).toBeGreaterThan(0);
        expect(Object.keys(meta.messages).length).toBeGreaterThan(0);
        if (meta.fixable) expect(meta.codemod).toBeTruthy();
      });

      it('has its page with the standard headings', () => {
        expect(meta.docs).toBe(`rules/${meta.id}.md`);
        const page = fs.readFileSync(path.join(repoRoot, meta.docs), 'utf8');
        for (const heading of ['## What it flags', '## Why', '## Incorrect', '## Correct', '## Options', '## When not to use it']) {
          expect(page, heading).toContain(heading);
        }
      });

      it('has its codemod file when fixable', () => {
        if (!meta.codemod) return;
        expect(fs.existsSync(path.join(repoRoot, 'codemods', `${meta.codemod}.ts`))).toBe(true);
      });

      it('has fixtures', () => {
        expect(fs.existsSync(path.join(fixturesDir, meta.id)) || fs.existsSync(path.join(fixturesDir, meta.languages[0]))).toBe(true);
      });
    });
  }

  it('README rule table matches the rules (npm run docs)', () => {
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/rule-table.mjs'), '--check'], { cwd: repoRoot });
  });
});

describe('examples/demo', () => {
  it('holds a case of every rule', async () => {
    const { result } = await lint(path.join(repoRoot, 'examples/demo'), rules);
    const found = new Set(result.findings.map((f) => f.ruleId));
    expect([...found].sort()).toEqual(rules.map((r) => r.meta.id).sort());
    expect(result.errors).toEqual([]);
  });

  it('--fix on a copy fixes what it can, and a second --fix changes nothing', async () => {
    const dir = makeTempDir('slicefix-demo-');
    try {
      fs.cpSync(path.join(repoRoot, 'examples/demo'), dir, { recursive: true });
      const first = await lint(dir, rules, { fix: true });
      expect(first.result.summary.fixed).toBeGreaterThan(0);
      expect(first.result.errors).toEqual([]);
      const second = await lint(dir, rules, { fix: true });
      expect(second.result.summary.fixed).toBe(0);
      expect(second.files).toEqual(first.files);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

