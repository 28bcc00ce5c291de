/**
 * What a Prometheus scrape job scrapes in a cluster state, for `role: endpoints` and `role: endpointslice`: the
 * targets Prometheus's Kubernetes discovery builds from the objects (prometheus/discovery/kubernetes endpoints.go
 * `buildEndpoints`, endpointslice.go `buildEndpointSlice`), then the job's relabel_configs applied the way
 * prometheus/model/relabel does (keep, drop, replace, labelmap; anchored regexes; `;` separator; `$1`). Labels that
 * both roles take from pods and nodes are left out: the states hold no pods, and both roles add the same ones.
 *
 * The Prometheus rule's fixes are judged with it: the original job on the v1 Endpoints of a state must scrape the
 * same targets (the same label sets after relabelling) as the fixed job on the EndpointSlices of that state.
 */
import type { ClusterState, Json } from './cluster-states.js';

type Labels = Record<string, string>;
const META = '__meta_kubernetes_';

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

function serviceLabels(state: ClusterState, name: string | undefined): Labels {
  const service = state.services.find((s) => (s.metadata as Json).name === name);
  if (!service) return {};
  const metadata = service.metadata as Json;
  const out: Labels = { [`${META}service_name`]: String(metadata.name) };
  for (const [k, v] of Object.entries((metadata.labels as Labels | undefined) ?? {})) out[`${META}service_label_${sanitize(k)}`] = v;
  for (const [k, v] of Object.entries((metadata.annotations as Labels | undefined) ?? {})) out[`${META}service_annotation_${sanitize(k)}`] = v;
  return out;
}

/** The targets of `role: endpoints` (endpoints.go buildEndpoints). */
export function endpointsRoleTargets(state: ClusterState): Labels[] {
  const targets: Labels[] = [];
  for (const ep of state.endpoints) {
    const metadata = ep.metadata as Json;
    const group: Labels = { [`${META}namespace`]: String(metadata.namespace), [`${META}endpoints_name`]: String(metadata.name), ...serviceLabels(state, String(metadata.name)) };
    for (const subset of (ep.subsets as Json[] | undefined) ?? []) {
      for (const port of subset.ports as Json[]) {
        const add = (address: Json, ready: string) => {
          const target: Labels = {
            ...group,
            __address__: joinHostPort(String(address.ip), Number(port.port)),
            [`${META}endpoint_port_name`]: String(port.name ?? ''),
            [`${META}endpoint_port_protocol`]: String(port.protocol ?? ''),
            [`${META}endpoint_ready`]: ready,
          };
          const ref = address.targetRef as Json | undefined;
          if (ref) {
            target[`${META}endpoint_address_target_kind`] = String(ref.kind ?? '');
            target[`${META}endpoint_address_target_name`] = String(ref.name ?? '');
          }
          if (address.nodeName) target[`${META}endpoint_node_name`] = String(address.nodeName);
          if (address.hostname) target[`${META}endpoint_hostname`] = String(address.hostname);
          targets.push(target);
        };
        for (const a of (subset.addresses as Json[] | undefined) ?? []) add(a, 'true');
        for (const a of (subset.notReadyAddresses as Json[] | undefined) ?? []) add(a, 'false');
      }
    }
  }
  return targets;
}

