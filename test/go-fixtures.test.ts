/**
 * The Go rules on the fixture module `fixtures/go/`: every package under `before/` is fixed with the real engine
 * and must equal its twin under `after/` (a package without a twin must come out unchanged); a second --fix must
 * change nothing; and the findings left after the fix are the ones `fixtures/go/expected.json` lists.
 *
 * Set SLICEFIX_WRITE_GOLDEN=1 to (re)write `after/` from the current output (then review the diff!).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { rules } from '../rules/index.js';
import { fixturesDir, lint } from './helpers.js';

const goRules = rules.filter((r) => r.meta.languages.includes('go'));
const moduleDir = path.join(fixturesDir, 'go');
const packages = fs.readdirSync(path.join(moduleDir, 'before')).sort();

interface Expectation {
  /** Findings per rule before --fix. */
  before: Record<string, number>;
  /** Findings per rule left after --fix (each with a message saying what to do by hand). */
  after: Record<string, number>;
}
const expected: Record<string, Expectation> = JSON.parse(fs.readFileSync(path.join(moduleDir, 'expected.json'), 'utf8'));

function readPackage(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  return Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith('.go')).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

function countByRule(findings: { ruleId: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of findings) out[f.ruleId] = (out[f.ruleId] ?? 0) + 1;
  return out;
}

describe.each(packages)('fixtures/go/before/%s', (pkg) => {
  const input = readPackage(path.join(moduleDir, 'before', pkg));
  const afterDir = path.join(moduleDir, 'after', pkg);

  test('findings before the fix', async () => {
    const { result } = await lint(input, goRules);
    expect(result.errors).toEqual([]);
    expect(countByRule(result.findings)).toEqual(expected[pkg].before);
    for (const f of result.findings) expect(f.message).not.toMatch(/\{\{/);
  });

  test('--fix produces after/, and a second --fix changes nothing', async () => {
    const first = await lint(input, goRules, { fix: true });
    expect(first.result.errors).toEqual([]);
    if (process.env.SLICEFIX_WRITE_GOLDEN && JSON.stringify(first.files) !== JSON.stringify(input)) {
      fs.mkdirSync(afterDir, { recursive: true });
      for (const [file, text] of Object.entries(first.files)) fs.writeFileSync(path.join(afterDir, file), text);
    }
    const want = fs.existsSync(afterDir) ? readPackage(afterDir) : input;
    expect(first.files).toEqual(want);
    expect(countByRule(first.result.findings)).toEqual(expected[pkg].after);
    for (const f of first.result.findings) expect(f.fixable).toBe(false);

    const second = await lint(first.dir, goRules, { fix: true });
    expect(second.result.summary.fixed).toBe(0);
    expect(second.files).toEqual(first.files);
  });
});
