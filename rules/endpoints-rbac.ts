/**
 * endpoints-rbac: a Role/ClusterRole that grants core `endpoints` but nothing on `endpointslices`.
 * Migrating code without the RBAC grant is the most common outage of real migrations (CoreDNS, ingress
 * controllers), so this rule makes the grant land together with the code.
 */
import type { YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isScalar, isSeq } from '../src/languages/yaml-nodes.js';
import { addEndpointSliceGrant } from '../codemods/add-endpointslice-rbac.js';
import { directivesIn, type YamlAst } from '../src/languages/helm.js';
import { manifestObjects, mapGet, objectName, type ManifestObject } from '../src/manifests.js';
import type { Rule } from '../src/types.js';

const RBAC_KINDS = ['Role', 'ClusterRole'];

function strings(node: unknown): string[] | undefined {
  if (!isSeq(node)) return undefined;
  return node.items.map((item) => (isScalar(item) ? String(item.value ?? '') : ''));
}

interface PolicyRule {
  node: YAMLMap;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function policyRules(rules: YAMLSeq): PolicyRule[] {
  return rules.items.filter(isMap).map((node) => ({
    node,
    apiGroups: strings(mapGet(node, 'apiGroups')) ?? [],
    resources: strings(mapGet(node, 'resources')) ?? [],
    verbs: strings(mapGet(node, 'verbs')) ?? [],
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

const grantsEndpoints = (r: PolicyRule) => r.apiGroups.includes('') && r.resources.includes('endpoints');
const grantsSlices = (r: PolicyRule) =>
  (r.apiGroups.includes('discovery.k8s.io') || r.apiGroups.includes('*')) &&
  (r.resources.includes('endpointslices') || r.resources.includes('*'));

export const rule: Rule<YamlAst> = {
  meta: {
    id: 'endpoints-rbac',
    severity: 'warning',
    description: 'RBAC grants core v1 endpoints but not discovery.k8s.io endpointslices',
    help:
      'Code that moves from v1 Endpoints to EndpointSlice needs get/list/watch on endpointslices in the ' +
      'discovery.k8s.io API group. Without it the migrated code fails with 403 Forbidden. The fix adds a rule ' +
      'with the same verbs and keeps the endpoints grant while the code migrates.',
    docs: 'rules/endpoints-rbac.md',
    languages: ['yaml', 'json'],
    triggers: ['endpoints'],
    // Only a Role or ClusterRole of rbac.authorization.k8s.io (or of a templated apiVersion) is read: a
    // ServiceMonitor's or an app config's `endpoints:` is not, even in a chart's template.
    mayReport: (text) => text.includes('Role') && (text.includes('rbac.authorization.k8s.io/') || text.includes('{{')),
    fixable: true,
    codemod: 'add-endpointslice-rbac',
    messages: {
      missing:
        '{{kind}} "{{name}}" grants [{{verbs}}] on core v1 "endpoints" but nothing on "endpointslices": add a rule ' +
        'with apiGroups ["discovery.k8s.io"], resources ["endpointslices"], verbs [{{verbs}}]',
      missingTemplated:
        '{{kind}} "{{name}}" grants [{{verbs}}] on core v1 "endpoints" but nothing on "endpointslices" that slicefix ' +
        'can see; not fixed because {{why}}. If it is not granted there, add a rule with apiGroups ' +
        '["discovery.k8s.io"], resources ["endpointslices"], verbs [{{verbs}}]',
    },
  },
  check(context) {
    const { ast, file } = context;
    for (const object of manifestObjects(ast)) {
      if (!object.kind || !RBAC_KINDS.includes(object.kind)) continue;
      if (!isRbacApiVersion(object, ast)) continue;
      // An aggregated ClusterRole's rules are filled in by the controller from other roles.
      if (mapGet(object.node, 'aggregationRule')) continue;
      const rulesNode = mapGet(object.node, 'rules');
      if (!isSeq(rulesNode)) continue;
      const rules = policyRules(rulesNode);
      const endpointRules = rules.filter(grantsEndpoints);
      if (endpointRules.length === 0 || rules.some(grantsSlices)) continue;

      const verbs = [...new Set(endpointRules.flatMap((r) => r.verbs))];
      const first = endpointRules[0];
      const [start, end] = [first.node.range![0], first.node.range![1]];
      const data = { kind: object.kind, name: objectName(object, file.text).name ?? '(unnamed)', verbs: verbs.join(', ') };
      // Directives after the last item (`{{- include "x.rules" . | nindent 2 }}`) belong to the sequence too.
      const pairs = object.node.items;
      const nextPair = pairs[pairs.findIndex((p) => p.value === rulesNode) + 1];
      const rulesEnd = (nextPair?.key as { range?: number[] } | undefined)?.range?.[0] ?? object.end;
      const inRules = directivesIn(ast, rulesNode.range![0], rulesEnd);
      const why =
        directivesIn(ast, start, end).length > 0
          ? 'the rule is partly written by template directives'
          : inRules.some((d) => /\b(include|template|toYaml|tpl)\b/.test(d.text))
            ? `the rules also come from a template (${inRules.find((d) => /\b(include|template|toYaml|tpl)\b/.test(d.text))!.text})`
            : verbs.length === 0
              ? 'the rule lists no verbs'
              : undefined;
      if (why) {
        context.report({ start, end, messageId: 'missingTemplated', data: { ...data, why } });
        continue;
      }
      const fix = addEndpointSliceGrant({ text: file.text, rules: rulesNode, after: first.node, verbs, json: file.language === 'json' });
      context.report({ start, end, messageId: 'missing', data, fix: [fix] });
    }
  },
};
