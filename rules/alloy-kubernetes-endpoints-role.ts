/**
 * alloy-kubernetes-endpoints-role: Grafana Alloy components that discover through the deprecated v1 Endpoints API:
 * `discovery.kubernetes` with `role = "endpoints"`, and `prometheus.operator.servicemonitors` whose
 * `kubernetes_role` is `"endpoints"` or unset (its default). The role is changed together with the `rule` blocks
 * that read the discovered targets' meta labels — the `discovery.relabel` components its targets flow into, and the
 * component's own rules — or not at all, when a consumer of the targets cannot be followed.
 */
import { attribute, insertAttribute, insertDropRule, renameRuleLabels, setString } from '../codemods/alloy-endpointslice-role.js';
import type { AlloyAst, AlloyBlock } from '../src/languages/alloy.js';
import { stringValue } from '../src/languages/alloy-strings.js';
import { directivesIn, type YamlAst } from '../src/languages/helm.js';
import { isScalar, walkNodes } from '../src/languages/yaml-nodes.js';
import { embeddedConfig, toFileEdits, type EmbeddedConfig } from '../src/prometheus/scrape-jobs.js';
import type { MetaLabelRename } from '../src/prometheus/meta-labels.js';
import { endpointsLabelsIn, monitorRelabelings, operatorObjects } from '../src/prometheus/operator.js';
import { objectName, mapGetMap, mapGetString } from '../src/manifests.js';
import type { CollectContext, Edit, Rule, RuleContext, RuleReport } from '../src/types.js';
import { pushAll } from '../src/push-all.js';

const TARGET_READERS = 'alloy-kubernetes-endpoints-role/target-readers';
const MONITORS = 'alloy-kubernetes-endpoints-role/monitors';

/** A file that names `discovery.kubernetes.<label>.targets`. */
interface TargetReaderFact {
  file: string;
  label: string;
}
interface MonitorFact {
  file: string;
  name: string;
}

/** Components that take targets and read none of their meta labels (they drop them when they scrape). */
const LABEL_FREE = new Set(['prometheus.scrape', 'pyroscope.scrape']);
/** The components this rule checks: the only texts that make a file worth reading. */
const COMPONENTS = ['discovery.kubernetes', 'prometheus.operator.servicemonitors'];

const REFERENCE = /(?<![\w.])discovery\.kubernetes\.([A-Za-z_][A-Za-z0-9_]*)\.targets\b/g;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Where components see each other: the file's top level, or the body of a `declare` block (a custom component,
 * whose components are its own). Each scope's references are searched in its range, outside inner declares.
 */
interface Scope {
  blocks: AlloyBlock[];
  start: number;
  end: number;
  topLevel: boolean;
}

function scopesOf(ast: AlloyAst, text: string): Scope[] {
  const scopes: Scope[] = [];
  const visit = (blocks: AlloyBlock[], start: number, end: number, topLevel: boolean) => {
    scopes.push({ blocks, start, end, topLevel });
    for (const b of blocks) if (b.name === 'declare') visit(b.blocks, b.bodyStart, b.bodyEnd, false);
  };
  visit(ast.blocks, 0, text.length, true);
  return scopes;
}

/** Where an export is read in a scope: offsets outside comments, strings and inner declares. */
function references(text: string, ast: AlloyAst, scope: Scope, exported: string): number[] {
  const pattern = new RegExp(`(?<![\\w.])${escape(exported)}(?![\\w])`, 'g');
  const inner = scope.blocks.filter((b) => b.name === 'declare');
  return [...text.slice(0, scope.end).matchAll(pattern)]
    .map((m) => m.index)
    .filter((at) => at >= scope.start && !ast.opaque.some(([s, e]) => at >= s && at < e) && !inner.some((d) => at >= d.start && at < d.end));
}

interface Consumers {
  relabels: AlloyBlock[];
  /** Components reading the targets directly (not through a relabel): they would scrape terminating endpoints. */
  direct: { relabels: AlloyBlock[]; scrapes: AlloyBlock[] };
}

