/**
 * The Go rules' findings and fixes on every `.go` file of the repository's fixtures and demo are pinned in
 * `go-equivalence.snapshot.json`. It was recorded before the rules switched from whole-tree node searches to
 * text-anchored lookups (a performance change that must not change a single finding, message or fix), and it
 * keeps any later change of the same kind honest.
 *
 * Each file is scanned alone (no facts from other files) and all of them in one scan (the informer rule's
 * repository-wide facts); both with and without --dry-run, whose diffs are the fixes.
 *
 * Set SLICEFIX_WRITE_GOLDEN=1 to (re)write the snapshot from the current output, only for an intended change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { rules } from '../rules/index.js';
import type { ScanResult } from '../src/types.js';
import { defaultConfig } from '../src/config.js';
import { scan } from '../src/engine.js';
import { active, repoRoot } from './helpers.js';

const goRules = rules.filter((r) => r.meta.languages.includes('go'));
const snapshotFile = path.join(repoRoot, 'test', 'go-equivalence.snapshot.json');

function goFiles(relative: string): string[] {
  return fs
    .readdirSync(path.join(repoRoot, relative), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.go'))
    .map((f) => path.posix.join(relative, f.split(path.sep).join('/')))
    .sort();
}

const files = [...goFiles('fixtures'), ...goFiles('examples/demo')];

interface Outcome {
  findings: string[];
  diffs: { file: string; patch: string }[];
  errors: string[];
}

function summarise(result: ScanResult): Outcome {
  return {
    findings: result.findings.map((f) => `${f.file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.ruleId}${f.fixable ? ' [fixable]' : ''} ${f.message}`),
    diffs: result.diffs,
    errors: result.errors.map((e) => `${e.file}: ${e.message}`),
  };
}

async function outcome(paths: string[]): Promise<{ check: Outcome; dryRun: Outcome }> {
  // The engine itself, in place (`lint` would read the whole repository back afterwards); --dry-run writes nothing.
  const options = { paths, cwd: repoRoot, config: defaultConfig(), rules: active(goRules) };
  const check = await scan(options);
  const dryRun = await scan({ ...options, dryRun: true });
  return { check: summarise(check), dryRun: summarise(dryRun) };
}

test('the Go fixtures and demo are scanned', () => {
  expect(files.length).toBeGreaterThanOrEqual(16);
});

test('Go findings and fixes equal the recorded snapshot', async () => {
  const actual: Record<string, { check: Outcome; dryRun: Outcome }> = {};
  for (const file of files) actual[file] = await outcome([file]);
  actual['(all together)'] = await outcome(files);
  if (process.env.SLICEFIX_WRITE_GOLDEN) fs.writeFileSync(snapshotFile, `${JSON.stringify(actual, null, 1)}\n`);
  const expected = JSON.parse(fs.readFileSync(snapshotFile, 'utf8'));
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  for (const key of Object.keys(expected)) expect(actual[key], key).toEqual(expected[key]);
});
