/**
 * Converts one core v1 `Endpoints` object into the `discovery.k8s.io/v1` EndpointSlices that carry exactly the
 * same endpoints, following the endpointslice-mirroring controller's mapping (see ENDPOINTSLICE.md):
 * - one slice per (subset's port set × address family), split at `maxEndpointsPerSlice`;
 * - one endpoint per address (an address listed twice for the same ports is one endpoint, and "not ready wins",
 *   as in the controller: see `addEndpoint`); `notReadyAddresses` get `conditions.ready: false`, `addresses` get an explicit
 *   `ready: true` (nil means true, but consumers that read nil as false exist, and the mirroring controller
 *   writes it too); `hostname` (when non-empty), `nodeName` and `targetRef` are carried over;
 * - ports keep `name`, `port`, `protocol`, `appProtocol`; a subset without ports becomes a slice with
 *   `ports: []`, which the API defines as "no defined ports" — the same as an Endpoints subset without ports
 *   (a port *entry* without a number would mean "all ports", so such an entry is refused, not converted);
 * - labels are kept plus `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by` (an existing
 *   one of those is kept when it has the value the slices need, and refused otherwise, never overwritten);
 *   annotations are kept except the two the mirroring controller drops.
 * The conversion is pure: a plain object in, plain objects out (Helm `Template`s and `RawBlock`s pass through
 * untouched). It refuses, with a reason, whatever it cannot convert without losing or inventing data, and every
 * slice it returns passed schema validation and the API's limits.
 */
import { parseIP, rejectedEndpointAddress, type AddressFamily } from '../src/k8s/ip.js';
import { RAW_BLOCK_KEY_PREFIX } from '../src/k8s/render.js';
import { sliceProblems, MAX_PORTS_PER_SLICE } from '../src/k8s/validate-slice.js';
import { RawBlock, Template, isTemplateKey } from '../src/k8s/values.js';
import type { Settings } from '../src/types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** Annotations that describe the Endpoints object itself and mean nothing on a slice (dropped as mirroring does). */
export const DROPPED_ANNOTATIONS = ['endpoints.kubernetes.io/last-change-trigger-time', 'kubectl.kubernetes.io/last-applied-configuration'];
/** Metadata the API server sets; it cannot be applied to a new object. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'selfLink', 'managedFields', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
const KEPT_METADATA = ['name', 'namespace', 'labels', 'annotations', 'ownerReferences', 'finalizers'];
const ENDPOINTS_FIELDS = ['apiVersion', 'kind', 'metadata', 'subsets'];
const SUBSET_FIELDS = ['addresses', 'notReadyAddresses', 'ports'];
const ADDRESS_FIELDS = ['ip', 'hostname', 'nodeName', 'targetRef'];
const PORT_FIELDS = ['name', 'port', 'protocol', 'appProtocol'];

type Obj = Record<string, unknown>;
type Value = unknown;

export interface SliceEndpoint {
  addresses: [string];
  conditions: { ready: boolean };
  hostname?: Value;
  nodeName?: Value;
  targetRef?: Value;
}

export interface SlicePort {
  name?: Value;
  port?: Value;
  protocol?: Value;
  appProtocol?: Value;
}

export interface EndpointSliceObject {
  apiVersion: 'discovery.k8s.io/v1';
  kind: 'EndpointSlice';
  metadata: Obj & { name: Value };
  addressType: AddressFamily;
  endpoints: SliceEndpoint[];
  ports: SlicePort[];
}

/** Where the parts of the Endpoints went, so that what was written on them (comments) can follow. */
export interface Origins {
  /** [slice index, endpoint index] of the endpoint made of each address, by its place (`subsets[0].addresses[1]`). */
  endpoints: Map<string, [number, number]>;
  /** Per subset index: the slices that hold its ports, and where each of its ports is in those slices' `ports`. */
  ports: Map<number, { slices: number[]; order: number[] }>;
}

export type Conversion = { ok: true; slices: EndpointSliceObject[]; origins: Origins } | { ok: false; reason: string };

class Refusal extends Error {}

/** Stops a conversion with the reason the finding gives (caught by `refusalOf` / `endpointsToSlices`). */
export function refuse(reason: string): never {
  throw new Refusal(reason);
}

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Template) && !(value instanceof RawBlock);
}

function checkFields(value: Obj, known: string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const shown = isTemplateKey(key) ? key.slice(1) : key;
      refuse(`${where} has the field ${JSON.stringify(shown)}, which slicefix does not know how to carry over`);
    }
  }
}

function listOf(value: unknown, where: string): unknown[] {
  if (value === null || value === undefined) return [];
  if (value instanceof Template) refuse(`${where} is the template ${value.raw}: its items are only known after rendering`);
  if (!Array.isArray(value)) refuse(`${where} is not a list`);
  return value;
}

