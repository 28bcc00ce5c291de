/**
 * One description of cluster states for the differential harnesses (Go and TypeScript): each state is a Service
 * and its pods (or, for a selector-less Service, the Endpoints a user wrote), and from it the objects each
 * controller would hold for them. Original and rewritten code run on the same state and must give the same
 * answers; so the Endpoints and the EndpointSlices of a state must be what the real controllers write for the
 * SAME pods, not two hand-written pictures that merely look alike.
 *
 * What each controller writes (k8s.io/kubernetes 1.35, k8s.io/endpointslice; checked on a real kube-apiserver
 * 1.35, see ../shared/ENDPOINTSLICE.md "What each controller writes"):
 * - Endpoints controller, pkg/controller/endpoint/endpoints_controller.go `syncService`: a pod with no IP, or a
 *   terminating pod (DeletionTimestamp set) is skipped unless `publishNotReadyAddresses`; the address is the pod's
 *   IP of the Service's PRIMARY family only (`podToEndpointAddressForService`, `Spec.IPFamilies[0]`); a ready pod
 *   goes to `addresses`, a not-ready one to `notReadyAddresses` (`addEndpointSubset`); subsets are repacked by
 *   port set (pkg/api/v1/endpoints/util.go `RepackSubsets`: addresses de-duplicated by IP + targetRef UID,
 *   sorted by IP then UID, "not ready always trumps ready"); at most 1000 addresses
 *   (`maxCapacity`, `truncateEndpoints`: ready ones kept first, annotation
 *   `endpoints.kubernetes.io/over-capacity: truncated`); an object with no subsets when no pod matches; no object
 *   at all when the Service does not exist.
 * - EndpointSlice controller, staging/src/k8s.io/endpointslice/reconciler.go and utils.go `podToEndpoint`:
 *   terminating pods stay (`ShouldPodBeInEndpoints(pod, true)`), with `ready = podReady && !terminating` (true
 *   when `publishNotReadyAddresses`), `serving = podReady`, `terminating = DeletionTimestamp != nil`; one slice
 *   per address family of the Service and per port set, at most 100 endpoints each
 *   (`--max-endpoints-per-slice`); when nothing matches, one placeholder slice whose `endpoints` and `ports`
 *   are JSON null; labels `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by:
 *   endpointslice-controller.k8s.io`; unnamed ports get `name: ""`.
 * - Mirroring controller, pkg/controller/endpointslicemirroring (reconciler.go, reconciler_helpers.go,
 *   utils.go): only for an existing selector-less Service; one slice per port set and address family; ready
 *   addresses become `ready: true`, notReadyAddresses `ready: false`; an address listed both ready and not ready
 *   for the same ports becomes ONE endpoint with `ready: false`; exact duplicates collapse; at most 1000
 *   addresses; `managed-by: endpointslicemirroring-controller.k8s.io`. No Service: no slices, while the
 *   hand-written Endpoints itself still exists.
 *
 * Objects are plain JSON as the API server returns them, so the Go harness (fake clientsets) and the TypeScript
 * harness (a local HTTP server) load exactly the same bytes. `statesJson()` is what the Go side reads.
 */

export type Json = Record<string, unknown>;

