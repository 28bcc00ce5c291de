/**
 * endpoints-go-type: the remaining uses of the core v1 `Endpoints`, `EndpointsList`, `EndpointSubset`,
 * `EndpointAddress` and `EndpointPort` types (signatures, struct fields, composite literals, type assertions and
 * switches) that endpoints-go-controller-runtime and endpoints-go-informer do not already report.
 * `discoveryv1.EndpointPort` and other packages' `Endpoint*` names are not core v1 and never match.
 */
import type { Node } from 'web-tree-sitter';
import { mayImportKubernetes, reportUnusedImports, UNUSED_IMPORT_MESSAGE } from '../src/go/common.js';
import { PKG } from '../src/go/imports.js';
import { callsNamed, contains, isPackageMember, qualifiedNamed } from '../src/go/syntax.js';
import type { GoAst } from '../src/languages/go.js';
import type { Rule } from '../src/types.js';
import { findCrSites } from './endpoints-go-controller-runtime.js';

const TYPES = ['Endpoints', 'EndpointsList', 'EndpointSubset', 'EndpointAddress', 'EndpointPort'];
const INFORMER_CONSTRUCTORS = ['NewInformer', 'NewIndexerInformer', 'NewSharedInformer', 'NewSharedIndexInformer'];

const TWINS: Record<string, string> = {
  Endpoints: '[]discoveryv1.EndpointSlice (a Service has 0..n slices, labelled `kubernetes.io/service-name`)',
  EndpointsList: 'discoveryv1.EndpointSliceList',
  EndpointSubset: 'one discoveryv1.EndpointSlice (its Endpoints share its Ports)',
  EndpointAddress: 'discoveryv1.Endpoint (Addresses[0], Conditions.Ready where nil means ready, NodeName and Hostname as pointers)',
  EndpointPort: 'discoveryv1.EndpointPort (Name, Port and Protocol are pointers)',
};

function context(node: Node): string {
  for (let n = node.parent; n; n = n.parent) {
    switch (n.type) {
      case 'composite_literal':
        return 'a composite literal';
      case 'type_assertion_expression':
        return 'a type assertion';
      case 'type_case':
      case 'type_switch_statement':
        return 'a type switch';
      case 'field_declaration':
        return 'a struct field';
      case 'parameter_declaration':
      case 'variadic_parameter_declaration':
        return 'a function signature';
      case 'var_spec':
      case 'var_declaration':
        return 'a variable';
      case 'type_spec':
      case 'type_alias':
        return 'a type declaration';
      case 'function_declaration':
      case 'method_declaration':
      case 'func_literal':
        return 'a function signature';
    }
  }
  return 'code';
}

export const rule: Rule<GoAst> = {
  meta: {
    id: 'endpoints-go-type',
    severity: 'warning',
    description: 'Go code uses the deprecated core v1 Endpoints types',
    help:
      'The core v1 Endpoints types are deprecated since Kubernetes 1.33. Their discovery.k8s.io/v1 twins: EndpointSlice (0..n per Service, ' +
      'labelled kubernetes.io/service-name), Endpoint (one address, Conditions.Ready nil = ready), EndpointPort (pointer fields).',
    docs: 'rules/endpoints-go-type.md',
    languages: ['go'],
    triggers: ['Endpoint'],
    // Only members of k8s.io/api/core/v1 are reported, and Go files name each package they import.
    mayReport: mayImportKubernetes,
    fixable: false,
    messages: {
      type: '`{{code}}` in {{context}} is the deprecated core v1 `{{name}}` type: use {{twin}}.',
      unusedImport: UNUSED_IMPORT_MESSAGE,
    },
  },
  check(ctx) {
    const ast = ctx.ast;
    reportUnusedImports(ctx);
    // What endpoints-go-controller-runtime reports (its call and the variable it declares) is not reported twice.
    const covered: Node[] = [];
    for (const site of findCrSites(ast)) {
      covered.push(site.call);
      if (site.variable) covered.push(site.variable.declaration);
    }
    // ... nor the object of a hand-made informer, which endpoints-go-informer reports.
    for (const call of callsNamed(ast, INFORMER_CONSTRUCTORS)) {
      if (isPackageMember(ast, call.childForFieldName('function'), PKG.cache, INFORMER_CONSTRUCTORS)) covered.push(call);
    }
    for (const node of qualifiedNamed(ast, TYPES, ['qualified_type', 'selector_expression'])) {
      if (!isPackageMember(ast, node, PKG.core, TYPES)) continue;
      // `corev1.Endpoints` as a selector is a type only where Go allows a type in expression position (conversions).
      if (node.type === 'selector_expression' && node.parent?.type !== 'call_expression') continue;
      if (covered.some((c) => contains(c, node))) continue;
      const name = (node.childForFieldName('name') ?? node.childForFieldName('field'))!.text;
      ctx.report({ start: node.startIndex, end: node.endIndex, messageId: 'type', data: { code: node.text, context: context(node), name, twin: TWINS[name] } });
    }
  },
};
