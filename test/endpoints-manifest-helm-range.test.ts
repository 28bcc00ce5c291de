/**
 * Endpoints whose addresses come from a `{{- range }}` over a values list (kube-prometheus-stack's exporters,
 * issue 16), fixed into one slice per address family and proven by rendering: fixtures/endpoints-manifest/
 * helm-range-chart is rendered by the real helm before and after --fix with each values file of its values/
 * folder (IPv4, IPv6, mixed, one address, empty lists, disabled). For every values file the rendered slices must
 * carry exactly the multiset of (address, port, protocol, ready, nodeName, hostname) the rendered Endpoints
 * carried, per Service and namespace, each slice must pass the v1 schema and the API's address rules, and the
 * other objects must render the same.
 *
 * helm is installed, pinned, by scripts/install-helm.sh (called from .ci/run). Without it these tests are skipped
 * and say so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { endpointsManifest } from '../rules/endpoints-manifest.js';
import { sliceProblems } from '../src/k8s/validate-slice.js';
import { loadManifestRuntime } from '../src/k8s/runtime.js';
import { fixturesDir, lint, makeTempDir } from './helpers.js';
import { byService, decoded, isEndpoints, isSlice } from './endpoints-manifest.support.js';
import { findHelm, renderChart } from './helm.support.js';

const helm = findHelm();
if (!helm) console.warn('test/endpoints-manifest-helm-range.test.ts skipped: helm is not on PATH nor in $(go env GOPATH)/bin (run scripts/install-helm.sh)');

const fixture = path.join(fixturesDir, 'endpoints-manifest', 'helm-range-chart');
const valuesDir = path.join(fixture, 'values');
const valuesFiles = fs.readdirSync(valuesDir).sort();

type Obj = Record<string, any>;

const families = (objects: Obj[]) => objects.filter(isSlice).map((s) => `${s.metadata.name} ${s.addressType}`).sort();

describe.skipIf(!helm)('endpoints-manifest --fix of ranged addresses in a Helm chart, rendered by helm', () => {
  let chart: string;
  let findings: { message: string; fixable: boolean }[];

  beforeAll(async () => {
    await loadManifestRuntime();
    chart = path.join(makeTempDir('slicefix-helm-range-'), 'chart');
    fs.cpSync(fixture, chart, { recursive: true });
    findings = (await lint(chart, [endpointsManifest])).result.findings;
    const { result } = await lint(chart, [endpointsManifest], { fix: true });
    expect(result.errors).toEqual([]);
    expect(result.summary.fixed).toBe(4);
  });

  it('fixes every ranged Endpoints of the chart, and says what else must change', () => {
    expect(findings.filter((f) => !f.fixable)).toEqual([]);
    expect(findings).toHaveLength(5);
    for (const f of findings) {
      expect(f.message).toMatch(/one per address family/);
      expect(f.message).toMatch(/The Service stays selector-less/);
      expect(f.message).toMatch(/prometheus-sd-endpoints-role/);
    }
  });

  for (const values of valuesFiles) {
    it(`renders the same endpoints with values/${values}`, () => {
      const valuesFile = path.join(valuesDir, values);
      const before = renderChart(helm!, fixture, [valuesFile]);
      let after: Obj[] = [];
      expect(() => (after = renderChart(helm!, chart, [valuesFile])), 'helm template fails on the fixed chart').not.toThrow();

      expect(after.filter(isEndpoints)).toEqual([]);
      // Only the empty and disabled cases render no endpoints at all.
      expect(byService(before).size > 0, 'endpoints rendered before').toBe(!/^(empty|disabled)\./.test(values));
      expect(byService(after)).toEqual(byService(before));
      const slices = after.filter(isSlice);
      expect(new Set(slices.map((s) => s.metadata.name)).size).toBe(slices.length);
      for (const slice of slices) {
        expect(sliceProblems(decoded(slice)), slice.metadata.name).toEqual([]);
        // A slice is rendered only for a family the list holds.
        expect(slice.endpoints.length, slice.metadata.name).toBeGreaterThan(0);
        const endpoints = before.filter(isEndpoints).find((e) => e.metadata.name === slice.metadata.labels['kubernetes.io/service-name']);
        expect(slice.metadata.namespace).toBe(endpoints?.metadata.namespace);
        expect(slice.metadata.labels).toEqual({
          ...endpoints?.metadata.labels,
          'kubernetes.io/service-name': endpoints?.metadata.name,
          'endpointslice.kubernetes.io/managed-by': 'slicefix',
        });
      }
      // Everything else renders as before.
      expect(after.filter((o) => !isSlice(o))).toEqual(before.filter((o) => !isEndpoints(o)));
    });
  }

  it('renders one slice per family present, none for empty lists or a disabled feature', () => {
    const render = (values: string) => families(renderChart(helm!, chart, [path.join(valuesDir, values)]));
    expect(render('mixed.yaml')).toEqual([
      'rel-control-plane-exporters-etcd IPv4',
      'rel-control-plane-exporters-etcd-ipv6 IPv6',
      'rel-control-plane-exporters-scheduler IPv4',
      'rel-control-plane-exporters-scheduler-ipv6 IPv6',
      'rel-nodes IPv4',
      'rel-nodes-ipv6 IPv6',
      'rel-proxy-a IPv4',
      'rel-proxy-a-ipv6 IPv6',
      'rel-proxy-b-ipv6 IPv6',
    ]);
    expect(render('ipv6.yaml')).toEqual([
      'rel-control-plane-exporters-etcd-ipv6 IPv6',
      'rel-control-plane-exporters-scheduler-ipv6 IPv6',
      'rel-nodes-ipv6 IPv6',
      'rel-proxy-a-ipv6 IPv6',
      'rel-proxy-b-ipv6 IPv6',
    ]);
    expect(render('empty.yaml')).toEqual([]);
    expect(render('disabled.yaml')).toEqual([]);
    expect(renderChart(helm!, fixture, [path.join(valuesDir, 'disabled.yaml')]).filter(isEndpoints)).toEqual([]);
  });

  it('a second --fix changes nothing', async () => {
    const again = await lint(chart, [endpointsManifest], { fix: true });
    expect(again.result.findings).toEqual([]);
    expect(again.result.summary.fixed).toBe(0);
  });
});
