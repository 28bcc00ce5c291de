/**
 * prometheus-operator's objects and kube-prometheus-stack's values, as the rules about the operator's discovery
 * read them: the Prometheus and PrometheusAgent resources, ServiceMonitors' relabelings, ScrapeConfigs, and the
 * chart's values file (recognised by its own keys, `prometheusOperator:` beside `prometheus.prometheusSpec`).
 */
import type { Node, YAMLMap } from 'yaml';
import type { YamlAst } from '../languages/helm.js';
import { isMap, isScalar, isSeq } from '../languages/yaml-nodes.js';
import { manifestObjects, mapGet, mapGetMap, type ManifestObject } from '../manifests.js';
import { ENDPOINTS_META_LABEL } from './meta-labels.js';

const GROUP = 'monitoring.coreos.com/';

export function isOperatorObject(object: ManifestObject, ...kinds: string[]): boolean {
  return (object.apiVersion?.startsWith(GROUP) ?? false) && kinds.includes(object.kind ?? '');
}

/** The operator's objects of these kinds in a file. */
export function operatorObjects(ast: YamlAst, ...kinds: string[]): ManifestObject[] {
  return manifestObjects(ast).filter((o) => isOperatorObject(o, ...kinds));
}

/** The `relabelings` lists of a ServiceMonitor's endpoints (not `metricRelabelings`: meta labels never reach them). */
export function monitorRelabelings(monitor: YAMLMap): Node[] {
  const spec = mapGetMap(monitor, 'spec');
  const endpoints = spec && mapGet(spec, 'endpoints');
  if (!isSeq(endpoints)) return [];
  return endpoints.items.filter(isMap).flatMap((e) => {
    const relabelings = mapGet(e, 'relabelings');
    return isSeq(relabelings) ? [relabelings] : [];
  });
}

/** The endpoints-role meta labels named anywhere in these relabel lists, each once, with the first scalar naming one. */
export function endpointsLabelsIn(lists: Node[]): { labels: string[]; first?: Node } {
  const labels = new Set<string>();
  let first: Node | undefined;
  const visit = (node: unknown): void => {
    if (isSeq(node)) node.items.forEach(visit);
    else if (isMap(node)) node.items.forEach((p) => visit(p.value));
    else if (isScalar(node) && typeof node.value === 'string') {
      for (const match of node.value.matchAll(ENDPOINTS_META_LABEL)) {
        labels.add(match[0]);
        first ??= node;
      }
    }
  };
  lists.forEach(visit);
  return { labels: [...labels], first };
}

export interface StackValues {
  /** The mapping holding the chart's values: the file's root, or an umbrella chart's `kube-prometheus-stack:`. */
  values: YAMLMap;
  prometheusSpec: YAMLMap;
  prometheusOperator: YAMLMap;
}

function stackValuesAt(map: YAMLMap): StackValues | undefined {
  const prometheusOperator = mapGetMap(map, 'prometheusOperator');
  const prometheus = mapGetMap(map, 'prometheus');
  const prometheusSpec = prometheus && mapGetMap(prometheus, 'prometheusSpec');
  return prometheusOperator && prometheusSpec ? { values: map, prometheusSpec, prometheusOperator } : undefined;
}

/** kube-prometheus-stack values in a file: at its root, or one level down (an umbrella chart's dependency key). */
export function stackValues(ast: YamlAst): StackValues[] {
  const found: StackValues[] = [];
  for (const doc of ast.documents) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    const atRoot = stackValuesAt(root);
    if (atRoot) {
      found.push(atRoot);
      continue;
    }
    for (const pair of root.items) if (isMap(pair.value)) found.push(...[stackValuesAt(pair.value)].filter((v) => v !== undefined));
  }
  return found;
}

/** Keys under which values hold PodMonitors, whose role is pod: their relabelings never see endpoints labels. */
const POD_MONITOR_KEYS = new Set(['additionalPodMonitors', 'podMetricsEndpoints', 'podMonitor']);

/** Every ServiceMonitor `relabelings` list in chart values (`*.serviceMonitor.relabelings`, `additionalServiceMonitors`). */
export function valuesRelabelings(values: YAMLMap): Node[] {
  const lists: Node[] = [];
  const visit = (node: unknown): void => {
    if (isSeq(node)) node.items.forEach(visit);
    else if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        if (POD_MONITOR_KEYS.has(key)) continue;
        if (key === 'relabelings' && isSeq(pair.value)) lists.push(pair.value);
        else visit(pair.value);
      }
    }
  };
  visit(values);
  return lists;
}
