/**
 * kube-state-metrics-endpoints: kube-state-metrics' `endpoints` collector (it lists and watches v1 Endpoints), and
 * the alerts, recording rules and dashboards that read its `kube_endpoint_*` metrics. Switching the collector to
 * `endpointslices` is not a rename of metrics: the series, their labels and the meaning of readiness all change, so
 * the readers are reported with what differs, and the fix changes the collector list only.
 */
import type { Node, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { isCollectorItem, resourcesOf, rewriteCollector, rewriteResourcesFlag } from '../codemods/kube-state-metrics-endpointslices.js';
import type { YamlAst } from '../src/languages/helm.js';
import { directivesIn } from '../src/languages/helm.js';
import { isMap, isPair, isScalar, isSeq, walkNodes } from '../src/languages/yaml-nodes.js';
import { mapGet, mapGetString, nodeRange } from '../src/manifests.js';
import { embeddedConfig } from '../src/prometheus/scrape-jobs.js';
import type { CollectContext, Edit, Rule, RuleContext } from '../src/types.js';

const READERS = 'kube-state-metrics-endpoints/readers';
const METRIC_TEXT = 'kube_endpoint_';
/** A metric of the endpoints collector (`kube_endpointslice_*` does not match: `endpoint` is followed by `_`). */
const ENDPOINT_METRIC = /\bkube_endpoint_[a-zA-Z0-9_]+/g;
/** Keys whose string is a PromQL query: rules' and dashboards' `expr`, Grafana's variable `query` / `definition`. */
const QUERY_KEYS = new Set(['expr', 'query', 'definition']);
/** JSON's `"expr": "..."` (and Grafana's `query`, `definition`) in a dashboard kept as a string. */
const JSON_QUERY = /"(?:expr|query|definition)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
/** YAML's `expr:` in a rule file kept as a string: the rest of its line, and for `|` / `>` its more indented lines. */
const YAML_EXPR = /^([ \t]*(?:-[ \t]+)?)expr[ \t]*:[ \t]*(.*)$/gm;

/** The queries of a dashboard or rule file kept as a string: [offset, length, query] in `text`. */
function embeddedQueries(text: string): [number, number, string][] {
  const found: [number, number, string][] = [];
  for (const m of text.matchAll(JSON_QUERY)) found.push([m.index, m[0].length, m[1]]);
  for (const m of text.matchAll(YAML_EXPR)) {
    if (!/^[|>]/.test(m[2])) {
      found.push([m.index + m[1].length, m[0].length - m[1].length, m[2]]);
      continue;
    }
    const indent = m[1].length;
    let end = m.index + m[0].length;
    for (const line of text.slice(end + 1).split('\n')) {
      if (line.trim() !== '' && line.length - line.trimStart().length <= indent) break;
      end += line.length + 1;
    }
    found.push([m.index + m[1].length, end - m.index - m[1].length, text.slice(m.index + m[0].length, end)]);
  }
  return found;
}

/** Keys only kube-state-metrics' chart values have beside `collectors`. */
const CHART_KEYS = ['metricLabelsAllowlist', 'metricAllowlist', 'metricDenylist', 'prometheusScrape', 'kubeRBACProxy', 'selfMonitor', 'customResourceState'];

interface ReaderFact {
  file: string;
  metrics: string[];
}

/** A query that reads kube_endpoint_* metrics: where to report, and which metrics. */
interface Reader {
  start: number;
  end: number;
  metrics: string[];
}

function metricsIn(text: string): string[] {
  return [...new Set([...text.matchAll(ENDPOINT_METRIC)].map((m) => m[0]))];
}

/**
 * Every query reading kube_endpoint_*: a string under a query key (PrometheusRule, rule files, dashboards as JSON or
 * YAML), and in a dashboard embedded as a string (a ConfigMap's `*.json: |`), each `"expr"` in it.
 */
function readersIn(ast: YamlAst, text: string): Reader[] {
  const found: Reader[] = [];
  for (const doc of ast.documents) {
    walkNodes(doc.contents, (node, parent) => {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.value.includes(METRIC_TEXT) || !node.range) return;
      const key = isPair(parent) && parent.value === node && isScalar(parent.key) ? String(parent.key.value) : undefined;
      if (key !== undefined && QUERY_KEYS.has(key)) {
        const metrics = metricsIn(node.value);
        if (metrics.length) found.push({ start: node.range[0], end: node.range[1], metrics });
        return;
      }
      // An embedded dashboard: its "expr" strings, at their own lines when the block maps back to the file.
      const embedded = embeddedConfig(ast.masked, node);
      const inner = embedded?.text ?? node.value;
      for (const [at, length, query] of embeddedQueries(inner)) {
        const metrics = metricsIn(query);
        if (!metrics.length) continue;
        const [start, end] = embedded ? [embedded.toFile(at), embedded.toFile(Math.min(at + length, inner.length))] : node.range;
        found.push({ start, end, metrics });
      }
    });
  }
  return found;
}

