/**
 * endpoints-go-client: client-go clientset use of core v1 Endpoints, `X.CoreV1().Endpoints(ns)...`, and the typed
 * client's `EndpointsInterface` / `EndpointsGetter` types.
 */
import type { Node } from 'web-tree-sitter';
import { declaredResults, getEndpointsToListSlices, renameChain, type EndpointsClientCall } from '../codemods/go-get-endpoints.js';
import { FAMILY_NOTE, mayImportKubernetes, RBAC_NOTE, reportUnusedImports, UNUSED_IMPORT_MESSAGE, WRITE_ADVICE } from '../src/go/common.js';
import { ensureImport, PKG } from '../src/go/imports.js';
import { callOn, callsNamed, descendants, fileNames, isPackageMember, lineOf, methodCall, qualifiedNamed, snippet } from '../src/go/syntax.js';
import type { GoAst } from '../src/languages/go.js';
import type { Rule } from '../src/types.js';

const READS = new Set(['Get', 'List', 'Watch']);
const WRITES = new Set(['Create', 'Update', 'UpdateStatus', 'Patch', 'Apply', 'ApplyStatus', 'Delete', 'DeleteCollection']);
/** The typed client's types of k8s.io/client-go/kubernetes/typed/core/v1. */
const TYPED_CLIENT_TYPES = ['EndpointsInterface', 'EndpointsGetter', 'EndpointsExpansion'];

/** `X.CoreV1().Endpoints(ns)`: a one-argument `Endpoints` call on a no-argument `CoreV1()` call. */
export function findEndpointsClients(ast: GoAst): { endpoints: Node; coreV1: Node }[] {
  const found: { endpoints: Node; coreV1: Node }[] = [];
  for (const call of callsNamed(ast, ['Endpoints'])) {
    const m = methodCall(call);
    if (!m || m.method !== 'Endpoints' || m.args.length !== 1) continue;
    const core = methodCall(m.receiver);
    if (!core || core.method !== 'CoreV1' || core.args.length !== 0) continue;
    found.push({ endpoints: call, coreV1: m.receiver });
  }
  return found;
}