/**
 * Follows an export (`discovery.kubernetes.x.targets`) to every component that reads it, and a discovery.relabel's
 * output on to its own readers (meta labels survive relabelling until a scrape drops them). A reference in any
 * other place (an expression, another component, an export) is a reason not to fix.
 */
function followTargets(text: string, ast: AlloyAst, scope: Scope, exported: string): Consumers | { reason: string } {
  const relabels: AlloyBlock[] = [];
  const direct = { relabels: [] as AlloyBlock[], scrapes: [] as AlloyBlock[] };
  const queue: [string, boolean][] = [[exported, true]];
  const seen = new Set<string>();
  while (queue.length) {
    const [name, isDirect] = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const at of references(text, ast, scope, name)) {
      const component = scope.blocks.find((b) => at >= b.start && at < b.end);
      const attr = component?.attributes.find((a) => at >= a.valueStart && at < a.valueEnd);
      const shown = component ? `${component.name}${component.label !== undefined ? ` "${component.label}"` : ''}` : 'the top level';
      if (!component || !attr || attr.name !== 'targets' || attr.value !== name) {
        return { reason: `${name} is read by ${shown} in an expression slicefix cannot follow` };
      }
      if (component.name === 'discovery.relabel' && component.label !== undefined) {
        relabels.push(component);
        if (isDirect) direct.relabels.push(component);
        queue.push([`discovery.relabel.${component.label}.output`, false]);
      } else if (LABEL_FREE.has(component.name)) {
        if (isDirect) direct.scrapes.push(component);
      } else {
        return { reason: `${name} is passed to ${shown}, which slicefix cannot check for meta labels` };
      }
    }
  }
  return { relabels, direct };
}

const shownBlock = (b: AlloyBlock) => `${b.name} "${b.label ?? ''}"`;

function describe(renames: MetaLabelRename[]): string {
  return renames.map((r) => `${r.from} becomes ${r.to}${r.note ? ` (${r.note})` : ''}`).join('; ');
}

/**
 * An Alloy configuration: a `.alloy` file, or one kept in a YAML string (a ConfigMap's `config.alloy: |`, the Alloy
 * chart's `alloy.configMap.content: |`), whose offsets map back to the file.
 */
interface AlloyDoc {
  text: string;
  ast: AlloyAst;
  embedded?: EmbeddedConfig;
  /** The file range to report when offsets cannot be mapped (a quoted or folded string). */
  fallback?: [number, number];
  /** Why the configuration cannot be edited in place, when it cannot. */
  readOnly?: string;
}

/** Reports in the file's coordinates; a configuration that cannot be edited gets no edits. */
function emit(context: RuleContext<unknown>, doc: AlloyDoc, report: RuleReport): void {
  if (doc.fallback) {
    const { fix: _fix, unsafeFix: _unsafe, ...rest } = report;
    context.report({ ...rest, start: doc.fallback[0], end: doc.fallback[1] });
    return;
  }
  if (!doc.embedded) {
    context.report(report);
    return;
  }
  const embedded = doc.embedded;
  context.report({
    ...report,
    start: embedded.toFile(report.start),
    end: embedded.toFile(report.end),
    ...(report.fix ? { fix: toFileEdits(embedded, report.fix) } : {}),
    ...(report.unsafeFix ? { unsafeFix: toFileEdits(embedded, report.unsafeFix) } : {}),
  });
}

/** The Alloy scan, loaded by prepare() only when some file passed the pre-filter (as the language itself is). */
let parseAlloy: typeof import('../src/languages/alloy.js').parseAlloy | undefined;

/** The Alloy configurations a YAML file keeps in strings that name a component the rule checks. */
function embeddedDocs(ast: YamlAst): AlloyDoc[] {
  const parse = parseAlloy;
  if (!parse) throw new Error('alloy-kubernetes-endpoints-role: prepare() was not awaited');
  const docs: AlloyDoc[] = [];
  for (const document of ast.documents) {
    walkNodes(document.contents, (node) => {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.range || !COMPONENTS.some((c) => (node.value as string).includes(c))) return;
      const embedded = embeddedConfig(ast.masked, node);
      const text = embedded?.text ?? node.value;
      const parsed = parse(text);
      // A string that only mentions a component (a comment, a script) is no configuration.
      if (parsed.ast.blocks.length === 0) return;
      const readOnly = directivesIn(ast, node.range[0], node.range[1]).length
        ? 'the configuration is written by template directives'
        : parsed.errors.length
          ? `the embedded configuration does not parse (${parsed.errors[0].message})`
          : undefined;
      docs.push({ text, ast: parsed.ast, ...(embedded ? { embedded } : { fallback: [node.range[0], node.range[1]] as [number, number] }), ...(readOnly ? { readOnly } : {}) });
    });
  }
  return docs;
}

