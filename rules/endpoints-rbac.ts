/**
 * endpoints-rbac: a Role/ClusterRole that grants core `endpoints` but not what migrated code needs on
 * `endpointslices`. Migrating code without the RBAC grant is the most common outage of real migrations (CoreDNS,
 * ingress controllers), so this rule makes the grant land together with the code.
 *
 * A fix never grants more than the role had: only readers are fixed, with exactly get/list/watch on endpointslices
 * (the same objects they could read before). Grants limited by resourceNames, leader-election locks and writers
 * have no slice counterpart of the same scope; they are reported with what to grant by hand, if anything.
 */
import type { Node, YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isScalar, isSeq } from '../src/languages/yaml-nodes.js';
import { addEndpointSliceGrant } from '../codemods/add-endpointslice-rbac.js';
import { directivesIn, type YamlAst } from '../src/languages/helm.js';
import { displayString, manifestObjects, mapGet, objectName, type ManifestObject } from '../src/manifests.js';
import {
  READ_VERBS,
  classifyEndpointsGrants,
  endpointSliceVerbs,
  grantsCoreEndpoints,
  sliceVerbsFor,
  type EndpointsGrant,
  type PolicyRuleView,
} from '../src/k8s/rbac-grants.js';
import type { Rule, RuleContext } from '../src/types.js';

const RBAC_KINDS = ['Role', 'ClusterRole'];

/** A sequence's values as written (a templated item shown as its directive). */
function strings(node: unknown, text: string): string[] | undefined {
  if (!isSeq(node)) return undefined;
  return node.items.map((item) => (isScalar(item) ? (displayString(item, text) ?? '') : ''));
}

/**
 * The `#` comments of the lines that [start, end) touches and of the comment lines right above them (a rule's
 * `# leader election` sits above it; a role's above its `apiVersion`).
 */