export interface ServicePort {
  name?: string;
  port: number;
  /** A number, or the name of a container port that each pod resolves itself (`PodSpec.namedPorts`). */
  targetPort: number | string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface PodSpec {
  name: string;
  /** Pod IPs, one per family, the primary first (status.podIPs). */
  ips: string[];
  ready: boolean;
  /** DeletionTimestamp is set: the pod is shutting down during a rollout or scale-down. */
  terminating?: boolean;
  nodeName?: string;
  /** Named container ports of this pod, for a Service whose targetPort is a name. */
  namedPorts?: Record<string, number>;
}

export interface ClusterState {
  /** Stable id, used in test names and in a rule page's list of declared differences. */
  name: string;
  description: string;
  namespace: string;
  /** The Service the code under test asks about (it may not exist: see `services`). */
  serviceName: string;
  services: Json[];
  /** What the Endpoints controller (or a user, for a selector-less Service) holds. */
  endpoints: Json[];
  /** What the EndpointSlice controller (or the mirroring controller) holds for the same pods. */
  endpointSlices: Json[];
}

const NAMESPACE = 'default';
const SERVICE = 'web';
export const ENDPOINT_LIMIT = 1000;
export const ENDPOINTS_PER_SLICE = 100;
const SLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
const MIRRORING_CONTROLLER = 'endpointslicemirroring-controller.k8s.io';

type Family = 'IPv4' | 'IPv6';
const familyOf = (ip: string): Family => (ip.includes(':') ? 'IPv6' : 'IPv4');

function uidOf(kind: string, name: string): string {
  // A deterministic UID, so that targetRefs compare equal across languages and runs.
  let h = 0;
  for (const c of `${kind}/${name}`) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return `00000000-0000-4000-8000-${h.toString(16).padStart(12, '0')}`;
}

interface ServiceOptions {
  name?: string;
  ports: ServicePort[];
  /** Absent: a selector-less Service, whose Endpoints a user writes. */
  selector?: Record<string, string>;
  ipFamilies?: Family[];
  publishNotReadyAddresses?: boolean;
}

function service(options: ServiceOptions): Json {
  const families = options.ipFamilies ?? ['IPv4'];
  const spec: Json = {
    ports: options.ports.map((p) => ({
      ...(p.name !== undefined ? { name: p.name } : {}),
      protocol: p.protocol ?? 'TCP',
      port: p.port,
      targetPort: p.targetPort,
    })),
    type: 'ClusterIP',
    clusterIP: families[0] === 'IPv6' ? 'fd00:10:96::a' : '10.96.0.10',
    clusterIPs: families.map((f) => (f === 'IPv6' ? 'fd00:10:96::a' : '10.96.0.10')),
    ipFamilies: families,
    ipFamilyPolicy: families.length > 1 ? 'RequireDualStack' : 'SingleStack',
  };
  if (options.selector) spec.selector = options.selector;
  if (options.publishNotReadyAddresses) spec.publishNotReadyAddresses = true;
  const name = options.name ?? SERVICE;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE, uid: uidOf('Service', name) },
    spec,
  };
}

const podRef = (pod: PodSpec): Json => ({ kind: 'Pod', namespace: NAMESPACE, name: pod.name, uid: uidOf('Pod', pod.name) });

/** The ports a pod serves for the Service (`endpointutil.GetEndpointPorts` / the Endpoints controller's findPort). */
function portsFor(svcPorts: ServicePort[], pod: PodSpec): { name?: string; port: number; protocol: string }[] {
  const out: { name?: string; port: number; protocol: string }[] = [];
  for (const p of svcPorts) {
    const port = typeof p.targetPort === 'number' ? p.targetPort : pod.namedPorts?.[p.targetPort];
    if (port === undefined) continue; // a pod without the named port serves nothing for it
    out.push({ ...(p.name !== undefined ? { name: p.name } : {}), port, protocol: p.protocol ?? 'TCP' });
  }
  return out;
}

const portKey = (ports: { name?: string; port: number; protocol: string }[]): string =>
  JSON.stringify([...ports].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port));