function checkDiscovery(context: RuleContext<unknown>, doc: AlloyDoc, scope: Scope, block: AlloyBlock): void {
  const { ast, text } = doc;
  const file = context.file;
  const role = attribute(block, 'role')!;
  const at = { start: role.valueStart, end: role.valueEnd };
  const name = block.label ?? '';
  const refuse = (why: string) => emit(context, doc, { ...at, messageId: 'notFixable', data: { component: shownBlock(block), why } });
  if (doc.fallback) return refuse('the configuration is kept in a quoted or folded YAML string, which slicefix does not rewrite');
  if (doc.readOnly) return refuse(doc.readOnly);
  // Alloy loads a directory as one configuration: other files see the top level (not a declare's body).
  const elsewhere = scope.topLevel && !doc.embedded
    ? context.facts
        .get<TargetReaderFact>(TARGET_READERS)
        .filter((f) => f.label === name && f.file !== file.path)
        .map((f) => f.file)
    : [];
  if (elsewhere.length) return refuse(`its targets are also read in ${[...new Set(elsewhere)].sort().join(', ')}`);
  const selectorRoles: Edit[] = [];
  for (const selector of block.blocks.filter((b) => b.name === 'selectors')) {
    const role = attribute(selector, 'role');
    if (!role || stringValue(role.value) !== 'endpoints') continue;
    // The endpointslice role accepts only endpointslice, pod and service selectors. metadata.name of an Endpoints
    // is its Service's name, a slice's is generated: a field selector has no counterpart.
    if (attribute(selector, 'field')) return refuse('a selectors block of the endpoints role uses a field selector, which has no counterpart on EndpointSlices');
    selectorRoles.push(setString(role, 'endpointslice'));
  }
  const consumers = followTargets(text, ast, scope, `discovery.kubernetes.${name}.targets`);
  if ('reason' in consumers) return refuse(consumers.reason);
  const edits: Edit[] = [setString(role, 'endpointslice'), ...selectorRoles];
  const renames = new Map<string, MetaLabelRename>();
  const dropping: string[] = [];
  for (const relabel of consumers.relabels) {
    const renamed = renameRuleLabels(relabel, shownBlock(relabel));
    if ('reason' in renamed) return refuse(renamed.reason);
    pushAll(edits, renamed.edits);
    for (const r of renamed.renames) renames.set(r.from, r);
    if (consumers.direct.relabels.includes(relabel) && !renamed.readyKept) {
      const drop = insertDropRule(text, relabel);
      if (typeof drop === 'string') return refuse(drop);
      edits.push(drop);
      dropping.push(shownBlock(relabel));
    }
  }
  const changes = [
    ...(renames.size ? [describe([...renames.values()])] : []),
    ...(dropping.length ? [`a first rule in ${dropping.join(', ')} drops terminating endpoints, which Endpoints never listed`] : []),
  ];
  const data = { component: shownBlock(block), changes: changes.length ? `; the fix: ${changes.join('; ')}` : '' };
  if (consumers.direct.scrapes.length) {
    // No relabel stands between discovery and scrape, so nothing can drop the terminating endpoints slices list.
    const scrapes = consumers.direct.scrapes.map(shownBlock).join(', ');
    emit(context, doc, { ...at, messageId: 'terminatingScraped', data: { ...data, scrapes }, unsafeFix: edits });
    return;
  }
  emit(context, doc, { ...at, messageId: 'discovery', data, fix: edits });
}