/** A comparable text for a value that may be a template. */
function keyText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Template ? { template: v.raw } : v));
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

export function convertPort(port: unknown, where: string): SlicePort {
  if (!isObj(port)) refuse(`${where} is not an object`);
  checkFields(port, PORT_FIELDS, where);
  if (!present(port.port)) {
    refuse(`${where} has no port number (in an EndpointSlice a port without a number means "all ports")`);
  }
  const out: SlicePort = {};
  for (const field of PORT_FIELDS) if (present(port[field])) out[field as keyof SlicePort] = port[field];
  return out;
}

function convertAddress(address: unknown, ready: boolean, where: string): { family: AddressFamily; endpoint: SliceEndpoint; where: string } {
  if (!isObj(address)) refuse(`${where} is not an object`);
  checkFields(address, ADDRESS_FIELDS, where);
  const ip = address.ip;
  if (ip instanceof Template) {
    refuse(`${where}.ip is the template ${ip.raw}: its address family (IPv4 or IPv6) is only known after rendering`);
  }
  if (typeof ip !== 'string') refuse(`${where} has no ip`);
  const parsed = parseIP(ip);
  if (!parsed.ok) refuse(`${where}.ip ${ip}: ${parsed.reason}`);
  const rejected = rejectedEndpointAddress(parsed.canonical);
  if (rejected) {
    refuse(`${where}.ip ${ip} ${rejected}: kube-apiserver rejects such an endpoint address, so no EndpointSlice can carry it`);
  }
  const endpoint: SliceEndpoint = { addresses: [parsed.canonical], conditions: { ready } };
  if (present(address.hostname)) endpoint.hostname = address.hostname;
  if (present(address.nodeName)) endpoint.nodeName = address.nodeName;
  if (present(address.targetRef)) endpoint.targetRef = address.targetRef;
  return { family: parsed.family, endpoint, where };
}

interface Group {
  family: AddressFamily;
  /** The port set's comparable text. */
  portSet: string;
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
  /** Where each endpoint came from, by its identity (see `identityOf`). */
  seen: Map<string, { endpoint: SliceEndpoint; where: string }>;
}

/**
 * What makes two addresses of one port set the same endpoint to the mirroring controller: its EndpointSet hashes
 * an endpoint by addresses (canonical), hostname and targetRef namespace/name only (hashEndpoint in
 * k8s.io/endpointslice util/endpointset.go; pkg/controller/endpointslicemirroring reconciler_helpers.go
 * desiredCalc.addAddress inserts every address of the subsets with the same ports into one set).
 */
function identityOf(endpoint: SliceEndpoint): string {
  const ref = isObj(endpoint.targetRef) ? endpoint.targetRef : {};
  return keyText([endpoint.addresses[0], endpoint.hostname ?? '', ref.namespace ?? '', ref.name ?? '']);
}

/** The fields of two same-identity endpoints that differ (the controller would keep only the later's). */
function differingFields(a: SliceEndpoint, b: SliceEndpoint): string[] {
  return (['nodeName', 'targetRef'] as const).filter((field) => keyText(a[field] ?? null) !== keyText(b[field] ?? null));
}

/**
 * Adds an endpoint the way the mirroring controller does, so that readers see after the fix what they saw of the
 * mirrored slices before it: reconciler.go inserts a subset's `addresses` (ready) and then its
 * `notReadyAddresses` (ready: false) into the port set's EndpointSet, and an insert replaces an endpoint of the
 * same identity. So an address listed both ready and not ready for the same ports becomes ONE endpoint with
 * `ready: false` ("not ready wins"), exact duplicates collapse, and across subsets with the same ports the later
 * listing decides. Where the two listings differ in a field the controller would silently overwrite (nodeName,
 * the rest of targetRef), the conversion is refused instead: one of the values would be lost.
 */
function addEndpoint(group: Group, endpoint: SliceEndpoint, where: string): void {
  const identity = identityOf(endpoint);
  const earlier = group.seen.get(identity);
  if (!earlier) {
    group.seen.set(identity, { endpoint, where });
    group.endpoints.push(endpoint);
    return;
  }
  const differing = differingFields(earlier.endpoint, endpoint);
  if (differing.length > 0) {
    refuse(
      `${earlier.where} and ${where} list ${endpoint.addresses[0]} for the same ports with a different ${differing.join(' and ')}; ` +
        'one endpoint cannot keep both (the mirroring controller keeps only the later one): make them agree or remove one',
    );
  }
  earlier.endpoint.conditions.ready = endpoint.conditions.ready;
  earlier.where = where;
}