function compareIp(a: string, b: string): number {
  // RepackSubsets sorts by the IP's bytes as a string.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The Endpoints controller's object for a Service with a selector and these pods. */
function endpointsFromPods(svc: ServiceOptions, pods: PodSpec[]): Json {
  const primary = (svc.ipFamilies ?? ['IPv4'])[0];
  const tolerate = svc.publishNotReadyAddresses === true;
  const bySet = new Map<string, { ports: ReturnType<typeof portsFor>; ready: Json[]; notReady: Json[] }>();
  let total = 0;
  for (const pod of pods) {
    if (pod.terminating && !tolerate) continue;
    const ip = pod.ips.find((i) => familyOf(i) === primary);
    if (!ip) continue;
    const ports = portsFor(svc.ports, pod);
    if (ports.length === 0) continue;
    const key = portKey(ports);
    const subset = bySet.get(key) ?? { ports, ready: [], notReady: [] };
    bySet.set(key, subset);
    const address: Json = { ip, ...(pod.nodeName ? { nodeName: pod.nodeName } : {}), targetRef: podRef(pod) };
    (tolerate || pod.ready ? subset.ready : subset.notReady).push(address);
    total++;
  }
  const metadata: Json = { name: svc.name ?? SERVICE, namespace: NAMESPACE };
  let budget = ENDPOINT_LIMIT;
  if (total > ENDPOINT_LIMIT) metadata.annotations = { 'endpoints.kubernetes.io/over-capacity': 'truncated' };
  const subsets: Json[] = [];
  const sorted = [...bySet.values()].sort((a, b) => a.ports[0].port - b.ports[0].port);
  for (const s of sorted) {
    const byIp = (x: Json, y: Json) =>
      compareIp(x.ip as string, y.ip as string) ||
      ((x.targetRef as Json).uid as string).localeCompare((y.targetRef as Json).uid as string);
    // truncateEndpoints keeps ready addresses first, spread over the subsets in proportion; one subset here.
    const ready = s.ready.sort(byIp).slice(0, budget);
    budget -= ready.length;
    const notReady = s.notReady.sort(byIp).slice(0, budget);
    budget -= notReady.length;
    const subset: Json = {};
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    subset.ports = s.ports;
    if (ready.length || notReady.length) subsets.push(subset);
  }
  return { apiVersion: 'v1', kind: 'Endpoints', metadata, ...(subsets.length ? { subsets } : {}) };
}

function sliceLabels(serviceName: string, managedBy: string): Json {
  return { 'kubernetes.io/service-name': serviceName, 'endpointslice.kubernetes.io/managed-by': managedBy };
}

function sliceName(serviceName: string, index: number): string {
  // The controllers use generateName `<service>-`; stable suffixes keep answers comparable between runs.
  const suffix = ['x7k2p', 'b9q4m', 'c3v8n', 'd5w1r', 'f2h6t', 'g8j3y', 'h4l9z', 'k6m2s', 'n1p7q', 'r3s5v', 't9u2w', 'v5x8c', 'w2z4b'];
  return `${serviceName}-${suffix[index % suffix.length]}${index >= suffix.length ? index : ''}`;
}

function slicePorts(ports: ReturnType<typeof portsFor>): Json[] {
  // The slice controllers always write a name, "" for an unnamed port.
  return ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol }));
}

function makeSlices(
  serviceName: string,
  managedBy: string,
  groups: { family: Family; ports: ReturnType<typeof portsFor>; endpoints: Json[] }[],
  ownerUid: string,
): Json[] {
  const slices: Json[] = [];
  for (const g of groups) {
    for (let i = 0; i < g.endpoints.length; i += ENDPOINTS_PER_SLICE) {
      slices.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: sliceName(serviceName, slices.length),
          namespace: NAMESPACE,
          labels: sliceLabels(serviceName, managedBy),
          ownerReferences: [{ apiVersion: 'v1', kind: managedBy === SLICE_CONTROLLER ? 'Service' : 'Endpoints', name: serviceName, uid: ownerUid, controller: true, blockOwnerDeletion: true }],
        },
        addressType: g.family,
        endpoints: g.endpoints.slice(i, i + ENDPOINTS_PER_SLICE),
        ports: slicePorts(g.ports),
      });
    }
  }
  return slices;
}

function placeholderSlice(serviceName: string, family: Family): Json {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: sliceName(serviceName, 0),
      namespace: NAMESPACE,
      labels: sliceLabels(serviceName, SLICE_CONTROLLER),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: serviceName, uid: uidOf('Service', serviceName), controller: true, blockOwnerDeletion: true }],
    },
    addressType: family,
    endpoints: null,
    ports: null,
  };
}

