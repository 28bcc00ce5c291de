/**
 * prometheus-operator-discovery-role: a table of fixtures with the messages each must draw, the fixes (once,
 * idempotent, parsing), look-alikes left alone, the cross-file case (monitors elsewhere make the fix unsafe), and a
 * differential check: a fixed ServiceMonitor's or ScrapeConfig's relabelings on the EndpointSlices of each cluster
 * state keep the targets the original kept on its v1 Endpoints, but in the states the rule page declares.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { rule } from '../rules/prometheus-operator-discovery-role.js';
import { findDirectives, maskDirectives } from '../src/languages/helm.js';
import { clusterStates } from './differential/cluster-states.js';
import { endpointSliceRoleTargets, endpointsRoleTargets, scraped, type RelabelConfig, withScrapeAnnotation } from './differential/prometheus-targets.js';
import { fixturesDir, goldenPairs, itReportsNothingIn, lint, repoRoot } from './helpers.js';

const DIR = 'prometheus-operator-discovery-role';
const invalid = goldenPairs(`${DIR}/invalid`);
const validDir = path.join(fixturesDir, DIR, 'valid');

/** The messages each invalid fixture draws, in report order (line order). */
const EXPECTED: Record<string, string[]> = {
  'chart-template.yaml': ['roleNotFixable'],
  'monitor-no-counterpart.yaml': ['roleNotFixable', 'monitorLabels'],
  'monitor-only.yaml': ['monitorLabels'],
  'prometheus-agent.yaml': ['role'],
  'prometheus-role-endpoints.yaml': ['role'],
  'prometheus-with-monitor.yaml': ['role', 'monitorLabels'],
  'scrapeconfig.yaml': ['scrapeConfig'],
  'scrapeconfig-selectors.yaml': ['scrapeConfig'],
  'values-minimal.yaml': ['roleNotFixable'],
  'values-umbrella.yaml': ['kubeletEndpoints', 'role'],
  'values.yaml': ['kubeletEndpoints', 'role'],
};

/** What tells each message apart. */
const SIGNATURE: Record<string, RegExp> = {
  role: /^(Prometheus|PrometheusAgent|kube-prometheus-stack values) .*\): set serviceDiscoveryRole: EndpointSlice \(a field since prometheus-operator v0\.76\)(?!.*other files)/,
  roleMonitorsElsewhere: /: set serviceDiscoveryRole: EndpointSlice .*ServiceMonitors in other files/,
  roleNotFixable: /^(Prometheus|PrometheusAgent|kube-prometheus-stack values) .*; not fixed because /,
  monitorLabels: /^ServiceMonitor \S+ relabels with __meta_kubernetes_endpoints?_.*: __meta_kubernetes_endpoint/,
  scrapeConfig: /^ScrapeConfig \S+ discovers targets with role: Endpoints.*: use role: EndpointSlice/,
  scrapeConfigNotFixable: /^ScrapeConfig \S+ .*; not fixed because /,
  kubeletEndpoints: /^prometheusOperator\.kubeletEndpointsEnabled: true .*kubeletEndpointSliceEnabled/,
};

/** The states where the fixed relabelings may keep other targets, each with its reason (declared on the rule page). */
const DECLARED: Record<string, string> = {
  'dual-stack': 'slices hold both families: one more target per IPv6 address',
  'over-capacity': 'Endpoints stop at 1000 addresses; slices hold every endpoint',
  'orphan-endpoints': 'a hand-written Endpoints without a Service is not mirrored into slices',
  'readiness-mixed': 'an endpoint whose slice leaves ready unset has no conditions_ready label',
  'rollout-terminating': "a ServiceMonitor's terminating endpoints are the operator's to filter (its generated relabelings), not the monitor's",
};

type Camel = { sourceLabels?: string[]; targetLabel?: string; regex?: string; action?: string; replacement?: string; separator?: string };

/** The operator's camelCase relabelings as the harness's Prometheus relabel_configs (the operator writes them so). */
function asRelabelConfigs(list: Camel[] | undefined): RelabelConfig[] {
  return (list ?? []).map((r) => ({
    source_labels: r.sourceLabels,
    target_label: r.targetLabel,
    regex: r.regex,
    action: r.action,
    replacement: r.replacement,
    separator: r.separator,
  }));
}

