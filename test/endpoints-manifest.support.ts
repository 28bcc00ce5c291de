/**
 * What a conversion must keep: the multiset of (address, port, protocol, ready, nodeName, hostname, targetRef)
 * tuples of the endpoints the mirroring controller makes of an Endpoints object, and of the EndpointSlices that
 * replace it. Shared by the golden, property and Helm rendering tests.
 */
import { isMap, isSeq, parseAllDocuments } from 'yaml';
import { parseIP } from '../src/k8s/ip.js';

type Obj = Record<string, any>;

function canonical(ip: string): string {
  const parsed = parseIP(ip);
  return parsed.ok ? parsed.canonical : ip;
}

function portTuple(port: Obj | undefined) {
  return port ? { name: port.name ?? '', port: port.port ?? null, protocol: port.protocol ?? 'TCP', appProtocol: port.appProtocol ?? null } : null;
}

interface Mirrored {
  address: Obj;
  ready: boolean;
  ports: (Obj | undefined)[];
}

/**
 * The endpoints the endpointslice-mirroring controller makes of an Endpoints object, written independently of the
 * codemod: per port set, an endpoint's identity is (canonical address, hostname, targetRef namespace and name)
 * (k8s.io/endpointslice util/endpointset.go hashEndpoint); a subset's addresses are inserted ready, then its
 * notReadyAddresses not ready, and an insert replaces the endpoint of the same identity (reconciler.go).
 * `conflict` is set when a replaced listing differed in a field the controller would silently overwrite.
 */
export function mirroredEndpoints(endpoints: Obj): { endpoints: Mirrored[]; conflict: boolean } {
  const byIdentity = new Map<string, Mirrored>();
  let conflict = false;
  for (const subset of endpoints.subsets ?? []) {
    const ports: (Obj | undefined)[] = subset.ports?.length ? subset.ports : [undefined];
    const portSet = ports.map((p) => JSON.stringify(portTuple(p))).sort().join('\n');
    const listed: [Obj, boolean][] = [
      ...(subset.addresses ?? []).map((a: Obj): [Obj, boolean] => [a, true]),
      ...(subset.notReadyAddresses ?? []).map((a: Obj): [Obj, boolean] => [a, false]),
    ];
    for (const [address, ready] of listed) {
      const identity = JSON.stringify([portSet, canonical(address.ip), address.hostname || '', address.targetRef?.namespace ?? '', address.targetRef?.name ?? '']);
      const earlier = byIdentity.get(identity);
      if (earlier && JSON.stringify([earlier.address.nodeName, earlier.address.targetRef]) !== JSON.stringify([address.nodeName, address.targetRef])) {
        conflict = true;
      }
      byIdentity.set(identity, { address, ready, ports });
    }
  }
  return { endpoints: [...byIdentity.values()], conflict };
}

/** One sorted JSON line per (mirrored endpoint × port) of an Endpoints object. */
export function endpointsTuples(endpoints: Obj): string[] {
  const out: string[] = [];
  for (const { address, ready, ports } of mirroredEndpoints(endpoints).endpoints) {
    for (const port of ports) {
      out.push(
        JSON.stringify({
          address: canonical(address.ip),
          port: portTuple(port),
          ready,
          nodeName: address.nodeName || null,
          hostname: address.hostname || null,
          targetRef: address.targetRef ?? null,
        }),
      );
    }
  }
  return out.sort();
}

/** The same tuples for EndpointSlices (nil `ready` counts as true, as the API says). */
export function slicesTuples(slices: Obj[]): string[] {
  const out: string[] = [];
  for (const slice of slices) {
    const ports: (Obj | undefined)[] = slice.ports?.length ? slice.ports : [undefined];
    for (const endpoint of slice.endpoints ?? []) {
      for (const address of endpoint.addresses) {
        for (const port of ports) {
          out.push(
            JSON.stringify({
              address,
              port: portTuple(port),
              ready: endpoint.conditions?.ready ?? true,
              nodeName: endpoint.nodeName ?? null,
              hostname: endpoint.hostname ?? null,
              targetRef: endpoint.targetRef ?? null,
            }),
          );
        }
      }
    }
  }
  return out.sort();
}

/** Every Kubernetes object of a manifest text (documents and List items), as plain values. */
export function objectsOf(text: string): Obj[] {
  const objects: Obj[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`does not parse: ${doc.errors[0].message}`);
    const root = doc.contents;
    if (!isMap(root)) continue;
    const value = doc.toJS() as Obj;
    if (String(value.kind ?? '').endsWith('List') && isSeq(root.get('items'))) objects.push(...(value.items as Obj[]));
    else objects.push(value);
  }
  return objects;
}

export const isEndpoints = (o: Obj) => o.apiVersion === 'v1' && o.kind === 'Endpoints';
export const isSlice = (o: Obj) => o.apiVersion === 'discovery.k8s.io/v1' && o.kind === 'EndpointSlice';

/**
 * The slice as the API server decodes it: a field rendered as YAML null (`hostname: {{ .hostname }}` of an element
 * without a hostname) is a nil pointer there, the same as an absent field.
 */
export function decoded(slice: Obj): Obj {
  return JSON.parse(JSON.stringify(slice, (_key, value: unknown) => (value === null ? undefined : value)));
}

/** The endpoint tuples per (namespace, Service): of Endpoints by their name, of slices by their service-name label. */
export function byService(objects: Obj[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (key: string, tuples: string[]) => out.set(key, [...(out.get(key) ?? []), ...tuples].sort());
  for (const o of objects.filter(isEndpoints)) add(`${o.metadata.namespace ?? ''}/${o.metadata.name}`, endpointsTuples(o));
  for (const o of objects.filter(isSlice)) add(`${o.metadata.namespace ?? ''}/${o.metadata.labels['kubernetes.io/service-name']}`, slicesTuples([o]));
  for (const [key, tuples] of out) if (tuples.length === 0) out.delete(key);
  return out;
}