/** The targets of `role: endpointslice` (endpointslice.go buildEndpointSlice, Prometheus ≥ 2.52 for node_name). */
export function endpointSliceRoleTargets(state: ClusterState): Labels[] {
  const targets: Labels[] = [];
  for (const slice of state.endpointSlices) {
    const metadata = slice.metadata as Json;
    const serviceName = ((metadata.labels as Labels | undefined) ?? {})['kubernetes.io/service-name'];
    const group: Labels = {
      [`${META}namespace`]: String(metadata.namespace),
      [`${META}endpointslice_name`]: String(metadata.name),
      [`${META}endpointslice_address_type`]: String(slice.addressType),
      ...serviceLabels(state, serviceName),
    };
    for (const endpoint of (slice.endpoints as Json[] | null) ?? []) {
      for (const port of (slice.ports as Json[] | null) ?? []) {
        for (const address of endpoint.addresses as string[]) {
          const target: Labels = { ...group, __address__: port.port === undefined ? address : joinHostPort(address, Number(port.port)) };
          if (port.name !== undefined) target[`${META}endpointslice_port_name`] = String(port.name);
          if (port.protocol !== undefined) target[`${META}endpointslice_port_protocol`] = String(port.protocol);
          if (port.port !== undefined) target[`${META}endpointslice_port`] = String(port.port);
          const conditions = (endpoint.conditions as Json | undefined) ?? {};
          for (const c of ['ready', 'serving', 'terminating']) {
            if (typeof conditions[c] === 'boolean') target[`${META}endpointslice_endpoint_conditions_${c}`] = String(conditions[c]);
          }
          if (endpoint.hostname) target[`${META}endpointslice_endpoint_hostname`] = String(endpoint.hostname);
          if (endpoint.nodeName) target[`${META}endpointslice_endpoint_node_name`] = String(endpoint.nodeName);
          const ref = endpoint.targetRef as Json | undefined;
          if (ref) {
            target[`${META}endpointslice_address_target_kind`] = String(ref.kind ?? '');
            target[`${META}endpointslice_address_target_name`] = String(ref.name ?? '');
          }
          targets.push(target);
        }
      }
    }
  }
  return targets;
}

export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string | boolean;
  target_label?: string;
  replacement?: string;
  action?: string;
}

function expand(template: string, match: RegExpExecArray): string {
  return template.replace(/\$\{?(\w+)\}?/g, (_, group: string) => match[Number(group)] ?? match.groups?.[group] ?? '');
}

/** Applies relabel_configs as prometheus/model/relabel.Process does; undefined when the target is dropped. */
export function relabel(labels: Labels, configs: RelabelConfig[]): Labels | undefined {
  let current = { ...labels };
  for (const c of configs) {
    const regex = new RegExp(`^(?:${String(c.regex ?? '(.*)')})$`);
    const value = (c.source_labels ?? []).map((l) => current[l] ?? '').join(c.separator ?? ';');
    const action = (c.action ?? 'replace').toLowerCase();
    if (action === 'keep' && !regex.test(value)) return undefined;
    if (action === 'drop' && regex.test(value)) return undefined;
    if (action === 'replace') {
      const match = regex.exec(value);
      if (!match) continue;
      const target = expand(c.target_label ?? '', match);
      const replacement = expand(c.replacement ?? '$1', match);
      if (replacement === '') delete current[target];
      else current[target] = replacement;
    }
    if (action === 'labelmap') {
      const next = { ...current };
      for (const [name, v] of Object.entries(current)) {
        const match = regex.exec(name);
        if (match) next[expand(c.replacement ?? '$1', match)] = v;
      }
      current = next;
    }
  }
  return current;
}

/** The targets a job scrapes: relabelled, meta labels gone, de-duplicated as Prometheus's scrape pool does. */
export function scraped(targets: Labels[], configs: RelabelConfig[]): string[] {
  const out = new Set<string>();
  for (const t of targets) {
    const labels = relabel(t, configs);
    if (!labels) continue;
    const kept = Object.entries(labels).filter(([k]) => !k.startsWith('__') || k === '__address__').sort(([a], [b]) => a.localeCompare(b));
    out.add(JSON.stringify(kept));
  }
  return [...out].sort();
}

/** The state with every Service annotated `prometheus.io/scrape: "true"`, as annotation-driven chart jobs expect. */
export function withScrapeAnnotation(state: ClusterState): ClusterState {
  const services = state.services.map((s) => {
    const copy = structuredClone(s);
    (copy.metadata as Json).annotations = { 'prometheus.io/scrape': 'true' };
    return copy;
  });
  return { ...state, services };
}
