/**
 * prometheus-operator-discovery-role: prometheus-operator configurations that make Prometheus discover through the
 * deprecated v1 Endpoints API. A Prometheus or PrometheusAgent without `spec.serviceDiscoveryRole: EndpointSlice`
 * (unset means Endpoints) discovers every ServiceMonitor's targets and its Alertmanagers from Endpoints; a
 * ScrapeConfig can ask for `role: Endpoints` itself; kube-prometheus-stack's values set both, and make the operator
 * write v1 Endpoints for the kubelet. ServiceMonitor relabelings that read the Endpoints role's meta labels silently
 * match nothing once the role changes, so the role and their renames are made together, or not at all.
 */
import type { Node } from 'yaml';
import { OPERATOR_CRD, endpointsRoles, renameRelabelLabels, rewriteJob } from '../codemods/prometheus-endpointslice-role.js';
import { setMapKey, touchesLines } from '../codemods/prometheus-operator-discovery-role.js';
import type { YamlAst } from '../src/languages/helm.js';
import { directivesIn } from '../src/languages/helm.js';
import { mapGet, mapGetMap, mapGetString, mapPair, nodeRange, objectName, scalarString } from '../src/manifests.js';
import { renameOf, type MetaLabelRename } from '../src/prometheus/meta-labels.js';
import { endpointsLabelsIn, monitorRelabelings, operatorObjects, stackValues, valuesRelabelings } from '../src/prometheus/operator.js';
import type { CollectContext, Edit, RuleContext, Rule } from '../src/types.js';
import { pushAll } from '../src/push-all.js';

const MONITORS = 'prometheus-operator-discovery-role/monitors';

/** A ServiceMonitor whose relabelings read endpoints-role meta labels, in some file of the repository. */
interface MonitorFact {
  file: string;
  name: string;
}

const ENDPOINTS_LABEL_TEXT = '__meta_kubernetes_endpoint';

/** What the renames of a fix say in its message. */
function describeRenames(renames: MetaLabelRename[]): string {
  return renames.map((r) => `${r.from} becomes ${r.to}${r.note ? ` (${r.note})` : ''}`).join('; ');
}

/** The renames a message proposes for labels it cannot rename itself. */
function proposedRenames(labels: string[]): string {
  return labels
    .map((label) => {
      const rename = renameOf(label);
      return rename ? `${label} → ${rename.to}` : `${label} has no counterpart in the EndpointSlice role`;
    })
    .join('; ');
}

interface Bundle {
  edits: Edit[];
  renames: MetaLabelRename[];
}

/** Renames the endpoints meta labels of these relabel lists, all of them or none (then the reason). */
function renameAll(text: string, lists: { where: string; list: Node }[]): Bundle | { reason: string } {
  const edits: Edit[] = [];
  const renames = new Map<string, MetaLabelRename>();
  for (const { where, list } of lists) {
    const outcome = renameRelabelLabels(text, list, OPERATOR_CRD);
    if ('reason' in outcome) return { reason: `${where}: ${outcome.reason}` };
    pushAll(edits, outcome.edits);
    for (const r of outcome.renames) renames.set(r.from, r);
  }
  return { edits, renames: [...renames.values()] };
}

/** The sentence naming monitors in other files that read endpoints labels (their renames are not in this fix). */
function otherMonitors(context: RuleContext<YamlAst>): string[] {
  const files = context.facts
    .get<MonitorFact>(MONITORS)
    .filter((m) => m.file !== context.file.path)
    .map((m) => `${m.name} (${m.file})`);
  return [...new Set(files)].sort();
}

/** Reports a role change: a fix when nothing else must change with it, an unsafe fix when monitors elsewhere must. */
function reportRoleChange(
  context: RuleContext<YamlAst>,
  at: { start: number; end: number },
  data: Record<string, string>,
  bundle: Bundle,
): void {
  const elsewhere = otherMonitors(context);
  const renamed = bundle.renames.length ? `; in the same fix, in this file's ServiceMonitors ${describeRenames(bundle.renames)}` : '';
  if (elsewhere.length === 0) {
    context.report({ ...at, messageId: 'role', data: { ...data, renamed }, fix: bundle.edits });
    return;
  }
  context.report({ ...at, messageId: 'roleMonitorsElsewhere', data: { ...data, renamed, monitors: elsewhere.join(', ') }, unsafeFix: bundle.edits });
}

