/**
 * The fixture module against the real Kubernetes libraries: every "before" and every "after" package builds,
 * passes `go vet` and is gofmt-clean, and staticcheck finds no deprecated Endpoints type (SA1019) left in an
 * "after" package where slicefix left no finding. The suite prepares what it needs itself (fixtures/go/ci-setup.sh:
 * the module cache for fixtures/go and a pinned staticcheck), so `npm test` passes on a machine with empty Go
 * caches. The go tool's own output (`go: downloading …` on a cold cache) is progress, never a result: results
 * are exit codes, gofmt's list and staticcheck's diagnostics. Outside CI these tests skip when `go` is missing;
 * with CI=true they must run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixturesDir } from './helpers.js';
import { findTool } from './support/go-tools.js';

const moduleDir = path.join(fixturesDir, 'go');
const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' };

const go = findTool('go', ['/usr/local/go/bin']);
const gofmt = go ? findTool('gofmt', [path.dirname(go)]) : undefined;
const inCI = process.env.CI === 'true';

if (!go && !inCI) console.warn('slicefix: `go` is not installed; skipping the Go toolchain checks of fixtures/go (they run in CI).');

function run(cmd: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(cmd, args, { cwd: moduleDir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!go && !inCI)('fixtures/go with the real client-go', () => {
  /** staticcheck as fixtures/go/ci-setup.sh installed it (in GOPATH/bin), or one on PATH. */
  let staticcheck: string | undefined;

  beforeAll(() => {
    if (!go) return;
    // Downloads the modules pinned in fixtures/go (go.sum-verified), installs the pinned staticcheck and warms the
    // build cache; a no-op on a warm machine. Its output is shown only when it fails.
    const setup = spawnSync('bash', [path.join(moduleDir, 'ci-setup.sh')], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    expect(setup.status, `fixtures/go/ci-setup.sh failed:\n${setup.stdout}${setup.stderr}`).toBe(0);
    const gopathBin = path.join(execFileSync(go, ['env', 'GOPATH'], { env, encoding: 'utf8' }).trim(), 'bin');
    staticcheck = findTool('staticcheck', [gopathBin]);
  }, 1_800_000);

  test('the toolchain is there', () => {
    expect(go, 'go must be installed in CI').toBeDefined();
    expect(gofmt, 'gofmt must be installed in CI').toBeDefined();
  });

  test('go build ./... (every before and after package)', { timeout: 900_000 }, () => {
    const { code, stdout, stderr } = run(go!, ['build', './...']);
    expect(code, stdout + stderr).toBe(0);
  });

  test('go vet ./...', { timeout: 900_000 }, () => {
    // vet exits non-zero on any diagnostic; what it prints otherwise is the go tool's progress.
    const { code, stdout, stderr } = run(go!, ['vet', './...']);
    expect(code, stdout + stderr).toBe(0);
  });

  test('gofmt -l . lists nothing', { timeout: 120_000 }, () => {
    // gofmt -l prints the files whose formatting differs: its result.
    const { code, stdout, stderr } = run(gofmt!, ['-l', '.']);
    expect(stdout).toBe('');
    expect(code, stderr).toBe(0);
  });

  test('staticcheck: no SA1019 for Endpoints types where slicefix fixed everything', { timeout: 900_000 }, () => {
    expect(staticcheck, 'staticcheck is installed by fixtures/go/ci-setup.sh').toBeDefined();
    const expected: Record<string, { after: Record<string, number> }> = JSON.parse(fs.readFileSync(path.join(moduleDir, 'expected.json'), 'utf8'));
    // staticcheck exits 1 when it reports something (it does here, see below); its diagnostics are on stdout.
    const { code, stdout, stderr } = run(staticcheck!, ['-checks', 'SA1019', './...']);
    expect([0, 1], stderr).toContain(code);
    const flagged = new Set(
      stdout
        .split('\n')
        .filter((line) => /k8s\.io\/api\/core\/v1\.Endpoint\w* is deprecated/.test(line))
        .map((line) => line.split('/').slice(0, 2).join('/')),
    );
    const fullyFixed = Object.keys(expected).filter((pkg) => Object.keys(expected[pkg].after).length === 0);
    expect(fullyFixed.length).toBeGreaterThan(0);
    for (const pkg of fullyFixed) {
      if (fs.existsSync(path.join(moduleDir, 'after', pkg))) expect(flagged.has(`after/${pkg}`), `after/${pkg}`).toBe(false);
    }
    // The check is live: staticcheck does flag the packages whose types slicefix reports but leaves to a person.
    expect(flagged.has('after/aliases')).toBe(true);
    expect(flagged.has('before/reconciler')).toBe(true);
  });
});
