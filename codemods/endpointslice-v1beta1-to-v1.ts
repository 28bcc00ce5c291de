/**
 * discovery.k8s.io/v1beta1 → v1 for one endpoint of an EndpointSlice (v1beta1 was removed in Kubernetes 1.25).
 * Only `topology` changed shape: `kubernetes.io/hostname` becomes `nodeName`, `topology.kubernetes.io/zone`
 * becomes `zone`, every other key goes to `deprecatedTopology`. `conditions` and `hints` keep their shape.
 * Like the API server's own conversion, a hostname that differs from an existing `nodeName` (or a zone that
 * differs from an existing `zone`) is kept in `deprecatedTopology` rather than dropped.
 */
export const HOSTNAME_KEY = 'kubernetes.io/hostname';
export const ZONE_KEY = 'topology.kubernetes.io/zone';

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
  if (HOSTNAME_KEY in rest) {
    const hostname = rest[HOSTNAME_KEY];
    if (!('nodeName' in endpoint)) {
      replacement.nodeName = hostname;
      delete rest[HOSTNAME_KEY];
    } else if (same(endpoint.nodeName, hostname)) delete rest[HOSTNAME_KEY];
  }
  if (ZONE_KEY in rest) {
    const zone = rest[ZONE_KEY];
    if (!('zone' in endpoint)) {
      replacement.zone = zone;
      delete rest[ZONE_KEY];
    } else if (same(endpoint.zone, zone)) delete rest[ZONE_KEY];
  }
  if (Object.keys(rest).length > 0) replacement.deprecatedTopology = rest;
  const out: Obj = {};
  for (const [key, value] of Object.entries(endpoint)) {
    if (key === 'topology') Object.assign(out, replacement);
    else out[key] = value;
  }
  return { ok: true, endpoint: out };
}
