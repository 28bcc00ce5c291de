/**
 * The cluster states are the judge of every code rewrite, so they are checked themselves: each state holds what
 * the controllers would write (limits, families, conditions, the placeholder slice), and the two APIs of a state
 * describe the same endpoints wherever the controllers agree.
 */
import { describe, expect, test } from 'vitest';
import { clusterStates, ENDPOINT_LIMIT, ENDPOINTS_PER_SLICE, statesJson, type Json } from './cluster-states.js';

const byName = new Map(clusterStates.map((s) => [s.name, s]));
const state = (name: string) => {
  const s = byName.get(name);
  if (!s) throw new Error(`no state ${name}`);
  return s;
};

interface Seen {
  ip: string;
  port: number;
  ready: boolean;
}

/** (ip, port, ready) of an Endpoints object; ready = listed in `addresses`. */
function fromEndpoints(ep: Json | undefined): Seen[] {
  const out: Seen[] = [];
  for (const subset of (ep?.subsets as Json[] | undefined) ?? []) {
    for (const port of subset.ports as Json[]) {
      for (const a of (subset.addresses as Json[] | undefined) ?? []) out.push({ ip: a.ip as string, port: port.port as number, ready: true });
      for (const a of (subset.notReadyAddresses as Json[] | undefined) ?? []) out.push({ ip: a.ip as string, port: port.port as number, ready: false });
    }
  }
  return out;
}

/** (ip, port, ready) as a migrated reader sees them: not ready = ready false and not terminating; terminating left out. */
function fromSlices(slices: Json[], family?: string): Seen[] {
  const out = new Map<string, Seen>();
  for (const slice of slices) {
    if (family && slice.addressType !== family) continue;
    for (const port of (slice.ports as Json[] | null) ?? []) {
      for (const e of (slice.endpoints as Json[] | null) ?? []) {
        const c = (e.conditions as Json | undefined) ?? {};
        if (c.terminating === true) continue;
        const seen = { ip: (e.addresses as string[])[0], port: port.port as number, ready: c.ready !== false };
        const key = `${seen.ip} ${seen.port}`;
        const before = out.get(key);
        out.set(key, before ? { ...seen, ready: before.ready && seen.ready } : seen);
      }
    }
  }
  return [...out.values()];
}

const sorted = (xs: Seen[]) => [...xs].sort((a, b) => `${a.ip} ${a.port}`.localeCompare(`${b.ip} ${b.port}`));