function commentsAround(text: string, start: number, end: number): string {
  let from = text.lastIndexOf('\n', start - 1) + 1;
  while (from > 0) {
    const above = text.lastIndexOf('\n', from - 2) + 1;
    if (!/^\s*(#.*)?$/.test(text.slice(above, from - 1))) break;
    from = above;
  }
  const comments: string[] = [];
  for (const line of text.slice(from, end).split('\n')) {
    const comment = line.match(/(?:^|\s)#(.*)$/);
    if (comment) comments.push(comment[1]);
  }
  return comments.join('\n');
}

function policyRules(rules: YAMLSeq, text: string): PolicyRuleView<YAMLMap>[] {
  return rules.items.filter(isMap).map((node) => ({
    node,
    apiGroups: strings(mapGet(node, 'apiGroups'), text) ?? [],
    resources: strings(mapGet(node, 'resources'), text) ?? [],
    verbs: strings(mapGet(node, 'verbs'), text) ?? [],
    resourceNames: strings(mapGet(node, 'resourceNames'), text) ?? [],
    comments: commentsAround(text, node.range![0], node.range![1]),
  }));
}

/**
 * An RBAC object's apiVersion: `rbac.authorization.k8s.io/...`, or a template directive in its place (charts write
 * `apiVersion: {{ include "common.capabilities.rbac.apiVersion" . }}` to follow the cluster's version).
 */
function isRbacApiVersion(object: ManifestObject, ast: YamlAst): boolean {
  if (object.apiVersion?.startsWith('rbac.authorization.k8s.io/')) return true;
  const value = mapGet(object.node, 'apiVersion');
  if (!value?.range) return false;
  const [start, end] = value.range;
  return directivesIn(ast, start, end).some((d) => d.start <= start && d.end >= end);
}

/** Where a grant on endpointslices would reach, for messages. */
function scopeOf(kind: string, namespace: string | undefined): string {
  if (kind === 'ClusterRole') return 'in every namespace it is bound in, or cluster-wide through a ClusterRoleBinding';
  return namespace ? `in namespace "${namespace}"` : 'in its namespace';
}

const list = (values: Iterable<string>) => [...new Set(values)].join(', ');
const quoted = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(', ');
const INCLUDE = /\b(include|template|toYaml|tpl)\b/;

const GRANT = 'apiGroups ["discovery.k8s.io"], resources ["endpointslices"]';
const READS = `verbs [${quoted(READ_VERBS)}]`;
const WHY_LIST = 'migrated code finds a Service\'s slices by listing them by the label kubernetes.io/service-name and watches them';

export const rule: Rule<YamlAst> = {
  meta: {
    id: 'endpoints-rbac',
    severity: 'warning',
    description: 'RBAC grants core v1 endpoints but not discovery.k8s.io endpointslices',
    help:
      'Code that moves from v1 Endpoints to EndpointSlice needs get, list and watch on endpointslices in the ' +
      'discovery.k8s.io API group (it lists slices by the label kubernetes.io/service-name and watches them). ' +
      'Without it the migrated code fails with 403 Forbidden. The fix adds exactly that rule for roles that read ' +
      'endpoints, and keeps the endpoints grant while the code migrates. Grants limited by resourceNames, ' +
      'leader-election locks and write access are reported, never widened.',
    docs: 'rules/endpoints-rbac.md',
    languages: ['yaml', 'json'],
    triggers: ['endpoints'],
    // Only a Role or ClusterRole of rbac.authorization.k8s.io (or of a templated apiVersion) is read: a
    // ServiceMonitor's or an app config's `endpoints:` is not, even in a chart's template.
    mayReport: (text) => text.includes('Role') && (text.includes('rbac.authorization.k8s.io/') || text.includes('{{')),
    fixable: true,
    codemod: 'add-endpointslice-rbac',
    messages: {
      reader:
        '{{kind}} "{{name}}" grants [{{verbs}}] on core v1 "endpoints" but {{sliceGrant}} on "endpointslices": add a ' +
        `rule with ${GRANT}, ${READS}{{note}}`,
      readerTemplated:
        '{{kind}} "{{name}}" grants [{{verbs}}] on core v1 "endpoints" but {{sliceGrant}} on "endpointslices" that ' +
        'slicefix can see; not fixed because {{why}}. If it is not granted there, add a rule with ' +
        `${GRANT}, ${READS}`,
      named:
        '{{kind}} "{{name}}" grants [{{verbs}}] on core v1 "endpoints" only for resourceNames [{{names}}] and ' +
        '{{sliceGrant}} on "endpointslices": not fixed, because no grant on slices keeps that limit (slices are found ' +
        'by the label kubernetes.io/service-name, not by name, and resourceNames cannot limit list or watch). ' +
        `Migrated code needs a rule with ${GRANT}, ${READS} (get alone fails: it lists by label and watches), which ` +
        'reads every EndpointSlice {{scope}}: add it by hand if that is acceptable',
      lock:
        '{{kind}} "{{name}}" grants [{{verbs}}] on core v1 "endpoints"{{names}}, which looks like a leader-election ' +
        'lock ({{evidence}}): not fixed, because a lock does not move to EndpointSlice, and the same verbs on ' +
        '"endpointslices" would reach every slice {{scope}}. Grant nothing on endpointslices for the lock; client-go ' +
        'elects leaders with a coordination.k8s.io Lease: remove this grant once nothing locks on Endpoints',
      writer:
        '{{kind}} "{{name}}" grants [{{verbs}}] on core v1 "endpoints" and {{sliceGrant}} on "endpointslices": not ' +
        'fixed, because --fix never widens write access. If the migrated code writes EndpointSlices, add a rule with ' +
        `${GRANT}, verbs [{{grant}}] (it reaches every slice {{scope}}); if it only reads them, ${READS}`,
    },
  },
  check(context) {
    const { ast } = context;
    for (const object of manifestObjects(ast)) {
      if (!object.kind || !RBAC_KINDS.includes(object.kind)) continue;
      if (!isRbacApiVersion(object, ast)) continue;
      // An aggregated ClusterRole's rules are filled in by the controller from other roles: there is nothing to edit.
      if (mapGet(object.node, 'aggregationRule')) continue;
      const rulesNode = mapGet(object.node, 'rules');
      if (!isSeq(rulesNode)) continue;
      checkRole(context, object, rulesNode);
    }
  },
};

function checkRole(context: RuleContext<YamlAst>, object: ManifestObject, rulesNode: YAMLSeq): void {
  const { ast, file } = context;
  const rules = policyRules(rulesNode, file.text);
  const { name, namespace } = objectName(object, file.text);
  const roleName = name ?? '(unnamed)';
  const sliceVerbs = endpointSliceVerbs(rules);
  const sliceGrant = sliceVerbs.size === 0 ? 'nothing' : `only [${[...sliceVerbs].join(', ')}]`;
  const covered = (verbs: readonly string[]) => verbs.every((v) => sliceVerbs.has(v));
  // Readers find slices by label and watch them: list and watch are what they need; get is for the fix to add, not
  // a reason to report a role that already lists and watches slices.
  const readsCovered = covered(['list', 'watch']);
  const base = { kind: object.kind!, name: roleName, sliceGrant, scope: scopeOf(object.kind!, namespace) };
  const rangeOf = (node: YAMLMap) => ({ start: node.range![0], end: node.range![1] });

  // Verbs a directive writes (`verbs: {{ toJson .Values.verbs }}`) or none at all: nothing to classify.
  const verbsUnknown = (r: PolicyRuleView<YAMLMap>) => {
    const range = mapGet(r.node, 'verbs')?.range;
    return r.verbs.length === 0 || (!!range && directivesIn(ast, range[0], range[1]).length > 0);
  };
  const endpointRules = rules.filter(grantsCoreEndpoints);
  const unknown = endpointRules.filter(verbsUnknown);
  if (unknown.length > 0 && !readsCovered) {
    const first = unknown[0];
    const why = isSeq(mapGet(first.node, 'verbs')) && first.verbs.length === 0 ? 'the rule lists no verbs' : 'the rule is partly written by template directives';
    const verbsNode = mapGet(first.node, 'verbs') as Node | undefined;
    const verbs = verbsNode?.range ? file.text.slice(verbsNode.range[0], verbsNode.range[1]).trim() : '';
    context.report({ ...rangeOf(first.node), messageId: 'readerTemplated', data: { ...base, verbs: first.verbs.length ? list(first.verbs) : verbs, why } });
  }

  const grants = classifyEndpointsGrants({
    name: roleName,
    comments: commentsAround(file.text, object.start, object.end),
    rules: rules.filter((r) => !unknown.includes(r)),
  });
  const ofKind = (kind: EndpointsGrant<YAMLMap>['kind']) => grants.filter((g) => g.kind === kind).map((g) => g.rule);
  const readers = ofKind('reader');

  if (readers.length > 0 && !readsCovered) {
    const first = readers[0];
    const verbs = readers.flatMap((r) => r.verbs);
    const note = verbs.includes('list') && verbs.includes('watch') ? '' : ` (not only [${list(verbs)}]: ${WHY_LIST})`;
    const data = { ...base, verbs: list(verbs), note };
    // Directives after the last item (`{{- include "x.rules" . | nindent 2 }}`) belong to the sequence too.
    const pairs = object.node.items;
    const nextPair = pairs[pairs.findIndex((p) => p.value === rulesNode) + 1];
    const rulesEnd = (nextPair?.key as { range?: number[] } | undefined)?.range?.[0] ?? object.end;
    const included = directivesIn(ast, rulesNode.range![0], rulesEnd).find((d) => INCLUDE.test(d.text));
    const why =
      directivesIn(ast, first.node.range![0], first.node.range![1]).length > 0
        ? 'the rule is partly written by template directives'
        : included
          ? `the rules also come from a template (${included.text})`
          : undefined;
    if (why) {
      context.report({ ...rangeOf(first.node), messageId: 'readerTemplated', data: { ...data, why } });
    } else {
      const fix = addEndpointSliceGrant({ text: file.text, rules: rulesNode, after: first.node, verbs: [...READ_VERBS], json: file.language === 'json' });
      context.report({ ...rangeOf(first.node), messageId: 'reader', data, fix: [fix] });
    }
  }

  // Named reads are covered by a reader's grant: it already reads every endpoints object of the namespace.
  const named = ofKind('named');
  if (named.length > 0 && readers.length === 0 && !readsCovered) {
    const data = { ...base, verbs: list(named.flatMap((r) => r.verbs)), names: list(named.flatMap((r) => r.resourceNames)) };
    context.report({ ...rangeOf(named[0].node), messageId: 'named', data });
  }

  // A lock is reported whatever the role grants on slices: it is a use of the Endpoints API that no slice replaces.
  const locks = grants.filter((g) => g.kind === 'lock');
  if (locks.length > 0) {
    const names = list(locks.flatMap((g) => g.rule.resourceNames));
    const data = {
      ...base,
      verbs: list(locks.flatMap((g) => g.rule.verbs)),
      names: names ? ` (resourceNames [${names}])` : '',
      evidence: list(locks.flatMap((g) => g.evidence)),
    };
    context.report({ ...rangeOf(locks[0].rule.node), messageId: 'lock', data });
  }

  const writers = ofKind('writer');
  const writerVerbs = sliceVerbsFor(writers.flatMap((r) => r.verbs));
  if (writers.length > 0 && !covered(writerVerbs)) {
    const data = { ...base, verbs: list(writers.flatMap((r) => r.verbs)), grant: quoted(writerVerbs) };
    context.report({ ...rangeOf(writers[0].node), messageId: 'writer', data });
  }
}
