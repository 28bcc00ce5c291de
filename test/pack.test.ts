/**
 * `npm pack` output installs into an empty project as README says (`npm install ./slicefix-<version>.tgz`), and
 * its `bin` runs without the network. The install takes the dependencies from the npm cache where it has them
 * and from the registry otherwise (`--prefer-offline`): a machine whose cache lacks one (a fresh clone, an empty
 * cache) must pass as well as a warm one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, repoRoot, writeTree } from './helpers.js';

const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

describe('npm package', () => {
  it('packs only what it needs, installs from the tarball and runs offline', () => {
    const out = makeTempDir('slicefix-pack-');
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: repoRoot, env: npmEnv, encoding: 'utf8' }),
    ) as { filename: string; files: { path: string }[]; size: number }[];
    const files = packed[0].files.map((f) => f.path);
    expect(files).toContain('bin/slicefix.js');
    expect(files).toContain('dist/src/cli.js');
    expect(files).toContain('dist/rules/index.js');
    expect(files).toContain('dist/rules/endpoints-kubectl.js');
    expect(files).toContain('rules/endpoints-kubectl.md');
    expect(files).toContain('package.json');
    const unwanted = files.filter((f) => /^(fixtures|test|action|bench|node_modules)\//.test(f) || /\.ts$/.test(f) || f.startsWith('src/'));
    expect(unwanted).toEqual([]);

    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const project = writeTree({ 'package.json': JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }) });
    const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(out, packed[0].filename)], {
      cwd: project,
      env: npmEnv,
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(install.status, install.stderr).toBe(0);
    expect(fs.existsSync(path.join(project, 'node_modules/slicefix/dist/src/cli.js'))).toBe(true);

    const version = spawnSync('npx', ['--offline', 'slicefix', '--version'], { cwd: project, env: npmEnv, encoding: 'utf8' });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);

    writeTree({ 'ops/check.sh': '#!/bin/sh\nkubectl get endpoints web -n shop\n', 'ops/ok.sh': '#!/bin/sh\nkubectl get pods\n' }, project);
    const scan = spawnSync('npx', ['--offline', 'slicefix', '--format', 'json', 'ops'], { cwd: project, env: npmEnv, encoding: 'utf8' });
    expect(scan.status, scan.stderr).toBe(1);
    const report = JSON.parse(scan.stdout) as { findings: { ruleId: string; file: string; line: number }[]; summary: { filesScanned: number } };
    expect(report.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual(['endpoints-kubectl ops/check.sh:2']);
    expect(report.summary.filesScanned).toBe(2);

    const fix = spawnSync('npx', ['--offline', 'slicefix', '--fix', 'ops'], { cwd: project, env: npmEnv, encoding: 'utf8' });
    expect(fix.status, fix.stdout + fix.stderr).toBe(0);
    expect(fs.readFileSync(path.join(project, 'ops/check.sh'), 'utf8')).toContain('kubectl get endpointslices -l kubernetes.io/service-name=web -n shop');
  }, 600_000);
});
