/**
 * The TypeScript rules on their fixture projects (`fixtures/typescript/*`), through the real engine: what is reported,
 * what --fix writes, that a second --fix changes nothing, that every output parses, and that the rewritten code
 * type-checks against the real @kubernetes/client-node of its generation (1.4 and 0.22).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ts } from 'ts-morph';
import { rule as clientRule } from '../rules/endpoints-ts-client.js';
import { rule as watchRule } from '../rules/endpoints-ts-watch.js';
import { rule as typeRule } from '../rules/endpoints-ts-type.js';
import { scriptKindOf } from '../src/languages/typescript.js';
import { lint } from './helpers.js';
import { fixtureProjects, typeCheck, type FixtureProject } from './ts-project.js';

const tsRules = [clientRule, watchRule, typeRule];
const projects = fixtureProjects();

function tree(project: FixtureProject, which: 'before' | 'after'): Record<string, string> {
  const files: Record<string, string> = { ...project.others };
  for (const s of project.sources) files[s.file] = s[which];
  return files;
}

describe('TypeScript fixture projects', () => {
  it('cover both generations, ESM and CommonJS, TS and JS', () => {
    expect(projects.some((p) => p.generation === 0)).toBe(true);
    expect(projects.some((p) => p.generation === 1)).toBe(true);
    const all = projects.flatMap((p) => p.sources.map((s) => s.file));
    expect(all.some((f) => f.endsWith('.js') || f.endsWith('.cjs'))).toBe(true);
    expect(projects.some((p) => p.sources.some((s) => s.before !== s.after))).toBe(true);
  });

  for (const project of projects) {
    describe(project.name, () => {
      it('reports what findings.txt lists', async () => {
        const { result } = await lint(tree(project, 'before'), tsRules);
        expect(result.errors).toEqual([]);
        const got = result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.fixable ? 'fixable' : 'manual'}`);
        expect(got).toEqual(project.findings);
      });

      it('is fixed as the .fixed files say, and a second --fix changes nothing', async () => {
        const first = await lint(tree(project, 'before'), tsRules, { fix: true });
        expect(first.result.errors).toEqual([]);
        for (const s of project.sources) expect(first.files[s.file], s.file).toBe(s.after);
        const second = await lint(first.dir, tsRules, { fix: true });
        expect(second.result.summary.fixed).toBe(0);
        for (const s of project.sources) expect(second.files[s.file], s.file).toBe(s.after);
        expect(second.result.findings.filter((f) => f.fixable)).toEqual([]);
      });

      it('has outputs that parse', () => {
        for (const s of project.sources) {
          const sf = ts.createSourceFile(s.file, s.after, ts.ScriptTarget.Latest, true, scriptKindOf(s.file));
          const errors = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
          expect(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), s.file).toEqual([]);
        }
      });
    });
  }
});

describe('type-check against the real @kubernetes/client-node', () => {
  for (const generation of [1, 0] as const) {
    it(`${generation === 1 ? '1.4' : '0.22'}: every fixture, before and after --fix`, () => {
      const mine = projects.filter((p) => p.generation === generation);
      expect(mine.length).toBeGreaterThan(0);
      expect(typeCheck(mine, generation)).toEqual([]);
    });
  }

  it('is not vacuous: reading subsets from a slice list is a type error', () => {
    const project = projects.find((p) => p.generation === 1 && p.sources.some((s) => s.after.includes('endpointsOfSlices(list.items)')))!;
    const broken: FixtureProject = {
      ...project,
      sources: project.sources.map((s) => ({ ...s, after: s.after.replace('endpointsOfSlices(list.items)', 'endpointsOfSlices(list.subsets)') })),
    };
    const diagnostics = typeCheck([broken], 1);
    expect(diagnostics.some((d) => d.startsWith(path.join(project.name, '')) && /subsets/.test(d))).toBe(true);
  });
});