/**
 * A label the slices need that the Endpoints already has: kept (in its place) when it has the value the slices
 * need, refused otherwise. Overwriting it would silently change what the object says; a different
 * `kubernetes.io/service-name` would move the endpoints to another Service, and a different `managed-by` names
 * another owner (the mirroring controller's value would even make that controller fight over the slices).
 */
function keepOrRefuseLabel(labels: Obj, key: string, wanted: Value, why: string): void {
  if (!(key in labels)) return;
  const existing = labels[key];
  if (keyText(existing) === keyText(wanted)) return;
  const shown = (v: Value) => (v instanceof Template ? v.raw : JSON.stringify(v));
  const hint = key === MANAGED_BY_LABEL ? 'set managedBy in .slicefix.yaml to that value, or remove the label' : 'make them agree, or remove the label';
  refuse(`metadata.labels has ${key}: ${shown(existing)}, but the EndpointSlices need ${shown(wanted)} (${why}); ${hint}`);
}

export function sliceMetadata(metadata: Obj, name: Value, settings: Settings): Obj {
  const out: Obj = { name };
  if (present(metadata.namespace)) out.namespace = metadata.namespace;
  const serviceName = metadata.name;
  const labels = metadata.labels;
  const newLabels: Obj = {};
  if (labels instanceof RawBlock) newLabels[`${RAW_BLOCK_KEY_PREFIX}labels`] = labels;
  else if (isObj(labels)) Object.assign(newLabels, labels);
  else if (present(labels)) refuse('metadata.labels is not a map');
  const written = labels instanceof RawBlock ? labels.entries : isObj(labels) ? labels : {};
  keepOrRefuseLabel(written, SERVICE_NAME_LABEL, serviceName, 'the slices must name their Service, the Endpoints\' name');
  keepOrRefuseLabel(written, MANAGED_BY_LABEL, settings.managedBy, 'slicefix writes its managedBy setting');
  // A label written in a templated block stays there; the block already carries it (with the same value).
  if (!(SERVICE_NAME_LABEL in written)) newLabels[SERVICE_NAME_LABEL] = serviceName;
  if (!(MANAGED_BY_LABEL in written)) newLabels[MANAGED_BY_LABEL] = settings.managedBy;
  out.labels = newLabels;
  const annotations = metadata.annotations;
  if (annotations instanceof RawBlock) {
    if (DROPPED_ANNOTATIONS.some((a) => a in annotations.entries)) refuse('a templated annotations block holds an annotation that must be dropped');
    out.annotations = { [`${RAW_BLOCK_KEY_PREFIX}annotations`]: annotations };
  } else if (isObj(annotations)) {
    const kept = Object.fromEntries(Object.entries(annotations).filter(([key]) => !DROPPED_ANNOTATIONS.includes(key)));
    if (Object.keys(kept).length > 0) out.annotations = kept;
  } else if (present(annotations)) refuse('metadata.annotations is not a map');
  if (present(metadata.ownerReferences)) out.ownerReferences = metadata.ownerReferences;
  if (present(metadata.finalizers)) out.finalizers = metadata.finalizers;
  return out;
}

export function suffixed(name: Value, suffix: string): Value {
  if (!suffix) return name;
  if (name instanceof Template) {
    const suffixedName = name.withSuffix(suffix);
    if (!suffixedName.ok) refuse(suffixedName.reason);
    return new Template(suffixedName.raw, name.jinja);
  }
  return `${String(name)}${suffix}`;
}

/** A copy with valid stand-ins for Helm templates, so that validation checks everything else. */
export function concrete(value: unknown, key = ''): unknown {
  if (value instanceof Template) return key === 'port' ? 1 : 'tpl';
  if (Array.isArray(value)) return value.map((v) => concrete(v));
  if (isObj(value)) {
    const out: Obj = {};
    let n = 0;
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith(RAW_BLOCK_KEY_PREFIX)) continue;
      out[isTemplateKey(k) ? `tpl${n++}` : k] = concrete(v, k);
    }
    return out;
  }
  return value;
}

/** `build`'s value, or the reason it refused (the helpers above refuse by throwing). */
export function refusalOf<T>(build: () => T): { ok: true; value: T } | { ok: false; reason: string } {
  try {
    return { ok: true, value: build() };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.message };
    throw error;
  }
}

export function endpointsToSlices(endpoints: unknown, settings: Settings): Conversion {
  try {
    return { ok: true, ...convert(endpoints, settings) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.message };
    throw error;
  }
}