/** The EndpointSlice controller's slices for a Service with a selector and these pods. */
function slicesFromPods(svc: ServiceOptions, pods: PodSpec[]): Json[] {
  const name = svc.name ?? SERVICE;
  const families = svc.ipFamilies ?? ['IPv4'];
  const groups = new Map<string, { family: Family; ports: ReturnType<typeof portsFor>; endpoints: Json[] }>();
  for (const family of families) {
    for (const pod of pods) {
      const ip = pod.ips.find((i) => familyOf(i) === family);
      if (!ip) continue;
      const ports = portsFor(svc.ports, pod);
      const key = `${family} ${portKey(ports)}`;
      const group = groups.get(key) ?? { family, ports, endpoints: [] };
      groups.set(key, group);
      const terminating = pod.terminating === true;
      group.endpoints.push({
        addresses: [ip],
        conditions: { ready: svc.publishNotReadyAddresses ? true : pod.ready && !terminating, serving: pod.ready, terminating },
        targetRef: podRef(pod),
        ...(pod.nodeName ? { nodeName: pod.nodeName } : {}),
      });
    }
  }
  if (groups.size === 0) return [placeholderSlice(name, families[0])];
  return makeSlices(name, SLICE_CONTROLLER, [...groups.values()], uidOf('Service', name));
}

interface UserAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
}
interface UserSubset {
  addresses?: UserAddress[];
  notReadyAddresses?: UserAddress[];
  ports: ReturnType<typeof portsFor>;
}

/**
 * What kube-apiserver stores for hand-written subsets: its Endpoints strategy canonicalizes every write
 * (pkg/registry/core/endpoint/strategy.go `Canonicalize` → pkg/api/endpoints `RepackSubsets`), so a reader
 * never sees an address twice for the same ports, and an address listed both ready and not ready is only
 * not ready ("not ready always trumps ready"). Subsets with the same ports merge; addresses sort by IP.
 */
function repack(subsets: UserSubset[]): UserSubset[] {
  const byPorts = new Map<string, { ports: UserSubset['ports']; byIp: Map<string, { address: UserAddress; ready: boolean }> }>();
  for (const s of subsets) {
    const key = portKey(s.ports);
    const group = byPorts.get(key) ?? { ports: s.ports, byIp: new Map() };
    byPorts.set(key, group);
    const listed: [UserAddress, boolean][] = [
      ...(s.addresses ?? []).map((a): [UserAddress, boolean] => [a, true]),
      ...(s.notReadyAddresses ?? []).map((a): [UserAddress, boolean] => [a, false]),
    ];
    for (const [address, ready] of listed) {
      const seen = group.byIp.get(address.ip);
      group.byIp.set(address.ip, { address: seen?.address ?? address, ready: (seen?.ready ?? true) && ready });
    }
  }
  return [...byPorts.values()].map((g) => {
    const all = [...g.byIp.values()].sort((a, b) => compareIp(a.address.ip, b.address.ip));
    return {
      addresses: all.filter((a) => a.ready).map((a) => a.address),
      notReadyAddresses: all.filter((a) => !a.ready).map((a) => a.address),
      ports: g.ports,
    };
  });
}

function userEndpoints(name: string, subsets: UserSubset[]): Json {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: NAMESPACE },
    subsets: repack(subsets).map((s) => ({
      ...(s.addresses?.length ? { addresses: s.addresses } : {}),
      ...(s.notReadyAddresses?.length ? { notReadyAddresses: s.notReadyAddresses } : {}),
      ports: s.ports,
    })),
  };
}

/** The mirroring controller's slices for a hand-written Endpoints of an existing selector-less Service. */
function mirroredSlices(name: string, subsets: UserSubset[]): Json[] {
  const groups = new Map<string, { family: Family; ports: ReturnType<typeof portsFor>; endpoints: Json[]; byIp: Map<string, Json> }>();
  let count = 0;
  for (const s of subsets) {
    const listed: [UserAddress, boolean][] = [
      ...(s.addresses ?? []).map((a): [UserAddress, boolean] => [a, true]),
      ...(s.notReadyAddresses ?? []).map((a): [UserAddress, boolean] => [a, false]),
    ];
    for (const [a, ready] of listed) {
      const family = familyOf(a.ip);
      const key = `${family} ${portKey(s.ports)}`;
      const group = groups.get(key) ?? { family, ports: s.ports, endpoints: [], byIp: new Map() };
      groups.set(key, group);
      const seen = group.byIp.get(a.ip);
      if (seen) {
        // "not ready wins"; an exact duplicate collapses.
        if (!ready) (seen.conditions as Json).ready = false;
        continue;
      }
      if (count >= ENDPOINT_LIMIT) continue;
      count++;
      const endpoint: Json = {
        addresses: [a.ip],
        conditions: { ready },
        ...(a.hostname ? { hostname: a.hostname } : {}),
        ...(a.nodeName ? { nodeName: a.nodeName } : {}),
      };
      group.byIp.set(a.ip, endpoint);
      group.endpoints.push(endpoint);
    }
  }
  return makeSlices(name, MIRRORING_CONTROLLER, [...groups.values()], uidOf('Endpoints', name));
}

