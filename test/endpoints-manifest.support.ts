/**
 * What a conversion must keep: the multiset of (address, port, protocol, ready, nodeName, hostname, targetRef)
 * tuples of an Endpoints object and of the EndpointSlices that replace it. Shared by the golden and property tests.
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

/** One sorted JSON line per (endpoint address × port) of an Endpoints object. */
export function endpointsTuples(endpoints: Obj): string[] {
  const out: string[] = [];
  for (const subset of endpoints.subsets ?? []) {
    const ports: (Obj | undefined)[] = subset.ports?.length ? subset.ports : [undefined];
    const add = (address: Obj, ready: boolean) => {
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
    };
    for (const address of subset.addresses ?? []) add(address, true);
    for (const address of subset.notReadyAddresses ?? []) add(address, false);
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
