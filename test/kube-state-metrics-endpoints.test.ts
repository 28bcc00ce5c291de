/**
 * kube-state-metrics-endpoints: a table of fixtures with the messages each must draw, the collector fixes (once,
 * idempotent, parsing), look-alikes left alone, and the facts: a collector fix is safe only when no file of the scan
 * reads kube_endpoint_*, and its message names the files that do.
 */
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { rule } from '../rules/kube-state-metrics-endpoints.js';
import { fixturesDir, goldenPairs, itReportsNothingIn, lint } from './helpers.js';

const DIR = 'kube-state-metrics-endpoints';
const invalid = goldenPairs(`${DIR}/invalid`);
const validDir = path.join(fixturesDir, DIR, 'valid');

/** Each invalid fixture's findings: message id and the line it points at. */
const EXPECTED: Record<string, [string, number][]> = {
  'dashboard-configmap.yaml': [['metrics', 12]],
  'dashboard.json': [['metrics', 8], ['metrics', 14]],
  'deployment-both.yaml': [['collector', 11]],
  'deployment.yaml': [['collector', 20]],
  'kube-prometheus-stack-values.yaml': [['collector', 4]],
  'prometheusrule.yaml': [['metrics', 10]],
  'recording-rules.yml': [['metrics', 5]],
  'rules-configmap.yaml': [['metrics', 11]],
  'values-both.yaml': [['collector', 4]],
  'values.yaml': [['collector', 7]],
};

const SIGNATURE: Record<string, RegExp> = {
  collector: /^kube-state-metrics' endpoints collector \(.*endpoints.*\) lists and watches the deprecated v1 Endpoints API; since kube-state-metrics v2\.18 endpointslices is a default resource/,
  metrics: /^Reads kube_endpoint_\w+(, kube_endpoint_\w+)* from kube-state-metrics' endpoints collector.* It is not a rename: .*terminating endpoints now count as not ready; kube_endpoint_address_available was removed in v2\.14/,
};

describe('kube-state-metrics-endpoints', () => {
  it('has a table entry for every invalid fixture', () => {
    expect(invalid.map((p) => p.file).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const pair of invalid) {
    describe(pair.file, () => {
      it('draws the expected messages, where expected', async () => {
        const { result } = await lint({ [pair.file]: pair.input }, [rule]);
        expect(result.errors).toEqual([]);
        expect(result.findings.map((f) => [f.message.startsWith('Reads') ? 'metrics' : 'collector', f.line])).toEqual(EXPECTED[pair.file]);
        EXPECTED[pair.file].forEach(([id], i) => expect(result.findings[i].message).toMatch(SIGNATURE[id]));
        // The line reported names what the finding is about.
        for (const f of result.findings) expect(pair.input.split('\n')[f.line - 1]).toMatch(/kube_endpoint_|endpoints|expr/);
      });

      it('is fixed as expected, once, and the output parses', async () => {
        const first = await lint({ [pair.file]: pair.input }, [rule], { fix: true });
        expect(first.files[pair.file]).toBe(pair.expected);
        const second = await lint(first.dir, [rule], { fix: true });
        expect(second.files[pair.file]).toBe(pair.expected);
        expect(second.result.summary.fixed).toBe(0);
        for (const doc of parseAllDocuments(pair.expected)) expect(doc.errors).toEqual([]);
        if (pair.expected !== pair.input) expect(second.result.findings).toEqual([]);
      });
    });
  }

  it('with no reader in the scan, the collector fix is safe and says to check readers elsewhere', async () => {
    const pair = invalid.find((p) => p.file === 'deployment.yaml')!;
    const { result } = await lint({ 'ksm.yaml': pair.input }, [rule]);
    expect(result.findings[0]).toMatchObject({ fixable: true });
    expect(result.findings[0].message).toContain('No alert, recording rule or dashboard in this scan reads kube_endpoint_*');
  });

  it('readers in other files make the collector fix unsafe, and the message names them with their metrics', async () => {
    const deployment = invalid.find((p) => p.file === 'deployment.yaml')!;
    const tree = {
      'deploy/ksm.yaml': deployment.input,
      'alerts/endpoints.yaml': invalid.find((p) => p.file === 'prometheusrule.yaml')!.input,
      'dashboards/services.json': invalid.find((p) => p.file === 'dashboard.json')!.input,
    };
    const safe = await lint(tree, [rule], { fix: true });
    expect(safe.files['deploy/ksm.yaml']).toBe(deployment.input);
    const finding = safe.result.findings.find((f) => f.file === 'deploy/ksm.yaml')!;
    expect(finding).toMatchObject({ fixable: false, unsafeFixable: true });
    expect(finding.message).toContain('alerts/endpoints.yaml (kube_endpoint_address_available); dashboards/services.json (kube_endpoint_address, kube_endpoint_info)');
    const unsafe = await lint(tree, [rule], { fix: true, extra: { unsafeFixes: true } });
    expect(unsafe.files['deploy/ksm.yaml']).toBe(deployment.expected);
    // Readers are never rewritten: it is not a rename.
    expect(unsafe.files['alerts/endpoints.yaml']).toBe(tree['alerts/endpoints.yaml']);
  });

  it('keeps CRLF line endings when it removes a list item', async () => {
    const pair = invalid.find((p) => p.file === 'values-both.yaml')!;
    const { files } = await lint({ 'values.yaml': pair.input.replace(/\n/g, '\r\n') }, [rule], { fix: true });
    expect(files['values.yaml']).toBe(pair.expected.replace(/\n/g, '\r\n'));
  });

  itReportsNothingIn(validDir, rule);
});
