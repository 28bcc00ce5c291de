/**
 * The benchmark's synthetic monorepo: deterministic, with the promised share of real findings and look-alikes,
 * and (for every rule that is registered) found by slicefix exactly where it was planted.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRepo, generateRepo, LOOKALIKE_EVERY, planFile, PLANT_EVERY, restoreFiles } from '../bench/generate.js';
import { rules } from '../rules/index.js';
import { lint, makeTempDir } from './helpers.js';

function treeHash(dir: string, files: string[]): string {
  const hash = crypto.createHash('sha256');
  for (const file of [...files].sort()) hash.update(file).update('\0').update(fs.readFileSync(path.join(dir, file))).update('\0');
  return hash.digest('hex');
}

describe('bench generator', () => {
  it('writes the same bytes for the same seed, and other bytes for another seed', () => {
    const a = makeTempDir();
    const b = makeTempDir();
    const ma = generateRepo(path.join(a, 'repo'), { files: 400 });
    const mb = generateRepo(path.join(b, 'repo'), { files: 400 });
    const paths = [...Array(400).keys()].map((i) => planFile(ma.seed, i).path);
    expect(new Set(paths).size).toBe(400);
    expect(treeHash(path.join(a, 'repo'), paths)).toBe(treeHash(path.join(b, 'repo'), paths));
    expect(ma).toEqual(mb);
    expect(describeRepo({ files: 400, seed: 7 }).bytes).not.toBe(ma.bytes);
  });

  it('plants one finding per 200 files and look-alikes in one file per 100', () => {
    const manifest = describeRepo({ files: 5000 });
    expect(manifest.planted).toHaveLength(5000 / PLANT_EVERY);
    expect(manifest.lookalikes).toHaveLength(5000 / LOOKALIKE_EVERY);
    expect(Object.keys(manifest.byKind).sort()).toEqual(['dockerfile', 'go', 'helm', 'js', 'json', 'makefile', 'manifest', 'markdown', 'rbac', 'shell', 'ts', 'tsx']);
    // Realistic sizes: a few KB a file on average.
    expect(manifest.bytes / manifest.files).toBeGreaterThan(2000);
    expect(manifest.bytes / manifest.files).toBeLessThan(8000);
  });

  it('restores the files a --fix run may rewrite, byte for byte', () => {
    const dir = path.join(makeTempDir(), 'repo');
    const manifest = generateRepo(dir, { files: 300 });
    for (const p of manifest.planted) fs.writeFileSync(path.join(dir, p.path), 'rewritten\n');
    expect(restoreFiles(dir, manifest)).toBe(manifest.planted.length + manifest.lookalikes.length);
    for (let index = 0; index < 300; index++) {
      const planned = planFile(manifest.seed, index);
      expect(fs.readFileSync(path.join(dir, planned.path), 'utf8')).toBe(planned.content);
    }
  });

  it('every registered rule finds its planted findings, and nothing in look-alike files', async () => {
    const dir = path.join(makeTempDir(), 'repo');
    const manifest = generateRepo(dir, { files: 2000 });
    fs.mkdirSync(path.join(dir, '.git'));
    const registered = new Set(rules.map((r) => r.meta.id));
    const { result } = await lint(dir, rules);
    for (const planted of manifest.planted.filter((p) => registered.has(p.rule))) {
      expect(result.findings.filter((f) => f.file === planted.path).map((f) => f.ruleId), planted.path).toEqual([planted.rule]);
    }
    for (const file of manifest.lookalikes) expect(result.findings.filter((f) => f.file === file), file).toEqual([]);
  });
});