/** Every relabelings list of a YAML text: monitors' endpoints, a ScrapeConfig's spec, chart values' serviceMonitor. */
function relabelingsOf(text: string): { where: string; list: Camel[] }[] {
  const found: { where: string; list: Camel[] }[] = [];
  const visit = (value: unknown, where: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${where}[${i}]`));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'relabelings' && Array.isArray(v)) found.push({ where: `${where}.${k}`, list: v as Camel[] });
        else visit(v, `${where}.${k}`);
      }
    }
  };
  parseAllDocuments(maskDirectives(text, findDirectives(text))).forEach((d, i) => visit(d.toJS(), `doc${i}`));
  return found;
}


describe('prometheus-operator-discovery-role', () => {
  it('has a table entry for every invalid fixture, fixed and reported-only ones among them', () => {
    expect(invalid.map((p) => p.file).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(invalid.filter((p) => p.expected !== p.input).length).toBeGreaterThanOrEqual(6);
  });

  for (const pair of invalid) {
    describe(pair.file, () => {
      it('draws the expected messages', async () => {
        const { result } = await lint({ [pair.file]: pair.input }, [rule]);
        expect(result.errors).toEqual([]);
        expect(result.findings).toHaveLength(EXPECTED[pair.file].length);
        EXPECTED[pair.file].forEach((id, i) => expect(result.findings[i].message, id).toMatch(SIGNATURE[id]));
        expect(result.findings.map((f) => f.message).join('\n')).not.toMatch(/\{\{\w+\}\}/);
        for (const finding of result.findings) expect(finding).toMatchObject({ ruleId: DIR, severity: 'warning' });
      });

      it('is fixed as expected, once, and the output parses', async () => {
        const first = await lint({ [pair.file]: pair.input }, [rule], { fix: true });
        expect(first.files[pair.file]).toBe(pair.expected);
        const second = await lint(first.dir, [rule], { fix: true });
        expect(second.files[pair.file]).toBe(pair.expected);
        expect(second.result.summary.fixed).toBe(0);
        for (const doc of parseAllDocuments(maskDirectives(pair.expected, findDirectives(pair.expected)))) expect(doc.errors).toEqual([]);
        if (pair.expected !== pair.input) {
          // Nothing of the Endpoints role is left that the rule could fix.
          expect(second.result.findings.filter((f) => f.fixable)).toEqual([]);
          expect(pair.expected).not.toMatch(/__meta_kubernetes_endpoints?_/);
        }
      });

      if (pair.expected !== pair.input) {
        it('keeps the targets its relabelings kept, on every cluster state but the declared ones', () => {
          const before = relabelingsOf(pair.input);
          const after = relabelingsOf(pair.expected);
          expect(after.map((r) => r.where)).toEqual(before.map((r) => r.where));
          let compared = 0;
          before.forEach(({ where, list }, i) => {
            for (const state of clusterStates.map(withScrapeAnnotation)) {
              if (state.name in DECLARED) continue;
              const old = scraped(endpointsRoleTargets(state), asRelabelConfigs(list));
              const now = scraped(endpointSliceRoleTargets(state), asRelabelConfigs(after[i].list));
              expect(now, `${where} on ${state.name}`).toEqual(old);
              compared += old.length;
            }
          });
          if (before.length > 0) expect(compared).toBeGreaterThan(0);
        });
      }
    });
  }

  it('the fixed ScrapeConfig keeps the pods of a rollout, which a role change alone would not', () => {
    const pair = invalid.find((p) => p.file === 'scrapeconfig.yaml')!;
    const state = withScrapeAnnotation(clusterStates.find((s) => s.name === 'rollout-terminating')!);
    const [original] = relabelingsOf(pair.input);
    const [fixed] = relabelingsOf(pair.expected);
    const old = scraped(endpointsRoleTargets(state), asRelabelConfigs(original.list));
    expect(scraped(endpointSliceRoleTargets(state), asRelabelConfigs(fixed.list))).toEqual(old);
    // The fix's first relabeling is what makes them equal.
    expect(scraped(endpointSliceRoleTargets(state), asRelabelConfigs(fixed.list.slice(1)))).not.toEqual(old);
  });

  it('a monitor in another file makes the Prometheus fix unsafe, and the message names it', async () => {
    const prometheus = invalid.find((p) => p.file === 'prometheus-agent.yaml')!;
    const monitor = invalid.find((p) => p.file === 'monitor-only.yaml')!;
    const tree = { 'prometheus/agent.yaml': prometheus.input, 'apps/api/monitor.yaml': monitor.input };
    const safe = await lint(tree, [rule], { fix: true });
    expect(safe.files['prometheus/agent.yaml']).toBe(prometheus.input);
    const finding = safe.result.findings.find((f) => f.file === 'prometheus/agent.yaml')!;
    expect(finding).toMatchObject({ fixable: false, unsafeFixable: true });
    expect(finding.message).toContain('api (apps/api/monitor.yaml)');
    const unsafe = await lint(tree, [rule], { fix: true, extra: { unsafeFixes: true } });
    expect(unsafe.files['prometheus/agent.yaml']).toBe(prometheus.expected);
    // The monitor itself is never changed by a fix of another file.
    expect(unsafe.files['apps/api/monitor.yaml']).toBe(monitor.input);
  });

  it('a monitor with its own serviceDiscoveryRole does not hold back its Prometheus', async () => {
    const prometheus = invalid.find((p) => p.file === 'prometheus-agent.yaml')!;
    const monitor = invalid.find((p) => p.file === 'monitor-only.yaml')!.input.replace('spec:\n', 'spec:\n  serviceDiscoveryRole: Endpoints\n');
    const { files, result } = await lint({ 'agent.yaml': prometheus.input, 'monitor.yaml': monitor }, [rule], { fix: true });
    expect(files['agent.yaml']).toBe(prometheus.expected);
    expect(result.findings.map((f) => f.file)).toEqual(['monitor.yaml']);
  });

  it('keeps CRLF line endings', async () => {
    const pair = invalid.find((p) => p.file === 'values.yaml')!;
    const { files } = await lint({ 'values.yaml': pair.input.replace(/\n/g, '\r\n') }, [rule], { fix: true });
    expect(files['values.yaml']).toBe(pair.expected.replace(/\n/g, '\r\n'));
  });

  it('declares on its page every state it lets differ', () => {
    const page = fs.readFileSync(path.join(repoRoot, 'rules', `${DIR}.md`), 'utf8');
    for (const state of Object.keys(DECLARED)) expect(page, state).toContain(`\`${state}\``);
  });

  itReportsNothingIn(validDir, rule);
});
