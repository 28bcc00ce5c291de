import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { rule } from '../rules/endpoints-rbac.js';
import { fixturesDir, goldenPairs, lint } from './helpers.js';

const invalid = goldenPairs('endpoints-rbac/invalid');
const validDir = path.join(fixturesDir, 'endpoints-rbac/valid');

describe('endpoints-rbac', () => {
  it('has golden pairs to check', () => expect(invalid.length).toBeGreaterThanOrEqual(7));

  for (const pair of invalid) {
    describe(pair.file, () => {
      it('is reported', async () => {
        const { result } = await lint({ [pair.file]: pair.input }, [rule]);
        expect(result.errors).toEqual([]);
        expect(result.findings).toHaveLength(1);
        const finding = result.findings[0];
        expect(finding.ruleId).toBe('endpoints-rbac');
        expect(finding.severity).toBe('warning');
        expect(finding.message).toMatch(/"endpointslices"/);
        expect(finding.fixable).toBe(pair.expected !== pair.input);
        // The range covers the rule that grants endpoints.
        const lines = pair.input.split('\n').slice(finding.line - 1, finding.endLine).join('\n');
        expect(lines).toContain('endpoints');
      });

      it('is fixed as expected, once', async () => {
        const first = await lint({ [pair.file]: pair.input }, [rule], { fix: true });
        expect(first.files[pair.file]).toBe(pair.expected);
        expect(first.result.summary.fixed).toBe(pair.expected === pair.input ? 0 : 1);
        const second = await lint(first.dir, [rule], { fix: true });
        expect(second.files[pair.file]).toBe(pair.expected);
        expect(second.result.summary.fixed).toBe(0);
        if (pair.expected !== pair.input) expect(second.result.findings).toEqual([]);
      });

      if (!pair.input.includes('{{')) {
        it('output parses and keeps every original grant', () => {
          const docs = parseAllDocuments(pair.expected);
          for (const doc of docs) expect(doc.errors).toEqual([]);
          const before = JSON.stringify(parseAllDocuments(pair.input).map((d) => d.toJS()));
          const after = parseAllDocuments(pair.expected).map((d) => d.toJS());
          // Every rule that was there is still there, in order.
          const rulesOf = (o: any): any[] => (o.items ? o.items.flatMap(rulesOf) : (o.rules ?? []));
          const beforeRules = JSON.parse(before).flatMap(rulesOf);
          const afterRules = after.flatMap(rulesOf);
          expect(afterRules.filter((r: any) => !r.apiGroups.includes('discovery.k8s.io'))).toEqual(beforeRules);
          expect(afterRules.some((r: any) => r.resources.includes('endpointslices'))).toBe(true);
        });
      }
    });
  }

  it('says why a templated rule is not fixed', async () => {
    const verbs = invalid.find((p) => p.name === 'helm-templated-verbs')!;
    const { result } = await lint({ 'templates/role.yaml': verbs.input }, [rule]);
    expect(result.findings[0].message).toMatch(/not fixed because the rule is partly written by template directives/);
    const included = invalid.find((p) => p.name === 'helm-included-rules')!;
    const outcome = await lint({ 'templates/role.yaml': included.input }, [rule]);
    expect(outcome.result.findings[0].message).toMatch(/the rules also come from a template \(\{\{- include "chart.extraRules"/);
  });

  it('keeps CRLF line endings and a BOM', async () => {
    const pair = invalid.find((p) => p.name === 'block-role')!;
    const crlf = '\uFEFF' + pair.input.replace(/\n/g, '\r\n');
    const { files } = await lint({ 'role.yaml': crlf }, [rule], { fix: true });
    expect(files['role.yaml']).toBe('\uFEFF' + pair.expected.replace(/\n/g, '\r\n'));
  });

  for (const file of fs.readdirSync(validDir)) {
    it(`does not report ${file}`, async () => {
      const { result } = await lint({ [file]: fs.readFileSync(path.join(validDir, file), 'utf8') }, [rule], { fix: true });
      expect(result.findings).toEqual([]);
      expect(result.errors).toEqual([]);
      expect(result.summary.fixed).toBe(0);
    });
  }
});