function selectorState(
  name: string,
  description: string,
  svc: ServiceOptions,
  pods: PodSpec[],
  tweakSlices: (slices: Json[]) => Json[] = (s) => s,
): ClusterState {
  const withSelector = { ...svc, selector: svc.selector ?? { app: SERVICE } };
  return {
    name,
    description,
    namespace: NAMESPACE,
    serviceName: svc.name ?? SERVICE,
    services: [service(withSelector)],
    endpoints: [endpointsFromPods(withSelector, pods)],
    endpointSlices: tweakSlices(slicesFromPods(withSelector, pods)),
  };
}

function selectorlessState(name: string, description: string, ports: ServicePort[], subsets: UserSubset[]): ClusterState {
  return {
    name,
    description,
    namespace: NAMESPACE,
    serviceName: SERVICE,
    services: [service({ ports })],
    endpoints: [userEndpoints(SERVICE, subsets)],
    endpointSlices: mirroredSlices(SERVICE, subsets),
  };
}

const HTTP: ServicePort[] = [{ name: 'http', port: 80, targetPort: 8080 }];
const nodes = ['node-a', 'node-b', 'node-c'];

function pods(count: number, make: (i: number) => Partial<PodSpec> = () => ({})): PodSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `web-${i}`,
    ips: [`10.244.${Math.floor(i / 250)}.${(i % 250) + 2}`],
    ready: true,
    nodeName: nodes[i % nodes.length],
    ...make(i),
  }));
}