function checkPrometheus(context: RuleContext<YamlAst>): void {
  const { ast, file } = context;
  const text = file.text;
  const monitors = operatorObjects(ast, 'ServiceMonitor');
  for (const object of operatorObjects(ast, 'Prometheus', 'PrometheusAgent')) {
    const spec = mapGetMap(object.node, 'spec');
    const role = spec ? mapGetString(spec, 'serviceDiscoveryRole') : undefined;
    if (role === 'EndpointSlice') continue;
    const directives = directivesIn(ast, object.start, object.end);
    // A chart's template that writes the role from its values: the values decide (and are checked as values).
    if (directives.some((d) => d.text.includes('serviceDiscoveryRole'))) continue;
    const kindNode = mapGet(object.node, 'kind');
    const rolePair = spec && mapPair(spec, 'serviceDiscoveryRole');
    const [start, end] = nodeRange(((rolePair?.value as Node | null) ?? kindNode)!);
    const data = { also: '', kind: object.kind!, name: objectName(object, text).name ?? '(unnamed)', current: role ? `serviceDiscoveryRole: ${role}` : 'serviceDiscoveryRole unset, which means Endpoints' };
    const refuse = (why: string) => context.report({ start, end, messageId: 'roleNotFixable', data: { ...data, why } });
    if (!spec) {
      refuse('it has no spec mapping to add the field to');
      continue;
    }
    if (directives.length > 0) {
      refuse('it is written by template directives');
      continue;
    }
    const setRole = setMapKey(text, spec, 'serviceDiscoveryRole', 'EndpointSlice');
    if (typeof setRole === 'string') {
      refuse(setRole);
      continue;
    }
    // Monitors that keep their own role do not follow the Prometheus's.
    const following = monitors.filter((m) => !mapGetString(mapGetMap(m.node, 'spec') ?? m.node, 'serviceDiscoveryRole'));
    const lists = following.flatMap((m) => monitorRelabelings(m.node).map((list) => ({ where: `ServiceMonitor ${objectName(m, text).name ?? '(unnamed)'}`, list })));
    const renamed = renameAll(text, lists);
    if ('reason' in renamed) {
      refuse(`${renamed.reason}, and its relabelings would match nothing under the EndpointSlice role`);
      continue;
    }
    reportRoleChange(context, { start, end }, data, { edits: [setRole, ...renamed.edits], renames: renamed.renames });
  }
}

function checkMonitors(context: RuleContext<YamlAst>): void {
  const text = context.file.text;
  for (const monitor of operatorObjects(context.ast, 'ServiceMonitor')) {
    const { labels, first } = endpointsLabelsIn(monitorRelabelings(monitor.node));
    if (!first) continue;
    const [start, end] = nodeRange(first);
    context.report({
      start,
      end,
      messageId: 'monitorLabels',
      data: { name: objectName(monitor, text).name ?? '(unnamed)', labels: labels.join(', '), renames: proposedRenames(labels) },
    });
  }
}

function checkScrapeConfigs(context: RuleContext<YamlAst>): void {
  const { ast, file } = context;
  for (const object of operatorObjects(ast, 'ScrapeConfig')) {
    const spec = mapGetMap(object.node, 'spec');
    const roles = spec ? endpointsRoles(spec, OPERATOR_CRD) : [];
    if (!spec || roles.length === 0) continue;
    const [start, end] = nodeRange(roles[0]);
    const name = objectName(object, file.text).name ?? '(unnamed)';
    const outcome = directivesIn(ast, object.start, object.end).length > 0 ? { reason: 'it is written by template directives' } : rewriteJob(file.text, spec, OPERATOR_CRD);
    if ('reason' in outcome) {
      context.report({ start, end, messageId: 'scrapeConfigNotFixable', data: { name, why: outcome.reason } });
      continue;
    }
    const { renames, dropsTerminating, edits } = outcome.rewrite;
    const changes = [
      ...renames.map((r) => `${r.from} becomes ${r.to}${r.note ? ` (${r.note})` : ''}`),
      ...(dropsTerminating ? ['a first relabeling drops terminating endpoints, which Endpoints never listed'] : []),
    ];
    context.report({ start, end, messageId: 'scrapeConfig', data: { name, changes: changes.length ? `; the fix: ${changes.join('; ')}` : '' }, fix: edits });
  }
}