function checkServiceMonitors(context: RuleContext<unknown>, doc: AlloyDoc, block: AlloyBlock): void {
  const text = doc.text;
  const role = attribute(block, 'kubernetes_role');
  const at = role ? { start: role.valueStart, end: role.valueEnd } : { start: block.start, end: block.bodyStart };
  const data = { component: shownBlock(block), current: role ? `kubernetes_role = ${role.value}` : 'kubernetes_role unset, which means endpoints' };
  const refuse = (why: string) => emit(context, doc, { ...at, messageId: 'serviceMonitorsNotFixable', data: { ...data, why } });
  if (doc.fallback) return refuse('the configuration is kept in a quoted or folded YAML string, which slicefix does not rewrite');
  if (doc.readOnly) return refuse(doc.readOnly);
  const setRole = role ? setString(role, 'endpointslice') : insertAttribute(text, block, 'kubernetes_role', 'endpointslice');
  if (typeof setRole === 'string') return refuse(setRole);
  const renamed = renameRuleLabels(block, `its rule blocks`);
  if ('reason' in renamed) return refuse(renamed.reason);
  const edits = [setRole, ...renamed.edits];
  const changes = renamed.renames.length ? `; in its rule blocks ${describe(renamed.renames)}` : '';
  const monitors = [...new Set(context.facts.get<MonitorFact>(MONITORS).map((m) => `${m.name} (${m.file})`))].sort();
  if (monitors.length) {
    emit(context, doc, { ...at, messageId: 'serviceMonitorsElsewhere', data: { ...data, changes, monitors: monitors.join(', ') }, unsafeFix: edits });
    return;
  }
  emit(context, doc, { ...at, messageId: 'serviceMonitors', data: { ...data, changes }, fix: edits });
}

const discoveriesWithEndpoints = (blocks: AlloyBlock[]) =>
  blocks.filter((b) => b.name === 'discovery.kubernetes' && stringValue(attribute(b, 'role')?.value ?? '') === 'endpoints');
const serviceMonitorsWithEndpoints = (blocks: AlloyBlock[]) =>
  blocks.filter((b) => {
    if (b.name !== 'prometheus.operator.servicemonitors') return false;
    const role = attribute(b, 'kubernetes_role');
    return !role || stringValue(role.value) === 'endpoints';
  });

/** The Alloy configurations of a file: the file itself, or those a YAML file keeps in strings. */
function docsOf(context: CollectContext<unknown>): AlloyDoc[] {
  if (context.file.language === 'alloy') return [{ text: context.file.text, ast: context.ast as AlloyAst }];
  return embeddedDocs(context.ast as YamlAst);
}

