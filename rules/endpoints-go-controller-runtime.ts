/**
 * endpoints-go-controller-runtime: controller-runtime clients, builders and sources over core v1 Endpoints:
 * `Get`/`List`/`Watch` with `&corev1.Endpoints{}` / `&corev1.EndpointsList{}` (or a variable of those types),
 * `Watches`/`Owns`/`For`, and `source.Kind`.
 */
import type { Node } from 'web-tree-sitter';
import { crGetToListSlices, ownsEndpointSlice, type EndpointsVariable } from '../codemods/go-controller-runtime-get.js';
import { CR_WRITE_ADVICE, FAMILY_NOTE, mayImportKubernetes, RBAC_NOTE, reportUnusedImports, UNUSED_IMPORT_MESSAGE } from '../src/go/common.js';
import { PKG } from '../src/go/imports.js';
import { callsNamed, children, enclosingFunctionBody, identifiersNamed, isPackageMember, methodCall, snippet } from '../src/go/syntax.js';
import type { GoAst } from '../src/languages/go.js';
import type { Rule } from '../src/types.js';

const METHODS = new Set(['Get', 'List', 'Watch', 'Watches', 'Owns', 'For', 'Create', 'Update', 'Patch', 'Delete', 'DeleteAllOf']);
/** The calls a site can be: a method in METHODS, or `source.Kind` / `source.TypedKind`. */
const CALL_NAMES = [...METHODS, 'Kind', 'TypedKind'];

export interface CrSite {
  call: Node;
  method: string;
  /** The argument that is (or points to) an Endpoints object. */
  object: Node;
  typeName: 'Endpoints' | 'EndpointsList';
  literal?: Node;
  variable?: EndpointsVariable;
}

/** `V := &corev1.Endpoints{}`, `V := corev1.Endpoints{}` or `var V corev1.Endpoints` in the function around `at`. */
function declarationOf(
  ast: GoAst,
  at: Node,
  name: string,
): (EndpointsVariable & { typeName: 'Endpoints' | 'EndpointsList'; pointer: boolean }) | undefined {
  const body = enclosingFunctionBody(at);
  if (!body) return undefined;
  for (const id of identifiersNamed(body, name)) {
    if (id.startIndex > at.startIndex) break;
    const holder = id.parent;
    if (holder?.type === 'var_spec') {
      const type = holder.childForFieldName('type');
      if (type && isPackageMember(ast, type, PKG.core, ['Endpoints', 'EndpointsList']) && !holder.childForFieldName('value')) {
        return {
          name: id,
          declaration: holder.parent!.type === 'var_declaration' ? holder.parent! : holder,
          type,
          typeName: type.childForFieldName('name')!.text as 'Endpoints',
          pointer: false,
        };
      }
    }
    if (holder?.type === 'expression_list' && holder.parent?.type === 'short_var_declaration') {
      const values = children(holder.parent.childForFieldName('right')!);
      const lefts = children(holder);
      const value = values[lefts.findIndex((l) => l.startIndex === id.startIndex)];
      const literal = value?.type === 'unary_expression' ? value.childForFieldName('operand') : value;
      const type = literal?.type === 'composite_literal' ? literal.childForFieldName('type') : null;
      if (type && isPackageMember(ast, type, PKG.core, ['Endpoints', 'EndpointsList']) && children(literal!.childForFieldName('body')!).length === 0) {
        return { name: id, declaration: holder.parent, type, typeName: type.childForFieldName('name')!.text as 'Endpoints', pointer: value.type === 'unary_expression' };
      }
    }
  }
  return undefined;
}

export function findCrSites(ast: GoAst): CrSite[] {
  const sites: CrSite[] = [];
  for (const call of callsNamed(ast, CALL_NAMES)) {
    const m = methodCall(call);
    const isKind = isPackageMember(ast, call.childForFieldName('function'), PKG.crSource, ['Kind', 'TypedKind']);
    if (!isKind && (!m || !METHODS.has(m.method))) continue;
    // client-go's `CoreV1().Endpoints(ns).Get(...)` belongs to endpoints-go-client.
    if (m && methodCall(m.receiver)?.method === 'Endpoints') continue;
    const args = isKind ? children(call.childForFieldName('arguments')!) : m!.args;
    for (const arg of args) {
      const operand = arg.type === 'unary_expression' && arg.text.startsWith('&') ? arg.childForFieldName('operand')! : arg;
      if (operand.type === 'composite_literal') {
        const type = operand.childForFieldName('type');
        if (isPackageMember(ast, type, PKG.core, ['Endpoints', 'EndpointsList'])) {
          sites.push({ call, method: isKind ? 'source.Kind' : m!.method, object: arg, literal: arg, typeName: type!.childForFieldName('name')!.text as 'Endpoints' });
          break;
        }
      } else if (operand.type === 'identifier' && !isKind && m!.method !== 'For') {
        const variable = declarationOf(ast, call, operand.text);
        // The object goes in as a pointer: `ep` declared `ep := &corev1.Endpoints{}`, or `&ep` declared as a value
        // (`var ep corev1.Endpoints`, `ep := corev1.Endpoints{}`, as controllers write it just as often).
        if (variable && variable.pointer === (arg === operand)) {
          sites.push({ call, method: m!.method, object: arg, variable, typeName: variable.typeName });
          break;
        }
      }
    }
  }
  return sites;
}

