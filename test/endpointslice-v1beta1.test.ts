import { beforeAll, describe, expect, it } from 'vitest';
import { loadManifestRuntime } from '../src/k8s/runtime.js';
import { convertEndpoint } from '../codemods/endpointslice-v1beta1-to-v1.js';
import { endpointsliceV1beta1 } from '../rules/endpointslice-v1beta1.js';
import { sliceProblems } from '../src/k8s/validate-slice.js';
import { goldenPairs, lint } from './helpers.js';
import { objectsOf } from './endpoints-manifest.support.js';

// Codemods and schema checks called directly need what the rules' prepare() loads.
beforeAll(loadManifestRuntime);

const rule = [endpointsliceV1beta1];

/** Why each golden input that stays as it is was not fixed. */
const unfixableReasons: Record<string, RegExp> = {
  'helm-range.yaml': /not fixed automatically because the template directive/,
  'topology-region.yaml':
    /EndpointSlice ext-2 .* not fixed automatically because endpoints\[1\] has the topology keys topology\.kubernetes\.io\/region, example\.com\/rack: v1 has no field for them, and the API server drops deprecatedTopology/,
};

describe('endpointslice-v1beta1 golden pairs', () => {
  for (const pair of goldenPairs('endpointslice-v1beta1/golden')) {
    it(pair.file, async () => {
      const first = await lint({ [pair.file]: pair.input }, rule, { fix: true });
      expect(first.result.errors).toEqual([]);
      const output = first.files[pair.file];
      expect(output).toBe(pair.expected);
      const second = await lint({ [pair.file]: output }, rule, { fix: true });
      expect(second.files[pair.file]).toBe(output);
      if (pair.input === pair.expected) {
        expect(first.result.findings.map((f) => f.fixable)).toEqual([false]);
        expect(first.result.findings[0].message).toMatch(unfixableReasons[pair.file]);
        return;
      }
      expect(second.result.findings).toEqual([]);
      if (pair.input.includes('{{')) return;
      const before = objectsOf(pair.input);
      const after = objectsOf(output);
      expect(after).toHaveLength(before.length);
      after.forEach((slice, i) => {
        expect(slice.apiVersion).toBe('discovery.k8s.io/v1');
        expect(sliceProblems(slice, { generated: false })).toEqual([]);
        // Same endpoints (addresses, conditions, hints) in the same order; no topology left.
        expect(slice.endpoints.map((e: any) => [e.addresses, e.conditions, e.hints])).toEqual(
          before[i].endpoints.map((e: any) => [e.addresses, e.conditions, e.hints]),
        );
        expect(JSON.stringify(slice)).not.toContain('"topology"');
        expect(slice.ports).toEqual(before[i].ports);
      });
    });
  }
});

describe('convertEndpoint', () => {
  it('moves hostname and zone in place of topology', () => {
    const out = convertEndpoint({
      addresses: ['10.0.0.1'],
      topology: { 'kubernetes.io/hostname': 'n1', 'topology.kubernetes.io/zone': 'z' },
      conditions: { ready: false },
    });
    expect(out).toEqual({ ok: true, endpoint: { addresses: ['10.0.0.1'], nodeName: 'n1', zone: 'z', conditions: { ready: false } } });
    expect(Object.keys((out as { endpoint: object }).endpoint)).toEqual(['addresses', 'nodeName', 'zone', 'conditions']);
  });

  it('refuses topology keys that only deprecatedTopology could hold (the API server drops it on v1 writes)', () => {
    const out = convertEndpoint({
      addresses: ['10.0.0.1'],
      topology: { 'kubernetes.io/hostname': 'n1', 'topology.kubernetes.io/region': 'r', rack: 'r1' },
    });
    expect(out.ok).toBe(false);
    expect((out as { reason: string }).reason).toMatch(
      /^has the topology keys topology\.kubernetes\.io\/region, rack: v1 has no field for them, and the API server drops deprecatedTopology on v1 writes, so they would be lost/,
    );
  });

  it('drops a hostname equal to nodeName and refuses a different one', () => {
    expect(convertEndpoint({ addresses: ['a'], nodeName: 'n1', topology: { 'kubernetes.io/hostname': 'n1' } })).toEqual({
      ok: true,
      endpoint: { addresses: ['a'], nodeName: 'n1' },
    });
    expect(convertEndpoint({ addresses: ['a'], nodeName: 'n1', topology: { 'kubernetes.io/hostname': 'n2' } })).toEqual({
      ok: false,
      reason: 'has the topology kubernetes.io/hostname: "n2", which differs from its nodeName: "n1"; v1 keeps one value, so the other would be lost',
    });
  });

  it('refuses what v1beta1 cannot hold', () => {
    expect(convertEndpoint({ addresses: ['a'], deprecatedTopology: {}, topology: {} }).ok).toBe(false);
    expect(convertEndpoint({ addresses: ['a'], topology: 'x' }).ok).toBe(false);
  });
});

describe('endpointslice-v1beta1 look-alikes and limits', () => {
  it('ignores v1 slices, other v1beta1 APIs and comments', async () => {
    const files = {
      'v1.yaml': 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: a\naddressType: IPv4\nendpoints: []\n',
      'psp.yaml': '# apiVersion: discovery.k8s.io/v1beta1\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: p\n',
      'crd.yaml': 'apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSliceList\nitems: []\n',
    };
    const { result, files: after } = await lint(files, rule, { fix: true });
    expect(result.findings).toEqual([]);
    expect(after).toEqual(files);
  });

  it('reports but does not fix a slice the v1 API would reject', async () => {
    const ports = Array.from({ length: 101 }, (_, i) => `  - name: p${i}\n    port: ${i + 1}\n`).join('');
    const input = `apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\nmetadata:\n  name: big\naddressType: IPv4\nendpoints: []\nports:\n${ports}`;
    const { result, files } = await lint({ 's.yaml': input }, rule, { fix: true });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].fixable).toBe(false);
    expect(result.findings[0].message).toMatch(/would be invalid: 101 ports/);
    expect(files['s.yaml']).toBe(input);
  });

  it('reports an endpoint whose rewrite would lose a comment', async () => {
    const input =
      'apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\nmetadata:\n  name: a\naddressType: IPv4\nendpoints:\n' +
      '  - addresses:\n      - 10.0.0.1\n    topology: # from the 1.20 dump\n      kubernetes.io/hostname: n1\n';
    const { result, files } = await lint({ 's.yaml': input }, rule, { fix: true });
    expect(result.findings.map((f) => f.fixable)).toEqual([false]);
    expect(result.findings[0].message).toMatch(/the comment "# from the 1\.20 dump" \(line 9\) inside endpoints\[0\] has no place in its v1 form/);
    expect(files['s.yaml']).toBe(input);
  });

  it('keeps CRLF line endings', async () => {
    const input = 'apiVersion: discovery.k8s.io/v1beta1\r\nkind: EndpointSlice\r\nmetadata:\r\n  name: a\r\naddressType: IPv4\r\nendpoints:\r\n  - addresses:\r\n      - 10.0.0.1\r\n    topology:\r\n      kubernetes.io/hostname: n1\r\n';
    const { files } = await lint({ 's.yaml': input }, rule, { fix: true });
    expect(files['s.yaml']).toBe(
      'apiVersion: discovery.k8s.io/v1\r\nkind: EndpointSlice\r\nmetadata:\r\n  name: a\r\naddressType: IPv4\r\nendpoints:\r\n  - addresses:\r\n      - 10.0.0.1\r\n    nodeName: n1\r\n',
    );
  });
});
