/**
 * discovery.k8s.io/v1beta1 → v1 for one endpoint of an EndpointSlice (v1beta1 was removed in Kubernetes 1.25).
 * Only `topology` changed shape: `kubernetes.io/hostname` becomes `nodeName`, `topology.kubernetes.io/zone`
 * becomes `zone`. `conditions` and `hints` keep their shape.
 *
 * Every other topology key could only go to v1's `deprecatedTopology`, which the API server drops on every v1
 * write (dropTopologyOnV1 in k8s.io/kubernetes pkg/registry/discovery/endpointslice/strategy.go; seen on a real
 * kube-apiserver 1.35). Writing it would look kept in the repository but be lost in the cluster, so such an
 * endpoint is refused with the keys named. The same holds for a hostname that differs from an existing
 * `nodeName` (or a zone from `zone`): the second value has no place in v1.
 */
import type { NodeComment } from '../src/k8s/comments.js';
import { Template } from '../src/k8s/values.js';

export const HOSTNAME_KEY = 'kubernetes.io/hostname';
export const ZONE_KEY = 'topology.kubernetes.io/zone';

/** Topology keys that became fields of their own in v1, in the order the fields are written. */
const TOPOLOGY_FIELDS = [
  [HOSTNAME_KEY, 'nodeName'],
  [ZONE_KEY, 'zone'],
] as const;

type Obj = Record<string, unknown>;

export type EndpointConversion = { ok: true; endpoint: Obj } | { ok: false; reason: string };

const SERVER_DROPS =
  'v1 has no field for them, and the API server drops deprecatedTopology on v1 writes, so they would be lost';

function shown(value: unknown): string {
  return value instanceof Template ? value.raw : JSON.stringify(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The v1 form of a v1beta1 endpoint; keys keep their order, the topology's replacements take its place. A refusal's
 * reason reads after the endpoint's name ("endpoints[2] has ...").
 */
export function convertEndpoint(endpoint: Obj): EndpointConversion {
  if ('deprecatedTopology' in endpoint) return { ok: false, reason: 'already has deprecatedTopology, which v1beta1 does not know' };
  const topology = endpoint.topology;
  if (topology === undefined || topology === null) {
    const { topology: _dropped, ...rest } = endpoint;
    return { ok: true, endpoint: rest };
  }
  if (typeof topology !== 'object' || Array.isArray(topology)) return { ok: false, reason: 'has a topology that is not a map' };
  const rest: Obj = { ...(topology as Obj) };
  const replacement: Obj = {};
  const conflicts: string[] = [];
  for (const [key, field] of TOPOLOGY_FIELDS) {
    if (!(key in rest)) continue;
    if (!(field in endpoint)) replacement[field] = rest[key];
    else if (!same(endpoint[field], rest[key])) conflicts.push(`${key}: ${shown(rest[key])}, which differs from its ${field}: ${shown(endpoint[field])}`);
    delete rest[key];
  }
  if (conflicts.length > 0) {
    return { ok: false, reason: `has the topology ${conflicts.join(' and ')}; v1 keeps one value, so the other would be lost` };
  }
  const uncarried = Object.keys(rest);
  if (uncarried.length > 0) {
    return {
      ok: false,
      reason:
        `has the topology keys ${uncarried.join(', ')}: ${SERVER_DROPS} (move what consumers need elsewhere, e.g. a label of ` +
        'the slice, or delete those keys, then run --fix again)',
    };
  }
  const out: Obj = {};
  for (const [key, value] of Object.entries(endpoint)) {
    if (key === 'topology') Object.assign(out, replacement);
    else out[key] = value;
  }
  return { ok: true, endpoint: out };
}

/**
 * The comments of a converted endpoint on its v1 form: a topology key's comments follow it to `nodeName` / `zone`
 * (also when the key was dropped as equal to the field), the other fields keep their paths. Undefined: the first
 * comment has no place (one on `topology` itself), and the endpoint is not rewritten.
 */
export function endpointComments(comments: NodeComment[]): { ok: true; comments: NodeComment[] } | { ok: false; comment: NodeComment } {
  const out: NodeComment[] = [];
  for (const comment of comments) {
    if (comment.path[0] !== 'topology') {
      out.push(comment);
      continue;
    }
    const field = TOPOLOGY_FIELDS.find(([key]) => key === comment.path[1])?.[1];
    if (!field || comment.path.length !== 2) return { ok: false, comment };
    out.push({ ...comment, path: [field] });
  }
  return { ok: true, comments: out };
}