function buildStates(): ClusterState[] {
  return [
    selectorState('one-slice', 'three ready pods, one port: one Endpoints subset, one slice', { ports: HTTP }, pods(3)),
    selectorState(
      'several-slices',
      '150 ready pods: one Endpoints subset, two slices of 100 and 50',
      { ports: HTTP },
      pods(150),
    ),
    selectorState(
      'endpoint-moving',
      'an endpoint that the controller is moving between slices appears in both for a moment',
      { ports: HTTP },
      pods(120),
      (slices) => {
        // The controller adds the endpoint to the second slice before it removes it from the full first one.
        const moved = (slices[0].endpoints as Json[])[99];
        (slices[1].endpoints as Json[]).push(structuredClone(moved));
        return slices;
      },
    ),
    selectorState(
      'readiness-mixed',
      'ready, not ready and (in the slice) a nil ready condition, which means ready',
      { ports: HTTP },
      pods(4, (i) => ({ ready: i !== 2 })),
      (slices) => {
        // A reader must treat an absent `ready` as true (the API's rule): seen in slices written by other tools.
        const endpoints = slices[0].endpoints as Json[];
        endpoints[3].conditions = {};
        return slices;
      },
    ),
    selectorState(
      'rollout-terminating',
      'a rolling update: two ready pods, one starting (not ready), one terminating and still serving, one terminating and no longer serving',
      { ports: HTTP },
      [
        ...pods(2),
        { name: 'web-new', ips: ['10.244.0.20'], ready: false, nodeName: 'node-a' },
        { name: 'web-old-1', ips: ['10.244.0.30'], ready: true, terminating: true, nodeName: 'node-b' },
        { name: 'web-old-2', ips: ['10.244.0.31'], ready: false, terminating: true, nodeName: 'node-c' },
      ],
    ),
    selectorState('scaled-to-zero', 'no pod matches: an Endpoints without subsets, a placeholder slice with endpoints and ports null', { ports: HTTP }, []),
    selectorState(
      'dual-stack',
      'a dual-stack Service: Endpoints hold the primary family (IPv4), slices hold an IPv4 and an IPv6 slice',
      { ports: HTTP, ipFamilies: ['IPv4', 'IPv6'] },
      pods(2, (i) => ({ ips: [`10.244.0.${i + 2}`, `fd00:10:244::${i + 2}`] })),
    ),
    selectorState(
      'ipv6-primary',
      'a single-stack IPv6 Service',
      { ports: HTTP, ipFamilies: ['IPv6'] },
      pods(2, (i) => ({ ips: [`fd00:10:244::${i + 2}`] })),
    ),
    selectorlessState(
      'selectorless-mirrored',
      'a selector-less Service with hand-written Endpoints (hostnames, nodeName, a not-ready address) and the mirrored slices',
      [{ name: 'db', port: 5432, targetPort: 5432 }],
      [
        {
          addresses: [{ ip: '192.0.2.10', hostname: 'db-0', nodeName: 'node-a' }, { ip: '192.0.2.11', hostname: 'db-1' }],
          notReadyAddresses: [{ ip: '192.0.2.12' }],
          ports: [{ name: 'db', port: 5432, protocol: 'TCP' }],
        },
      ],
    ),
    {
      name: 'missing-service',
      description: 'the Service does not exist: no Endpoints (404) and no slice',
      namespace: NAMESPACE,
      serviceName: SERVICE,
      services: [],
      endpoints: [],
      endpointSlices: [],
    },
    {
      ...selectorlessState('orphan-endpoints', 'hand-written Endpoints whose Service does not exist: nothing is mirrored', HTTP, [
        { addresses: [{ ip: '192.0.2.20' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
      ]),
      services: [],
      endpointSlices: [],
    },
    selectorState(
      'named-ports',
      'two named ports (http, metrics): one subset and one slice with both ports',
      { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090, targetPort: 9090 }] },
      pods(2),
    ),
    selectorState('unnamed-port', 'one unnamed port: no name in Endpoints, name "" in the slice', { ports: [{ port: 80, targetPort: 8080 }] }, pods(2)),
    selectorState(
      'hostnetwork-shared-ip',
      'two hostNetwork pods on one node IP serving a named targetPort on different ports: two subsets and two slices with the same address',
      { ports: [{ name: 'http', port: 80, targetPort: 'web' }] },
      [
        { name: 'web-a', ips: ['172.18.0.2'], ready: true, nodeName: 'node-a', namedPorts: { web: 8080 } },
        { name: 'web-b', ips: ['172.18.0.2'], ready: true, nodeName: 'node-a', namedPorts: { web: 8081 } },
      ],
    ),
    selectorlessState(
      'ready-and-not-ready',
      'a hand-written Endpoints lists one IP both ready and not ready for the same ports (and one IP twice): the mirrored slice has one endpoint, not ready',
      HTTP,
      [
        {
          addresses: [{ ip: '192.0.2.30' }, { ip: '192.0.2.31' }, { ip: '192.0.2.31' }],
          notReadyAddresses: [{ ip: '192.0.2.30' }],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ],
    ),
    selectorState(
      'over-capacity',
      '1200 ready pods: Endpoints truncated to 1000 (annotation over-capacity: truncated), slices hold all 1200 in 12 slices',
      { ports: HTTP },
      pods(1200),
    ),
    selectorState(
      'publish-not-ready',
      'publishNotReadyAddresses: every pod, ready or not and terminating too, is a ready address in both APIs',
      { ports: HTTP, publishNotReadyAddresses: true },
      [...pods(1), { name: 'web-starting', ips: ['10.244.0.40'], ready: false, nodeName: 'node-b' }],
    ),
  ];
}

export const clusterStates: readonly ClusterState[] = buildStates();

/** The states as one JSON document, for the Go harness (`SLICEFIX_CLUSTER_STATES`). */
export function statesJson(): string {
  return JSON.stringify(clusterStates);
}