export const rule: Rule<GoAst> = {
  meta: {
    id: 'endpoints-go-client',
    severity: 'error',
    description: 'client-go reads or writes deprecated core v1 Endpoints through a clientset',
    help:
      'Replace `CoreV1().Endpoints(ns)` with `DiscoveryV1().EndpointSlices(ns)`. A Service has 0..n slices, found by the label ' +
      '`kubernetes.io/service-name=<service>`; merge their ready endpoints and de-duplicate by address and target pod (two hostNetwork pods can share an address). Grant get/list/watch on ' +
      '`endpointslices` in `discovery.k8s.io`.',
    docs: 'rules/endpoints-go-client.md',
    languages: ['go'],
    triggers: ['Endpoints'],
    // `X.CoreV1().Endpoints(ns)` names CoreV1; typed-client types and unused imports name a k8s.io package.
    mayReport: (text) => text.includes('CoreV1') || mayImportKubernetes(text),
    fixable: true,
    codemod: 'go-get-endpoints',
    messages: {
      get:
        '`{{call}}` reads the deprecated v1 Endpoints of one Service: list `DiscoveryV1().EndpointSlices({{namespace}})` with `LabelSelector: discoveryv1.LabelServiceName + "=" + {{name}}` and merge the slices\' ready endpoints, de-duplicated by endpoint. ' +
        RBAC_NOTE +
        ' ' +
        FAMILY_NOTE +
        '{{notFixed}}',
      read:
        '`{{call}}` uses the deprecated v1 Endpoints API: use `DiscoveryV1().EndpointSlices({{namespace}}).{{method}}` and select a Service\'s slices by the label `kubernetes.io/service-name`; each item is then one slice of a Service, not the Service\'s endpoints. ' +
        RBAC_NOTE +
        '{{notFixed}}',
      write: '`{{call}}` writes deprecated v1 Endpoints: ' + WRITE_ADVICE + '. Not rewritten automatically.',
      stored:
        '`{{variable}}` holds a v1 EndpointsInterface (`{{call}}`){{usedFor}}: use `DiscoveryV1().EndpointSlices(...)` and rewrite each use (Get becomes a List by the `kubernetes.io/service-name` label). Not rewritten automatically.',
      passed:
        '`{{call}}` passes a v1 EndpointsInterface to `{{callee}}`: pass `DiscoveryV1().EndpointSlices(...)` and change the callee to an `EndpointSliceInterface`. Not rewritten automatically.',
      type: '`{{type}}` is the typed client of deprecated v1 Endpoints: use `{{replacement}}` from k8s.io/client-go/kubernetes/typed/discovery/v1 and list slices by the `kubernetes.io/service-name` label.',
      unusedImport: UNUSED_IMPORT_MESSAGE,
    },
  },
  check(ctx) {
    const ast = ctx.ast;
    reportUnusedImports(ctx);
    for (const site of findEndpointsClients(ast)) {
      const ns = methodCall(site.endpoints)!.args[0].text;
      const usage = callOn(site.endpoints);
      if (usage) {
        const data = { call: snippet(usage.call), namespace: ns, method: usage.method, notFixed: '' };
        const range = { start: usage.call.startIndex, end: usage.call.endIndex };
        if (WRITES.has(usage.method)) {
          ctx.report({ ...range, messageId: 'write', data });
          continue;
        }
        const clientCall: EndpointsClientCall = { ...site, call: usage.call };
        if (usage.method === 'Get') {
          const fix = getEndpointsToListSlices(ast, clientCall);
          const name = usage.args[1]?.text ?? 'name';
          if (typeof fix === 'string') ctx.report({ ...range, messageId: 'get', data: { ...data, name, notFixed: ` Not fixed: ${fix}.` } });
          else ctx.report({ ...range, messageId: 'get', data: { ...data, name }, fix });
          continue;
        }
        if (READS.has(usage.method)) {
          // List and Watch keep their options; only a discarded result is rewritten (its items change meaning).
          const declared = declaredResults(usage.call);
          if (declared?.variable.text === '_') {
            const discovery = ensureImport(ast.text, ast.imports, PKG.discovery, 'discoveryv1', fileNames(ast));
            ctx.report({ ...range, messageId: 'read', data, fix: typeof discovery === 'string' ? undefined : renameChain(clientCall) });
          } else {
            ctx.report({
              ...range,
              messageId: 'read',
              data: { ...data, notFixed: ' Not fixed: its result is used, and each item becomes one slice of a Service instead of a Service\'s endpoints.' },
            });
          }
          continue;
        }
        ctx.report({ ...range, messageId: 'read', data });
        continue;
      }
      const parent = site.endpoints.parent;
      const range = { start: site.endpoints.startIndex, end: site.endpoints.endIndex };
      if (parent?.type === 'expression_list' && (parent.parent?.type === 'short_var_declaration' || parent.parent?.type === 'assignment_statement' || parent.parent?.type === 'var_spec')) {
        const statement = parent.parent;
        const left = statement.childForFieldName('left') ?? statement.childForFieldName('name');
        const variable = left?.text ?? 'variable';
        const uses = new Set<string>();
        const fnBody = statement.parent;
        if (fnBody && left) {
          for (const call of descendants(fnBody, 'call_expression')) {
            const m = methodCall(call);
            if (m && m.receiver.text === variable && m.receiver.type === 'identifier') uses.add(`${m.method} (line ${lineOf(ast.text, call.startIndex)})`);
          }
        }
        const usedFor = uses.size ? `, used for ${[...uses].join(', ')}` : '';
        ctx.report({ ...range, messageId: 'stored', data: { variable, call: snippet(site.endpoints), usedFor } });
        continue;
      }
      if (parent?.type === 'argument_list') {
        const callee = parent.parent?.childForFieldName('function')?.text ?? 'a function';
        ctx.report({ ...range, messageId: 'passed', data: { call: snippet(site.endpoints), callee } });
        continue;
      }
      ctx.report({ ...range, messageId: 'read', data: { call: snippet(site.endpoints), namespace: ns, method: 'List', notFixed: '' } });
    }
    for (const node of qualifiedNamed(ast, TYPED_CLIENT_TYPES, ['qualified_type'])) {
      if (!isPackageMember(ast, node, PKG.typedCore, TYPED_CLIENT_TYPES)) continue;
      const name = node.childForFieldName('name')!.text;
      const replacement = name.replace('Endpoints', 'EndpointSlice').replace('EndpointSliceGetter', 'EndpointSlicesGetter');
      ctx.report({ start: node.startIndex, end: node.endIndex, messageId: 'type', data: { type: node.text, replacement } });
    }
  },
};