/** Helpers that create, update or own an object: with an Endpoints object, the controller writes Endpoints. */
const WRITE_HELPERS = ['CreateOrUpdate', 'CreateOrPatch', 'SetControllerReference', 'SetOwnerReference'];

/**
 * The first place this file writes Endpoints (a client write, or a controllerutil helper given an Endpoints
 * literal or a variable declared as one), as a short excerpt; undefined when it writes none.
 */
function writesEndpoints(ast: GoAst, sites: CrSite[]): string | undefined {
  const write = sites.find((s) => ['Create', 'Update', 'Patch'].includes(s.method));
  if (write) return snippet(write.call);
  for (const call of callsNamed(ast, WRITE_HELPERS)) {
    const fn = call.childForFieldName('function');
    const name = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text : undefined;
    if (!name || !WRITE_HELPERS.includes(name)) continue;
    for (const arg of children(call.childForFieldName('arguments')!)) {
      const operand = arg.type === 'unary_expression' && arg.text.startsWith('&') ? arg.childForFieldName('operand')! : arg;
      const isLiteral = operand.type === 'composite_literal' && isPackageMember(ast, operand.childForFieldName('type'), PKG.core, 'Endpoints');
      const isVariable = operand.type === 'identifier' && declaredAsEndpoints(ast, call, operand.text);
      if (isLiteral || isVariable) return snippet(call);
    }
  }
  return undefined;
}

/** Whether `name` is declared in the function around `at` as an Endpoints (`ep := &corev1.Endpoints{...}`, `var ep corev1.Endpoints`). */
function declaredAsEndpoints(ast: GoAst, at: Node, name: string): boolean {
  const body = enclosingFunctionBody(at);
  if (!body) return false;
  return identifiersNamed(body, name).some((id) => {
    const holder = id.parent;
    if (holder?.type === 'var_spec') return isPackageMember(ast, holder.childForFieldName('type'), PKG.core, 'Endpoints');
    if (holder?.type !== 'expression_list' || holder.parent?.type !== 'short_var_declaration') return false;
    const value = children(holder.parent.childForFieldName('right')!)[children(holder).findIndex((l) => l.startIndex === id.startIndex)];
    const literal = value?.type === 'unary_expression' ? value.childForFieldName('operand') : value;
    return literal?.type === 'composite_literal' && isPackageMember(ast, literal.childForFieldName('type'), PKG.core, 'Endpoints');
  });
}

/** The error variable the call's result goes to, and the statement that sets it. */
function errorOf(call: Node): { errVar?: Node; statement: Node } | undefined {
  const list = call.parent;
  const statement = list?.parent;
  if (list?.type === 'expression_list' && (statement?.type === 'short_var_declaration' || statement?.type === 'assignment_statement')) {
    const left = children(statement.childForFieldName('left')!);
    if (left.length === 1 && left[0].type === 'identifier') return { errVar: left[0].text === '_' ? undefined : left[0], statement };
  }
  if (list?.type === 'expression_statement') return { statement: list };
  return undefined;
}