function convert(endpoints: unknown, settings: Settings): { slices: EndpointSliceObject[]; origins: Origins } {
  if (!isObj(endpoints)) refuse('the object is not a map');
  checkFields(endpoints, ENDPOINTS_FIELDS, 'the Endpoints object');
  const metadata = endpoints.metadata;
  if (!isObj(metadata)) refuse('it has no metadata');
  checkFields(metadata, [...KEPT_METADATA, ...SERVER_METADATA], 'metadata');
  if (!present(metadata.name) || (typeof metadata.name !== 'string' && !(metadata.name instanceof Template))) {
    refuse('it has no metadata.name (the name of its Service)');
  }

  const groups = new Map<string, Group>();
  const endpointOf = new Map<string, SliceEndpoint>();
  const subsetPorts: { portSet: string; ports: SlicePort[] }[] = [];
  const subsets = listOf(endpoints.subsets, 'subsets');
  subsets.forEach((subset, i) => {
    const where = `subsets[${i}]`;
    if (!isObj(subset)) refuse(`${where} is not an object`);
    checkFields(subset, SUBSET_FIELDS, where);
    const ports = listOf(subset.ports, `${where}.ports`).map((p, j) => convertPort(p, `${where}.ports[${j}]`));
    if (ports.length > MAX_PORTS_PER_SLICE) refuse(`${where} has ${ports.length} ports; an EndpointSlice holds at most ${MAX_PORTS_PER_SLICE}`);
    const portSet = ports.map(keyText).sort().join('\n');
    subsetPorts.push({ portSet, ports });
    // Ready addresses first, then not-ready ones: the order in which the mirroring controller inserts them.
    const ready = listOf(subset.addresses, `${where}.addresses`).map((a, j) => convertAddress(a, true, `${where}.addresses[${j}]`));
    const notReady = listOf(subset.notReadyAddresses, `${where}.notReadyAddresses`).map((a, j) =>
      convertAddress(a, false, `${where}.notReadyAddresses[${j}]`),
    );
    const all = [...ready, ...notReady];
    if (all.length === 0 && ports.length > 0) {
      refuse(`${where} lists ports but no addresses; remove that subset (or give it its addresses) and run --fix again`);
    }
    for (const { family, endpoint, where: at } of all) {
      const key = `${portSet}\u0000${family}`;
      let group = groups.get(key);
      if (!group) {
        group = { family, portSet, ports, endpoints: [], seen: new Map() };
        groups.set(key, group);
      }
      addEndpoint(group, endpoint, at);
      endpointOf.set(at, group.seen.get(identityOf(endpoint))!.endpoint);
    }
  });
  if (groups.size === 0) {
    refuse('it has no addresses, so there is nothing to convert; delete it if the Service has no backends, or make whatever fills it write EndpointSlices');
  }

  const max = Math.max(1, Math.min(settings.maxEndpointsPerSlice, 1000));
  const chunks: Group[] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.endpoints.length; i += max) chunks.push({ ...group, endpoints: group.endpoints.slice(i, i + max) });
  }
  const dualStack = chunks.some((c) => c.family === 'IPv4') && chunks.some((c) => c.family === 'IPv6');
  const counters = new Map<string, number>();
  const slices = chunks.map((chunk): EndpointSliceObject => {
    const familySuffix = dualStack && chunk.family === 'IPv6' ? '-ipv6' : '';
    const n = (counters.get(familySuffix) ?? 0) + 1;
    counters.set(familySuffix, n);
    const suffix = familySuffix + (n > 1 ? `-${n}` : '');
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: sliceMetadata(metadata, suffixed(metadata.name, suffix), settings) as EndpointSliceObject['metadata'],
      addressType: chunk.family,
      endpoints: chunk.endpoints,
      ports: chunk.ports,
    };
  });
  for (const slice of slices) {
    const problems = sliceProblems(concrete(slice));
    if (problems.length) {
      const name = slice.metadata.name instanceof Template ? slice.metadata.name.raw : String(slice.metadata.name);
      refuse(`the EndpointSlice ${name} would be invalid: ${problems[0]}`);
    }
  }
  const position = new Map<SliceEndpoint, [number, number]>();
  slices.forEach((slice, s) => slice.endpoints.forEach((endpoint, e) => position.set(endpoint, [s, e])));
  const origins: Origins = { endpoints: new Map(), ports: new Map() };
  for (const [place, endpoint] of endpointOf) origins.endpoints.set(place, position.get(endpoint)!);
  subsetPorts.forEach(({ portSet, ports }, i) => {
    const holding = chunks.flatMap((chunk, c) => (chunk.portSet === portSet ? [c] : []));
    if (holding.length === 0) return;
    const order = ports.map((port) => chunks[holding[0]].ports.findIndex((p) => keyText(p) === keyText(port)));
    origins.ports.set(i, { slices: holding, order });
  });
  return { slices, origins };
}
