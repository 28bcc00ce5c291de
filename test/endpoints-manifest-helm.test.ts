/**
 * Helm template fixes proven by rendering them with the real `helm` (issue 14 §4): the chart in
 * fixtures/endpoints-manifest/helm-chart names its Endpoints the ways charts quote names (`| quote`, `| squote`,
 * `printf "%q"`, a quoted scalar), and several need more than one slice (`-ipv6`, `-2`). Before and after `--fix`,
 * `helm template` must succeed, and the rendered slices must carry exactly the endpoints of the rendered Endpoints
 * (address, port, protocol, ready, ...), under valid names and the Endpoints' Service name.
 *
 * helm is installed, pinned, by scripts/install-helm.sh (called from .ci/run). Without it these tests are skipped
 * and say so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpointsManifest } from '../rules/endpoints-manifest.js';
import { sliceProblems } from '../src/k8s/validate-slice.js';
import { fixturesDir, lint, makeTempDir } from './helpers.js';
import { endpointsTuples, isEndpoints, isSlice, slicesTuples } from './endpoints-manifest.support.js';
import { findHelm, renderChart } from './helm.support.js';

const helm = findHelm();
if (!helm) console.warn('test/endpoints-manifest-helm.test.ts skipped: helm is not on PATH nor in $(go env GOPATH)/bin (run scripts/install-helm.sh)');

function render(chart: string): Record<string, any>[] {
  return renderChart(helm!, chart);
}

function copyChart(): string {
  const dir = path.join(makeTempDir('slicefix-helm-'), 'chart');
  fs.cpSync(path.join(fixturesDir, 'endpoints-manifest', 'helm-chart'), dir, { recursive: true });
  return dir;
}

describe.skipIf(!helm)('endpoints-manifest --fix on a Helm chart, rendered by helm', () => {
  it('renders before and after, with the same endpoints under valid slice names', async () => {
    const chart = copyChart();
    const before = render(chart).filter(isEndpoints);
    expect(before.map((e) => e.metadata.name).sort()).toEqual(['pg-main', 'rel', 'rel-ext', 'rel-external-backends']);

    const { result } = await lint(chart, [endpointsManifest], { fix: true });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => !f.fixable)).toEqual([]);
    expect(result.summary.fixed).toBe(4);

    let after: Record<string, any>[] = [];
    expect(() => (after = render(chart)), 'helm template fails on the fixed chart').not.toThrow();
    expect(after.filter(isEndpoints)).toEqual([]);
    const slices = after.filter(isSlice);
    expect(new Set(slices.map((s) => s.metadata.name)).size).toBe(slices.length);
    for (const slice of slices) expect(sliceProblems(slice), slice.metadata.name).toEqual([]);
    for (const endpoints of before) {
      const own = slices.filter((s) => s.metadata.labels['kubernetes.io/service-name'] === endpoints.metadata.name);
      expect(slicesTuples(own), endpoints.metadata.name).toEqual(endpointsTuples(endpoints));
    }
    // The quoted names got their suffix inside the quotes.
    expect(slices.map((s) => s.metadata.name).sort()).toEqual([
      'pg-main',
      'pg-main-ipv6',
      'rel',
      'rel-external-backends',
      'rel-external-backends-2',
      'rel-external-backends-ipv6',
      'rel-ext',
      'rel-ext-ipv6',
      'rel-ipv6',
    ].sort());

    // A second --fix finds nothing to do.
    const again = await lint(chart, [endpointsManifest], { fix: true });
    expect(again.result.findings).toEqual([]);
    expect(again.result.summary.fixed).toBe(0);
  });
});