const isKubeStateMetrics = (container: YAMLMap) => /kube-state-metrics/.test(mapGetString(container, 'image') ?? '');

/** `--resources=` arguments naming `endpoints`, in containers running kube-state-metrics. */
function resourceFlags(ast: YamlAst): Scalar[] {
  const found: Scalar[] = [];
  for (const doc of ast.documents) {
    walkNodes(doc.contents, (node) => {
      if (!isMap(node) || !isKubeStateMetrics(node)) return;
      for (const key of ['args', 'command']) {
        const list = mapGet(node, key);
        if (!isSeq(list)) continue;
        for (const arg of list.items) {
          if (isScalar(arg) && typeof arg.value === 'string' && arg.range && resourcesOf(arg.value)?.includes('endpoints')) found.push(arg);
        }
      }
    });
  }
  return found;
}

/** kube-state-metrics chart values' `collectors:` lists holding `endpoints`: at the root, or under `kube-state-metrics:`. */
function collectorLists(ast: YamlAst): YAMLSeq[] {
  const found: YAMLSeq[] = [];
  const consider = (values: YAMLMap, isChart: boolean) => {
    const list = mapGet(values, 'collectors');
    if (isSeq(list) && (isChart || CHART_KEYS.some((k) => mapGet(values, k) !== undefined)) && list.items.some(isCollectorItem)) found.push(list);
  };
  for (const doc of ast.documents) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    consider(root, false);
    // kube-prometheus-stack and umbrella charts hold the chart's values under its name.
    walkNodes(root, (node, parent) => {
      if (isMap(node) && isPair(parent) && isScalar(parent.key) && parent.key.value === 'kube-state-metrics') consider(node, true);
    });
  }
  return found;
}

function readersMessage(context: RuleContext<YamlAst>): string {
  const readers = context.facts.get<ReaderFact>(READERS);
  if (readers.length === 0) {
    return 'No alert, recording rule or dashboard in this scan reads kube_endpoint_*; check those kept elsewhere (Grafana, other repositories) before the metrics go';
  }
  const byFile = new Map<string, Set<string>>();
  for (const r of readers) for (const m of r.metrics) byFile.set(r.file, (byFile.get(r.file) ?? new Set()).add(m));
  const list = [...byFile].sort(([a], [b]) => a.localeCompare(b)).map(([file, metrics]) => `${file} (${[...metrics].sort().join(', ')})`);
  return `These read kube_endpoint_* and must be rewritten to kube_endpointslice_* in the same change (so the fix is applied only with --unsafe-fixes): ${list.join('; ')}`;
}

function reportCollector(context: RuleContext<YamlAst>, node: Node, where: string, edit: Edit | string): void {
  const [start, end] = nodeRange(node);
  const readers = readersMessage(context);
  const data = { where, readers };
  if (typeof edit === 'string') {
    context.report({ start, end, messageId: 'collector', data: { ...data, fix: `not fixed because ${edit}` } });
  } else if (context.facts.get<ReaderFact>(READERS).length > 0) {
    context.report({ start, end, messageId: 'collector', data: { ...data, fix: 'the fix lists endpointslices instead' }, unsafeFix: [edit] });
  } else {
    context.report({ start, end, messageId: 'collector', data: { ...data, fix: 'the fix lists endpointslices instead' }, fix: [edit] });
  }
}