function checkValues(context: RuleContext<YamlAst>): void {
  const { ast, file } = context;
  const text = file.text;
  for (const stack of stackValues(ast)) {
    const { prometheusSpec, prometheusOperator } = stack;
    const sliceEnabled = mapGetString(prometheusOperator, 'kubeletEndpointSliceEnabled') === 'true';
    const kubeletService = mapGetMap(prometheusOperator, 'kubeletService');
    const kubeletServiceOn = !kubeletService || mapGetString(kubeletService, 'enabled') !== 'false';
    const enableKubeletSlices = () => setMapKey(text, prometheusOperator, 'kubeletEndpointSliceEnabled', 'true', 'kubeletEndpointsEnabled');

    const rolePair = mapPair(prometheusSpec, 'serviceDiscoveryRole');
    const role = scalarString(rolePair?.value);
    if (role !== 'EndpointSlice') {
      const [start, end] = nodeRange(((rolePair?.value as Node | null) ?? (rolePair?.key as Node | undefined) ?? prometheusSpec) as Node);
      const data = {
        kind: 'kube-prometheus-stack values',
        name: 'prometheus.prometheusSpec',
        current: role ? `serviceDiscoveryRole: ${role}` : 'serviceDiscoveryRole unset, which means Endpoints',
      };
      const refuse = (why: string) => context.report({ start, end, messageId: 'roleNotFixable', data: { ...data, why } });
      const setRole = setMapKey(text, prometheusSpec, 'serviceDiscoveryRole', 'EndpointSlice');
      if (typeof setRole === 'string') {
        refuse(setRole);
      } else {
        const edits: Edit[] = [setRole];
        let kubelet: Edit | string | undefined;
        // The kubelet's ServiceMonitor follows the role: without the operator's kubelet slices its targets vanish.
        if (kubeletServiceOn && !sliceEnabled) kubelet = enableKubeletSlices();
        const lists = valuesRelabelings(stack.values).map((list) => ({ where: 'a ServiceMonitor relabelings in these values', list }));
        const renamed = renameAll(text, lists);
        // Values files are not templates, but their comments and strings often quote directives: only the lines changed matter.
        const templated = [setRole, ...(typeof kubelet === 'object' ? [kubelet] : []), ...('edits' in renamed ? renamed.edits : [])].some((e) =>
          touchesLines(text, e, ast.directives),
        );
        if (templated) refuse('a line the fix would change holds a template directive');
        else if (typeof kubelet === 'string') refuse(`prometheusOperator.kubeletEndpointSliceEnabled must be true with it, but ${kubelet}`);
        else if ('reason' in renamed) refuse(`${renamed.reason}, and its relabelings would match nothing under the EndpointSlice role`);
        else {
          if (kubelet) edits.push(kubelet);
          const also = kubelet ? '; the same fix sets prometheusOperator.kubeletEndpointSliceEnabled: true, so that the kubelet ServiceMonitor keeps its targets' : '';
          reportRoleChange(context, { start, end }, { ...data, also }, {
            edits: [...edits, ...renamed.edits],
            renames: renamed.renames,
          });
        }
      }
    }

    const endpointsPair = mapPair(prometheusOperator, 'kubeletEndpointsEnabled');
    // Without the kubelet Service (kubeletService.enabled: false) the operator writes neither.
    if (scalarString(endpointsPair?.value) === 'true' && !sliceEnabled && kubeletServiceOn) {
      const [start, end] = nodeRange(endpointsPair!.value as Node);
      let fix = enableKubeletSlices();
      if (typeof fix === 'object' && touchesLines(text, fix, ast.directives)) fix = 'a line the fix would change holds a template directive';
      if (typeof fix === 'string') context.report({ start, end, messageId: 'kubeletEndpoints', data: { fixed: `not fixed because ${fix}` } });
      else context.report({ start, end, messageId: 'kubeletEndpoints', data: { fixed: 'the fix sets kubeletEndpointSliceEnabled: true' }, fix: [fix] });
    }
  }
}