export const rule: Rule<unknown> = {
  meta: {
    id: 'alloy-kubernetes-endpoints-role',
    severity: 'warning',
    description: 'Grafana Alloy discovery.kubernetes / prometheus.operator.servicemonitors on the endpoints role (reads v1 Endpoints)',
    help:
      'discovery.kubernetes with role = "endpoints" and prometheus.operator.servicemonitors with kubernetes_role ' +
      '"endpoints" (its default) read the deprecated v1 Endpoints API. The fix switches to "endpointslice" together ' +
      'with the meta labels that the rule blocks reading those targets name (discovery.relabel components, followed ' +
      'through their outputs), and drops terminating endpoints, which Endpoints never listed; when a consumer of the ' +
      'targets cannot be followed, nothing is changed.',
    docs: 'rules/alloy-kubernetes-endpoints-role.md',
    // YAML: configurations kept in ConfigMaps and the Alloy chart's values (alloy.configMap.content).
    languages: ['alloy', 'yaml'],
    triggers: COMPONENTS,
    mayReport: (text) => /\brole\s*=\s*"endpoints"|prometheus\.operator\.servicemonitors\s/.test(text),
    fixable: true,
    codemod: 'alloy-endpointslice-role',
    messages: {
      discovery:
        '{{component}} discovers with role = "endpoints", which reads the deprecated v1 Endpoints API: use ' +
        '"endpointslice"{{changes}}. Alloy needs list/watch on endpointslices in discovery.k8s.io; a dual-stack ' +
        'Service yields one target per address family',
      terminatingScraped:
        '{{component}} discovers with role = "endpoints", which reads the deprecated v1 Endpoints API: use ' +
        '"endpointslice"{{changes}}. Its targets go straight to {{scrapes}}, with no discovery.relabel to drop the ' +
        'terminating endpoints that slices list and Endpoints never did, so those pods would be scraped too (the fix ' +
        'is applied only with --unsafe-fixes). Alloy needs list/watch on endpointslices in discovery.k8s.io',
      notFixable:
        '{{component}} discovers with role = "endpoints", which reads the deprecated v1 Endpoints API; not fixed because ' +
        '{{why}}. Use "endpointslice" and rename the meta labels its consumers read (see ' +
        'rules/alloy-kubernetes-endpoints-role.md)',
      serviceMonitors:
        '{{component}} discovers ServiceMonitor targets through the deprecated v1 Endpoints API ({{current}}): set ' +
        'kubernetes_role = "endpointslice"{{changes}}. Alloy needs list/watch on endpointslices in discovery.k8s.io',
      serviceMonitorsElsewhere:
        '{{component}} discovers ServiceMonitor targets through the deprecated v1 Endpoints API ({{current}}): set ' +
        'kubernetes_role = "endpointslice"{{changes}}. These ServiceMonitors relabel with Endpoints meta labels and ' +
        'must be renamed in the same change, or their targets silently vanish: {{monitors}} (so the fix is applied ' +
        'only with --unsafe-fixes)',
      serviceMonitorsNotFixable:
        '{{component}} discovers ServiceMonitor targets through the deprecated v1 Endpoints API ({{current}}); not ' +
        'fixed because {{why}}. Set kubernetes_role = "endpointslice" and rename the Endpoints meta labels its rules use',
    },
    collect: { languages: ['alloy', 'yaml'], triggers: ['discovery.kubernetes.', '__meta_kubernetes_endpoint'] },
  },

  async prepare() {
    parseAlloy ??= (await import('../src/languages/alloy.js')).parseAlloy;
  },

  collect(context: CollectContext<unknown>) {
    const { file } = context;
    if (file.language === 'alloy') {
      const ast = context.ast as AlloyAst;
      for (const m of file.text.matchAll(REFERENCE)) {
        if (ast.opaque.some(([s, e]) => m.index >= s && m.index < e)) continue;
        context.facts.add<TargetReaderFact>(TARGET_READERS, { file: file.path, label: m[1] });
      }
      return;
    }
    const ast = context.ast as YamlAst;
    for (const monitor of operatorObjects(ast, 'ServiceMonitor')) {
      if (mapGetString(mapGetMap(monitor.node, 'spec') ?? monitor.node, 'serviceDiscoveryRole')) continue;
      if (!endpointsLabelsIn(monitorRelabelings(monitor.node)).first) continue;
      context.facts.add<MonitorFact>(MONITORS, { file: file.path, name: objectName(monitor, file.text).name ?? '(unnamed)' });
    }
  },

  collectNeeds(context: CollectContext<unknown>) {
    // A configuration kept in YAML is self-contained: it only needs the ServiceMonitors (may run before prepare()).
    if (context.file.language !== 'alloy') return context.file.text.includes(COMPONENTS[1]) ? ['__meta_kubernetes_endpoint'] : [];
    const needs = new Set<string>();
    for (const doc of docsOf(context)) {
      const scopes = scopesOf(doc.ast, doc.text);
      // Only a .alloy file shares its top level with other files.
      if (!doc.embedded && !doc.fallback && scopes.some((s) => discoveriesWithEndpoints(s.blocks).length)) needs.add('discovery.kubernetes.');
      if (scopes.some((s) => serviceMonitorsWithEndpoints(s.blocks).length)) needs.add('__meta_kubernetes_endpoint');
    }
    return [...needs];
  },

  check(context: RuleContext<unknown>) {
    for (const doc of docsOf(context)) {
      for (const scope of scopesOf(doc.ast, doc.text)) {
        for (const block of discoveriesWithEndpoints(scope.blocks)) checkDiscovery(context, doc, scope, block);
        for (const block of serviceMonitorsWithEndpoints(scope.blocks)) checkServiceMonitors(context, doc, block);
      }
    }
  },
};