describe('cluster states', () => {
  test('cover the states the harness must compare', () => {
    for (const name of [
      'one-slice', 'several-slices', 'endpoint-moving', 'readiness-mixed', 'rollout-terminating', 'scaled-to-zero',
      'dual-stack', 'selectorless-mirrored', 'missing-service', 'named-ports', 'unnamed-port', 'hostnetwork-shared-ip',
      'ready-and-not-ready', 'over-capacity',
    ]) {
      expect(byName.has(name), name).toBe(true);
    }
    expect(JSON.parse(statesJson())).toHaveLength(clusterStates.length);
  });

  test.each(clusterStates.map((s) => [s.name, s] as const))('%s: slices keep the API limits and labels', (_name, s) => {
    for (const slice of s.endpointSlices) {
      const meta = slice.metadata as Json;
      expect((meta.labels as Json)['kubernetes.io/service-name']).toBe(s.serviceName);
      expect(['IPv4', 'IPv6']).toContain(slice.addressType);
      const endpoints = (slice.endpoints as Json[] | null) ?? [];
      expect(endpoints.length).toBeLessThanOrEqual(ENDPOINTS_PER_SLICE);
      for (const e of endpoints) {
        const [ip] = e.addresses as string[];
        expect(ip.includes(':') ? 'IPv6' : 'IPv4').toBe(slice.addressType);
      }
    }
    for (const ep of s.endpoints) {
      expect((ep.metadata as Json).name).toBe(s.serviceName);
      expect(fromEndpoints(ep).length).toBeLessThanOrEqual(ENDPOINT_LIMIT * 2);
    }
  });

  test('where the controllers agree, both APIs describe the same endpoints', () => {
    for (const name of ['one-slice', 'several-slices', 'endpoint-moving', 'readiness-mixed', 'rollout-terminating', 'named-ports', 'unnamed-port', 'hostnetwork-shared-ip', 'selectorless-mirrored', 'ipv6-primary', 'publish-not-ready']) {
      const s = state(name);
      expect(sorted(fromSlices(s.endpointSlices)), name).toEqual(sorted(fromEndpoints(s.endpoints[0])));
    }
  });

  test('the differences between the APIs are the ones the controllers make', () => {
    // Terminating pods: left out of Endpoints, kept in slices as ready=false, terminating=true.
    const rollout = state('rollout-terminating');
    const terminating = rollout.endpointSlices.flatMap((s) => s.endpoints as Json[]).filter((e) => (e.conditions as Json).terminating === true);
    expect(terminating.map((e) => (e.conditions as Json).serving)).toEqual([true, false]);
    expect(terminating.every((e) => (e.conditions as Json).ready === false)).toBe(true);
    expect(fromEndpoints(rollout.endpoints[0]).map((x) => x.ip)).not.toContain('10.244.0.30');

    // Scaled to zero: no subsets; one placeholder slice with JSON null lists.
    const zero = state('scaled-to-zero');
    expect(zero.endpoints[0].subsets).toBeUndefined();
    expect(zero.endpointSlices).toHaveLength(1);
    expect(zero.endpointSlices[0].endpoints).toBeNull();
    expect(zero.endpointSlices[0].ports).toBeNull();
    expect(JSON.stringify(zero.endpointSlices[0])).toContain('"endpoints":null');

    // Dual-stack: Endpoints hold the primary family only.
    const dual = state('dual-stack');
    expect(dual.endpointSlices.map((s) => s.addressType).sort()).toEqual(['IPv4', 'IPv6']);
    expect(fromEndpoints(dual.endpoints[0]).every((x) => !x.ip.includes(':'))).toBe(true);
    expect(sorted(fromSlices(dual.endpointSlices, 'IPv4'))).toEqual(sorted(fromEndpoints(dual.endpoints[0])));

    // Over capacity: Endpoints truncated at 1000 with the annotation; slices hold every pod.
    const over = state('over-capacity');
    expect(fromEndpoints(over.endpoints[0])).toHaveLength(ENDPOINT_LIMIT);
    expect(((over.endpoints[0].metadata as Json).annotations as Json)['endpoints.kubernetes.io/over-capacity']).toBe('truncated');
    expect(fromSlices(over.endpointSlices)).toHaveLength(1200);
    expect(over.endpointSlices).toHaveLength(12);

    // Not ready wins, duplicates collapse (mirroring controller).
    const both = state('ready-and-not-ready');
    const endpoints = both.endpointSlices.flatMap((s) => s.endpoints as Json[]);
    expect(endpoints.map((e) => [(e.addresses as string[])[0], (e.conditions as Json).ready])).toEqual([
      ['192.0.2.30', false],
      ['192.0.2.31', true],
    ]);

    // The API server repacks a hand-written Endpoints on write: one address once, not ready wins.
    expect((both.endpoints[0].subsets as Json[]).map((s) => [s.addresses, s.notReadyAddresses])).toEqual([
      [[{ ip: '192.0.2.31' }], [{ ip: '192.0.2.30' }]],
    ]);

    // A missing Service: nothing; an orphan hand-written Endpoints: the object, no slices.
    expect(state('missing-service').endpoints).toEqual([]);
    expect(state('missing-service').endpointSlices).toEqual([]);
    expect(state('orphan-endpoints').endpoints).toHaveLength(1);
    expect(state('orphan-endpoints').endpointSlices).toEqual([]);

    // The same IP in two subsets/slices with different ports stays two endpoints.
    const shared = state('hostnetwork-shared-ip');
    expect(shared.endpointSlices).toHaveLength(2);
    expect((shared.endpoints[0].subsets as Json[]).length).toBe(2);
  });
});