export const rule: Rule<YamlAst> = {
  meta: {
    id: 'kube-state-metrics-endpoints',
    severity: 'warning',
    description: "kube-state-metrics' endpoints collector and the rules and dashboards that read its kube_endpoint_* metrics",
    help:
      "kube-state-metrics' endpoints collector lists and watches the deprecated v1 Endpoints API; since v2.18 " +
      'endpointslices is a default resource and endpoints is not. Its kube_endpoint_* metrics have no one-to-one ' +
      'kube_endpointslice_* counterparts (other series, other labels, terminating endpoints counted as not ready), so ' +
      'alerts and dashboards that read them are reported, and the fix changes the collector list only.',
    docs: 'rules/kube-state-metrics-endpoints.md',
    languages: ['yaml', 'json'],
    triggers: [METRIC_TEXT, '--resources=', 'collectors'],
    // A metric name, a --resources list naming endpoints, or a list item that is exactly `endpoints`.
    mayReport: (text) => text.includes(METRIC_TEXT) || /--resources=[^\s"']*\bendpoints\b|^\s*-\s*["']?endpoints["']?\s*$/m.test(text),
    fixable: true,
    codemod: 'kube-state-metrics-endpointslices',
    messages: {
      collector:
        "kube-state-metrics' endpoints collector ({{where}}) lists and watches the deprecated v1 Endpoints API; since " +
        'kube-state-metrics v2.18 endpointslices is a default resource and endpoints is not: {{fix}}. Its kube_endpoint_* ' +
        'metrics then disappear and kube_endpointslice_* are not a rename of them (see rules/kube-state-metrics-endpoints.md). ' +
        '{{readers}}. Its ClusterRole needs list/watch on endpointslices in discovery.k8s.io',
      metrics:
        'Reads {{metrics}} from kube-state-metrics\' endpoints collector, which reads the deprecated v1 Endpoints API. ' +
        'It is not a rename: kube_endpoint_address has a series per (address, port) labelled with the Service ' +
        '(endpoint="<service>"), kube_endpointslice_endpoints one per address labelled with the slice (endpointslice=' +
        '"<generated name>"), with the Service only through kube_endpointslice_labels and --metric-labels-allowlist; ' +
        'terminating endpoints now count as not ready; kube_endpoint_address_available was removed in v2.14. Rewrite the ' +
        'query for kube_endpointslice_* before the collector is switched',
    },
    collect: { languages: ['yaml', 'json'], triggers: [METRIC_TEXT] },
  },

  collect(context: CollectContext<YamlAst>) {
    const readers = readersIn(context.ast, context.file.text);
    if (readers.length === 0) return;
    context.facts.add<ReaderFact>(READERS, { file: context.file.path, metrics: [...new Set(readers.flatMap((r) => r.metrics))] });
  },

  // Only a file with the collector needs to know who reads its metrics.
  collectNeeds(context: CollectContext<YamlAst>) {
    return resourceFlags(context.ast).length > 0 || collectorLists(context.ast).length > 0 ? [METRIC_TEXT] : [];
  },

  check(context: RuleContext<YamlAst>) {
    const { ast, file } = context;
    const text = file.text;
    const templated = (node: Node) => {
      const [start, end] = nodeRange(node);
      return directivesIn(ast, start, end).length > 0;
    };
    for (const arg of resourceFlags(ast)) {
      const edit = templated(arg) ? 'the argument is written by template directives' : rewriteResourcesFlag(text, arg);
      reportCollector(context, arg, `--resources=${resourcesOf(String(arg.value))!.join(',')}`, edit);
    }
    for (const list of collectorLists(ast)) {
      for (const item of list.items.filter(isCollectorItem)) {
        const edit = templated(item) ? 'the item is written by template directives' : rewriteCollector(text, list, item);
        reportCollector(context, item, 'chart values collectors: endpoints', edit);
      }
    }
    for (const reader of readersIn(ast, text)) {
      context.report({ start: reader.start, end: reader.end, messageId: 'metrics', data: { metrics: reader.metrics.join(', ') } });
    }
  },
};