export const rule: Rule<GoAst> = {
  meta: {
    id: 'endpoints-go-controller-runtime',
    severity: 'error',
    description: 'A controller-runtime client, builder or source over deprecated core v1 Endpoints',
    help:
      'List `discoveryv1.EndpointSliceList` with `client.InNamespace(ns)` and `client.MatchingLabels{discoveryv1.LabelServiceName: name}` ' +
      'instead of getting an Endpoints; watch `&discoveryv1.EndpointSlice{}` and map each slice to its Service through that label. ' +
      'Grant get/list/watch on `endpointslices` in `discovery.k8s.io`.',
    docs: 'rules/endpoints-go-controller-runtime.md',
    languages: ['go'],
    triggers: ['Endpoints'],
    // Every site is an object or variable of k8s.io/api/core/v1 types, which the file must import.
    mayReport: mayImportKubernetes,
    fixable: true,
    codemod: 'go-controller-runtime-get',
    messages: {
      get:
        '`{{code}}` gets a Service\'s v1 Endpoints: list a `discoveryv1.EndpointSliceList` with `client.InNamespace(...)` and `client.MatchingLabels{discoveryv1.LabelServiceName: ...}`, and merge the slices\' ready endpoints, de-duplicated by endpoint. ' +
        RBAC_NOTE +
        ' ' +
        FAMILY_NOTE +
        '{{notFixed}}',
      list:
        '`{{code}}` lists v1 Endpoints: list `discoveryv1.EndpointSliceList` instead; each item is then one slice of a Service, found by the `kubernetes.io/service-name` label. ' +
        RBAC_NOTE +
        ' Not rewritten automatically.',
      owns:
        '`{{code}}` owns v1 Endpoints: own `&discoveryv1.EndpointSlice{}` (slices the controller writes, labelled `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by`); a request is still mapped to the owner. ' +
        RBAC_NOTE +
        '{{notFixed}}',
      watches:
        '`{{code}}` watches v1 Endpoints: watch `&discoveryv1.EndpointSlice{}` with `handler.EnqueueRequestsFromMapFunc` mapping each slice to `types.NamespacedName{Namespace: obj.GetNamespace(), Name: obj.GetLabels()[discoveryv1.LabelServiceName]}` (the request now maps from the slice\'s service-name label, not its name). ' +
        RBAC_NOTE +
        ' Not rewritten automatically: the handler decides which request a slice maps to.',
      for: '`{{code}}` reconciles v1 Endpoints: reconcile Services (or EndpointSlices, mapped to their Service by the `kubernetes.io/service-name` label) instead. Not rewritten automatically.',
      write: '`{{code}}` writes v1 Endpoints: ' + CR_WRITE_ADVICE + '. Not rewritten automatically.',
      unusedImport: UNUSED_IMPORT_MESSAGE,
    },
  },
  check(ctx) {
    const ast = ctx.ast;
    reportUnusedImports(ctx);
    const sites = findCrSites(ast);
    for (const site of sites) {
      // A builder chain is one long call: point at the method (`Owns(...)`), not at the whole chain.
      const field = methodCall(site.call)?.field;
      const range = { start: field ? field.startIndex : site.call.startIndex, end: site.call.endIndex };
      const code = ast.text.slice(range.start, range.end).replace(/\s+/g, ' ').slice(0, 60);
      switch (site.method) {
        case 'Get': {
          const error = errorOf(site.call);
          let reason: string | undefined;
          let fix;
          if (!site.variable || site.typeName !== 'Endpoints') reason = 'the object is not a variable declared as an empty `corev1.Endpoints` in this function';
          else if (!error) reason = 'the error of Get is not assigned to a variable';
          else {
            const result = crGetToListSlices(ast, site.call, site.variable, error.errVar, error.statement);
            if (typeof result === 'string') reason = result;
            else fix = result;
          }
          ctx.report({ ...range, messageId: 'get', data: { code, notFixed: reason ? ` Not fixed: ${reason}.` : '' }, fix });
          break;
        }
        case 'Owns': {
          const writer = writesEndpoints(ast, sites);
          const fix =
            !site.literal || site.typeName !== 'Endpoints'
              ? 'the object is not a `&corev1.Endpoints{}` literal'
              : writer
                ? `this controller writes the Endpoints it owns (\`${writer}\`): the mirroring controller's slices of them are owned by the Endpoints, not by the controller's object, so \`Owns(&discoveryv1.EndpointSlice{})\` would never hear of them; write EndpointSlices and own those instead`
                : ownsEndpointSlice(ast, site.literal);
          if (typeof fix === 'string') ctx.report({ ...range, messageId: 'owns', data: { code, notFixed: ` Not fixed: ${fix}.` } });
          else ctx.report({ ...range, messageId: 'owns', data: { code, notFixed: '' }, fix });
          break;
        }
        case 'Watches':
        case 'Watch':
        case 'source.Kind':
          ctx.report({ ...range, messageId: 'watches', data: { code } });
          break;
        case 'List':
          ctx.report({ ...range, messageId: 'list', data: { code } });
          break;
        case 'For':
          ctx.report({ ...range, messageId: 'for', data: { code } });
          break;
        default:
          ctx.report({ ...range, messageId: 'write', data: { code } });
      }
    }
  },
};
