/**
 * discovery.k8s.io/v1beta1 → v1 for one endpoint of an EndpointSlice (v1beta1 was removed in Kubernetes 1.25).
 * Only `topology` changed shape: `kubernetes.io/hostname` becomes `nodeName`, `topology.kubernetes.io/zone`
 * becomes `zone`, every other key goes to `deprecatedTopology`. `conditions` and `hints` keep their shape.
 * Like the API server's own conversion, a hostname that differs from an existing `nodeName` (or a zone that
 * differs from an existing `zone`) is kept in `deprecatedTopology` rather than dropped.
 */
export const HOSTNAME_KEY = 'kubernetes.io/hostname';
export const ZONE_KEY = 'topology.kubernetes.io/zone';

/** Topology keys that became fields of their own in v1, in the order the fields are written. */
const TOPOLOGY_FIELDS = [
  [HOSTNAME_KEY, 'nodeName'],
  [ZONE_KEY, 'zone'],
] as const;

type Obj = Record<string, unknown>;

export type EndpointConversion = { ok: true; endpoint: Obj } | { ok: false; reason: string };

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The v1 form of a v1beta1 endpoint; keys keep their order, the topology's replacements take its place. */
export function convertEndpoint(endpoint: Obj): EndpointConversion {
  if ('deprecatedTopology' in endpoint) return { ok: false, reason: 'the endpoint already has deprecatedTopology, which v1beta1 does not know' };
  const topology = endpoint.topology;
  if (topology === undefined || topology === null) {
    const { topology: _dropped, ...rest } = endpoint;
    return { ok: true, endpoint: rest };
  }
  if (typeof topology !== 'object' || Array.isArray(topology)) return { ok: false, reason: 'topology is not a map' };
  const rest: Obj = { ...(topology as Obj) };
  const replacement: Obj = {};
  for (const [key, field] of TOPOLOGY_FIELDS) {
    if (!(key in rest)) continue;
    if (!(field in endpoint)) {
      replacement[field] = rest[key];
      delete rest[key];
    } else if (same(endpoint[field], rest[key])) delete rest[key];
  }
  if (Object.keys(rest).length > 0) replacement.deprecatedTopology = rest;
  const out: Obj = {};
  for (const [key, value] of Object.entries(endpoint)) {
    if (key === 'topology') Object.assign(out, replacement);
    else out[key] = value;
  }
  return { ok: true, endpoint: out };
}
