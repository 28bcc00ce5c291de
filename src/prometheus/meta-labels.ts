/**
 * The meta labels of Prometheus's Kubernetes service discovery that differ between `role: endpoints` and
 * `role: endpointslice`, as a table (pluto-style: one row per deprecated name, with its replacement and what the
 * user must know). Read from prometheus/discovery/kubernetes endpoints.go and endpointslice.go.
 *
 * Only exact renames are here. A label of the endpoints role that has no exact counterpart (the Endpoints object's
 * own labels and annotations: slices carry the Service's labels and the controller's, not the Endpoints') is absent
 * on purpose, so that a job reading it is reported instead of rewritten.
 */

export interface MetaLabelRename {
  from: string;
  to: string;
  /** What differs even after the rename; shown in the finding. */
  note?: string;
  /** The oldest Prometheus that sets `to`, when newer than the endpointslice role itself (2.21). */
  since?: string;
}

const PREFIX = '__meta_kubernetes_';

export const META_LABEL_RENAMES: readonly MetaLabelRename[] = [
  {
    from: `${PREFIX}endpoint_ready`,
    to: `${PREFIX}endpointslice_endpoint_conditions_ready`,
    note: 'absent where a slice leaves conditions.ready unset (which means ready)',
  },
  { from: `${PREFIX}endpoint_port_name`, to: `${PREFIX}endpointslice_port_name` },
  { from: `${PREFIX}endpoint_port_protocol`, to: `${PREFIX}endpointslice_port_protocol` },
  { from: `${PREFIX}endpoint_address_target_kind`, to: `${PREFIX}endpointslice_address_target_kind` },
  { from: `${PREFIX}endpoint_address_target_name`, to: `${PREFIX}endpointslice_address_target_name` },
  { from: `${PREFIX}endpoint_hostname`, to: `${PREFIX}endpointslice_endpoint_hostname` },
  {
    from: `${PREFIX}endpoint_node_name`,
    to: `${PREFIX}endpointslice_endpoint_node_name`,
    // Not ..._endpoint_topology_kubernetes_io_hostname: that comes from deprecatedTopology, which v1 slices lack.
    since: '2.52',
  },
  {
    // The Endpoints object is named after its Service; a slice's name is generated (`web-x7k2p`).
    from: `${PREFIX}endpoints_name`,
    to: `${PREFIX}service_name`,
  },
];

const byName = new Map(META_LABEL_RENAMES.map((r) => [r.from, r]));

/** Every meta label name of the endpoints role (`__meta_kubernetes_endpoint_…`, `__meta_kubernetes_endpoints_…`). */
export const ENDPOINTS_META_LABEL = /__meta_kubernetes_endpoints?_[A-Za-z0-9_]*/g;

export function renameOf(label: string): MetaLabelRename | undefined {
  return byName.get(label);
}

/** The label the endpointslice role sets for a terminating endpoint, which v1 Endpoints never listed. */
export const TERMINATING_LABEL = `${PREFIX}endpointslice_endpoint_conditions_terminating`;
export const READY_LABEL = `${PREFIX}endpoint_ready`;