export const rule: Rule<YamlAst> = {
  meta: {
    id: 'prometheus-operator-discovery-role',
    severity: 'warning',
    description: 'prometheus-operator discovering through v1 Endpoints (serviceDiscoveryRole, ScrapeConfig role, kube-prometheus-stack values)',
    help:
      'A Prometheus or PrometheusAgent without spec.serviceDiscoveryRole: EndpointSlice (prometheus-operator v0.76+; unset ' +
      'means Endpoints) discovers ServiceMonitor targets and Alertmanagers from the deprecated v1 Endpoints API. The fix ' +
      'sets the role and, in the same edit, renames the Endpoints meta labels that ServiceMonitors of the same file ' +
      'relabel with; ScrapeConfigs with role Endpoints get role EndpointSlice; kube-prometheus-stack values also get ' +
      'kubeletEndpointSliceEnabled: true, so that the kubelet ServiceMonitor keeps its targets.',
    docs: 'rules/prometheus-operator-discovery-role.md',
    languages: ['yaml'],
    triggers: ['monitoring.coreos.com', 'prometheusSpec', 'kubeletEndpointsEnabled'],
    // A Prometheus(Agent), a ScrapeConfig role, a monitor's endpoints labels, or the chart's values.
    // Chart templates name `.Values.prometheus.prometheusSpec` everywhere: only the values' keys count.
    mayReport: (text) =>
      /\bkind["']?\s*:\s*["']?Prometheus(Agent)?\b|\brole["']?\s*:\s*["']?Endpoints\b|__meta_kubernetes_endpoints?_|^\s*["']?(prometheusSpec|kubeletEndpointsEnabled)["']?\s*:/m.test(text),
    fixable: true,
    codemod: 'prometheus-operator-discovery-role',
    messages: {
      role:
        '{{kind}} {{name}} discovers ServiceMonitor targets and Alertmanagers through the deprecated v1 Endpoints API ' +
        '({{current}}): set serviceDiscoveryRole: EndpointSlice (a field since prometheus-operator v0.76){{also}}{{renamed}}. ' +
        "Prometheus's service account needs list/watch on endpointslices in discovery.k8s.io",
      roleMonitorsElsewhere:
        '{{kind}} {{name}} discovers ServiceMonitor targets and Alertmanagers through the deprecated v1 Endpoints API ' +
        '({{current}}): set serviceDiscoveryRole: EndpointSlice (a field since prometheus-operator v0.76){{also}}{{renamed}}. ' +
        'These ServiceMonitors in other files relabel with Endpoints meta labels and must be renamed in the same change, ' +
        'or their targets silently vanish: {{monitors}} (so the fix is applied only with --unsafe-fixes). ' +
        "Prometheus's service account needs list/watch on endpointslices in discovery.k8s.io",
      roleNotFixable:
        '{{kind}} {{name}} discovers ServiceMonitor targets and Alertmanagers through the deprecated v1 Endpoints API ' +
        '({{current}}); not fixed because {{why}}. Set serviceDiscoveryRole: EndpointSlice (prometheus-operator v0.76+) ' +
        'and rename the Endpoints meta labels of its ServiceMonitors (see rules/prometheus-operator-discovery-role.md)',
      monitorLabels:
        'ServiceMonitor {{name}} relabels with {{labels}}, meta labels of the Endpoints role: under serviceDiscoveryRole: ' +
        'EndpointSlice they are never set and these relabelings silently match nothing. Rename them when its Prometheus ' +
        'changes role: {{renames}}',
      scrapeConfig:
        'ScrapeConfig {{name}} discovers targets with role: Endpoints, which reads the deprecated v1 Endpoints API: use ' +
        'role: EndpointSlice{{changes}}. Prometheus needs list/watch on endpointslices in discovery.k8s.io, and the ' +
        'operator checks that the Prometheus version supports the role',
      scrapeConfigNotFixable:
        'ScrapeConfig {{name}} discovers targets with role: Endpoints, which reads the deprecated v1 Endpoints API; not ' +
        'fixed because {{why}}. Use role: EndpointSlice and rename the meta labels its relabelings use (see ' +
        'rules/prometheus-operator-discovery-role.md)',
      kubeletEndpoints:
        'prometheusOperator.kubeletEndpointsEnabled: true makes the operator write a v1 Endpoints object for the kubelet ' +
        'Service, and without kubeletEndpointSliceEnabled: true no EndpointSlices, so a Prometheus with serviceDiscoveryRole: ' +
        'EndpointSlice loses every kubelet target; {{fixed}}. Set kubeletEndpointsEnabled: false once no Prometheus ' +
        'discovers the kubelet through Endpoints',
    },
    collect: { languages: ['yaml'], triggers: [ENDPOINTS_LABEL_TEXT] },
  },

  collect(context: CollectContext<YamlAst>) {
    for (const monitor of operatorObjects(context.ast, 'ServiceMonitor')) {
      // A monitor with its own role does not follow its Prometheus's.
      if (mapGetString(mapGetMap(monitor.node, 'spec') ?? monitor.node, 'serviceDiscoveryRole')) continue;
      if (!endpointsLabelsIn(monitorRelabelings(monitor.node)).first) continue;
      context.facts.add<MonitorFact>(MONITORS, { file: context.file.path, name: objectName(monitor, context.file.text).name ?? '(unnamed)' });
    }
  },

  // Only a file that changes a Prometheus's role needs to know the monitors of other files.
  collectNeeds(context: CollectContext<YamlAst>) {
    const changesRole = operatorObjects(context.ast, 'Prometheus', 'PrometheusAgent').length > 0 || stackValues(context.ast).length > 0;
    return changesRole ? [ENDPOINTS_LABEL_TEXT] : [];
  },

  check(context: RuleContext<YamlAst>) {
    checkPrometheus(context);
    checkScrapeConfigs(context);
    checkValues(context);
    checkMonitors(context);
  },
};
