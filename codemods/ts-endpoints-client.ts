/**
 * Codemod `ts-endpoints-client`: a CoreV1Api read or list of v1 Endpoints becomes the matching DiscoveryV1Api
 * list of EndpointSlices, in the API generation the call is written in:
 * - 1.x: `readNamespacedEndpoints({ name, namespace })` → `listNamespacedEndpointSlice({ namespace,
 *   labelSelector: `kubernetes.io/service-name=${name}` })`, the result is the slice list;
 * - 0.x: `readNamespacedEndpoints(name, namespace)` → `listNamespacedEndpointSlice(namespace, undefined,
 *   undefined, undefined, undefined, `kubernetes.io/service-name=${name}`)` (label selector in its 6th slot), the
 *   list is in `.body` as before.
 * The DiscoveryV1Api client is created beside the CoreV1Api one (same scope, same KubeConfig, same import style),
 * or an existing one there is reused. The consumers of the result are rewritten by `SliceShapeRewriter`; when
 * one of them cannot be, nothing is rewritten and the reason is returned.
 */
import { ts } from '../src/ts/compiler.js';
import type { Edit } from '../src/types.js';
import { localNameOf, refersTo, type ClientNodeFile, type Generation } from '../src/ts/client-node.js';
import { SLICE_METHOD, type EndpointsCall } from '../src/ts/analysis.js';
import { EditPlan } from '../src/ts/edit-plan.js';
import { CannotFix, describeUse, identifiersNamed, indentAt, referencesOf } from '../src/ts/scope.js';
import { SliceShapeRewriter } from '../src/ts/slice-shape.js';
import { pushAll } from '../src/push-all.js';

export type CodemodResult = { edits: Edit[] } | { reason: string };

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function rewriteEndpointsCall(sf: ts.SourceFile, clientNode: ClientNodeFile, found: EndpointsCall): CodemodResult {
  const plan = new EditPlan(sf, clientNode);
  try {
    if (found.kind === 'write') throw new CannotFix('writes are not rewritten');
    if (informerOwning(found.call)) {
      throw new CannotFix('it is the list function of an informer; endpoints-ts-watch rewrites it together with the informer path');
    }
    const client = discoveryClientFor(plan, found.receiver);
    plan.replaceNode(found.receiver, client);
    plan.replaceNode(found.nameNode, SLICE_METHOD[found.method]);
    rewriteArguments(plan, found);
    const shape = new SliceShapeRewriter((type, twin) => plan.retype(type, twin));
    for (const site of valueSites(plan, found)) {
      if (found.kind === 'read') shape.endpointsValue(site, 'list');
      else listValue(plan, shape, site);
    }
    plan.add(shape.edits);
    return { edits: plan.finish() };
  } catch (error) {
    if (error instanceof CannotFix) return { reason: error.reason };
    throw error;
  }
}

/** `makeInformer(kc, path, () => api.listNamespacedEndpoints(...))` or `new ListWatch(path, watch, fn)`. */
export function informerOwning(call: ts.CallExpression): ts.CallExpression | ts.NewExpression | undefined {
  let fn: ts.Node = call;
  if (ts.isArrowFunction(fn.parent) && fn.parent.body === fn) fn = fn.parent;
  else if (ts.isReturnStatement(fn.parent) && ts.isBlock(fn.parent.parent) && ts.isArrowFunction(fn.parent.parent.parent)) fn = fn.parent.parent.parent;
  else return undefined;
  const owner = fn.parent;
  if (ts.isCallExpression(owner) || ts.isNewExpression(owner)) {
    const callee = owner.expression;
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    if (name === 'makeInformer' || name === 'ListWatch') return owner;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The DiscoveryV1Api client

function unparen(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
}

/** `kc.makeApiClient(<api>)`: the KubeConfig expression and the API argument, when `init` is that call. */
function makeApiClientOf(init: ts.Expression | undefined, api: string, clientNode: ClientNodeFile) {
  if (!init) return undefined;
  const e = unparen(init);
  if (
    ts.isCallExpression(e) &&
    ts.isPropertyAccessExpression(e.expression) &&
    e.expression.name.text === 'makeApiClient' &&
    e.arguments.length === 1 &&
    refersTo(e.arguments[0], api, clientNode)
  ) {
    const kubeConfig = e.expression.expression;
    // The new client repeats the KubeConfig expression: only one that is safe to evaluate twice.
    const simple = (x: ts.Expression): boolean =>
      ts.isIdentifier(x) ||
      x.kind === ts.SyntaxKind.ThisKeyword ||
      (ts.isPropertyAccessExpression(x) && simple(x.expression)) ||
      (ts.isNewExpression(x) && (x.arguments?.length ?? 0) === 0 && ts.isIdentifier(x.expression) || (ts.isNewExpression(x) && (x.arguments?.length ?? 0) === 0 && ts.isPropertyAccessExpression(x.expression)));
    if (!simple(kubeConfig)) return undefined;
    return { kubeConfig, apiArg: e.arguments[0] };
  }
  return undefined;
}

function discoveryNameFor(coreName: string): string {
  if (/coreV1/i.test(coreName)) return coreName.replace(/core(V1)/i, (m, v) => (m[0] === 'C' ? 'Discovery' : 'discovery') + v);
  if (/core/i.test(coreName)) return coreName.replace(/core/i, (m) => (m[0] === 'C' ? 'Discovery' : 'discovery'));
  return 'discoveryApi';
}

function uniqueName(base: string, taken: (name: string) => boolean): string {
  let name = base;
  for (let i = 2; taken(name); i++) name = `${base}${i}`;
  return name;
}

function semicolonOf(node: ts.Node, sf: ts.SourceFile): string {
  return node.getText(sf).trimEnd().endsWith(';') ? ';' : '';
}

function identifierUsed(sf: ts.SourceFile, name: string): boolean {
  return identifiersNamed(sf, name).length > 0;
}

/** The text of a DiscoveryV1Api client next to the CoreV1Api `receiver`, adding its creation when needed. */
export function discoveryClientFor(plan: EditPlan, receiver: ts.Expression): string {
  const sf = plan.sf;
  const cn = plan.clientNode;
  const where = `create a DiscoveryV1Api client next to it (kc.makeApiClient(DiscoveryV1Api))`;
  if (ts.isIdentifier(receiver)) {
    const decls: ts.VariableDeclaration[] = [];
    for (const id of identifiersNamed(sf, receiver.text)) if (ts.isVariableDeclaration(id.parent) && id.parent.name === id) decls.push(id.parent);
    const decl = decls.length === 1 ? decls[0] : undefined;
    const made = makeApiClientOf(decl?.initializer, 'CoreV1Api', cn);
    if (!decl || !made || !ts.isVariableStatement(decl.parent.parent)) {
      const origin = originOf(sf, receiver.text);
      throw new CannotFix(`the CoreV1Api client \`${receiver.text}\` ${origin}; ${whereFor(decl?.initializer, sf, cn) ?? where}`, receiver);
    }
    const statement = decl.parent.parent;
    const block = statement.parent;
    const siblings = ts.isBlock(block) || ts.isSourceFile(block) || ts.isModuleBlock(block) || ts.isCaseOrDefaultClause(block) ? block.statements : [];
    for (const other of siblings) {
      if (!ts.isVariableStatement(other)) continue;
      for (const d of other.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && makeApiClientOf(d.initializer, 'DiscoveryV1Api', cn)) return d.name.text;
      }
    }
    const name = uniqueName(discoveryNameFor(receiver.text), (n) => identifierUsed(sf, n));
    // The CoreV1Api client served only this call, and is neither exported nor shared: it is replaced rather than
    // left behind unused (an error under noUnusedLocals, and dead code anyway).
    const replaced =
      statement.declarationList.declarations.length === 1 &&
      !statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) &&
      soleReference(() => referencesOf(decl.name as ts.Identifier), receiver);
    if (replaced) swapCoreImport(plan, made.apiArg, [statement]);
    const keyword = decl.parent.flags & ts.NodeFlags.Const ? 'const' : decl.parent.flags & ts.NodeFlags.Let ? 'let' : 'var';
    const type = decl.type ? `: ${plan.ref('DiscoveryV1Api', typeNameOf(decl.type, cn))}` : '';
    const created = `${keyword} ${name}${type} = ${made.kubeConfig.getText(sf)}.makeApiClient(${plan.ref('DiscoveryV1Api', made.apiArg)})${semicolonOf(statement, sf)}`;
    if (replaced) plan.replace(statement.getStart(sf), statement.end, created);
    else plan.replace(statement.end, statement.end, `\n${indentAt(sf.text, statement.getStart(sf))}${created}`);
    return name;
  }
  if (ts.isPropertyAccessExpression(receiver) && receiver.expression.kind === ts.SyntaxKind.ThisKeyword && ts.isIdentifier(receiver.name)) {
    const cls = enclosingClass(receiver);
    const prop = receiver.name.text;
    if (!cls) throw new CannotFix(`\`this.${prop}\` is not inside a class; ${where}`, receiver);
    const members = clientMembers(cls, cn);
    const existing = members.find((m) => m.api === 'DiscoveryV1Api');
    if (existing) return `this.${existing.name}`;
    const core = members.find((m) => m.api === 'CoreV1Api' && m.name === prop);
    if (!core) throw new CannotFix(`the CoreV1Api client \`this.${prop}\` is not created in this class by makeApiClient; ${where}`, receiver);
    const taken = new Set(cls.members.map((m) => (m.name && ts.isIdentifier(m.name) ? m.name.text : '')));
    members.forEach((m) => taken.add(m.name));
    const name = uniqueName(discoveryNameFor(prop), (n) => taken.has(n));
    const declared = cls.members.find(
      (m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === prop,
    );
    const made = core.made;
    // A private member that served only this call is replaced rather than left behind unused (see above); a
    // public one may be used from outside the class.
    const replaced =
      declared !== undefined &&
      declared.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword) === true &&
      memberAccesses(sf, prop).every((access) => access === receiver || (core.statement !== declared && isAssignedIn(access, core.statement)));
    if (replaced) swapCoreImport(plan, made.apiArg, core.statement === declared ? [declared] : [declared, core.statement]);
    const creation = `${made.kubeConfig.getText(sf)}.makeApiClient(${plan.ref('DiscoveryV1Api', made.apiArg)})`;
    const put = (node: ts.Node, text: string) => {
      if (replaced) plan.replace(node.getStart(sf), node.end, text);
      else plan.replace(node.end, node.end, `\n${indentAt(sf.text, node.getStart(sf))}${text}`);
    };
    if (declared) {
      const modifiers = sf.text.slice(declared.getStart(sf), declared.name.getStart(sf));
      const type = declared.type ? `${declared.exclamationToken && !declared.initializer ? '!' : ''}: ${plan.ref('DiscoveryV1Api', typeNameOf(declared.type, cn))}` : '';
      const init = core.statement === declared ? ` = ${creation}` : '';
      put(declared, `${modifiers}${name}${type}${init}${semicolonOf(declared, sf)}`);
    }
    if (core.statement !== declared) put(core.statement, `this.${name} = ${creation}${semicolonOf(core.statement, sf)}`);
    return `this.${name}`;
  }
  throw new CannotFix(`the receiver \`${receiver.getText(sf)}\` is not a client created in this file; ${where}`, receiver);
}

/** Whether `receiver` is the only reference (false when the references cannot be told). */
function soleReference(references: () => ts.Identifier[], receiver: ts.Node): boolean {
  try {
    const refs = references();
    return refs.length === 1 && refs[0] === receiver;
  } catch (error) {
    if (error instanceof CannotFix) return false;
    throw error;
  }
}

/** Every `<anything>.prop` and `{ prop }`-style use of the member name in the file. */
function memberAccesses(sf: ts.SourceFile, prop: string): ts.Node[] {
  const out: ts.Node[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isPropertyAccessExpression(n) && n.name.text === prop) || (ts.isElementAccessExpression(n) && ts.isStringLiteralLike(n.argumentExpression) && n.argumentExpression.text === prop)) out.push(n);
    else if (ts.isBindingElement(n) && ((n.propertyName && ts.isIdentifier(n.propertyName) && n.propertyName.text === prop) || (!n.propertyName && ts.isIdentifier(n.name) && n.name.text === prop))) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function isAssignedIn(access: ts.Node, statement: ts.Node): boolean {
  return ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.left === access;
}

/**
 * When the CoreV1Api client is replaced and `CoreV1Api` was imported by name for it alone, the import becomes
 * `DiscoveryV1Api` (an unused import is an error under noUnusedLocals too).
 */
function swapCoreImport(plan: EditPlan, apiArg: ts.Expression, replaced: ts.Node[]): void {
  if (!ts.isIdentifier(apiArg) || localNameOf(plan.clientNode, 'DiscoveryV1Api') !== undefined) return;
  const sf = plan.sf;
  let specifier: ts.ImportSpecifier | ts.BindingElement | undefined;
  let used = false;
  for (const n of identifiersNamed(sf, apiArg.text)) {
    const p = n.parent;
    if ((ts.isImportSpecifier(p) || ts.isBindingElement(p)) && p.name === n) specifier = p;
    else if (!replaced.some((r) => n.getStart(sf) >= r.getStart(sf) && n.end <= r.end)) used = true;
  }
  if (used || !specifier || specifier.propertyName || plan.clientNode.named.get(apiArg.text) !== 'CoreV1Api') return;
  if (ts.isImportSpecifier(specifier) && specifier.isTypeOnly) return;
  plan.replaceNode(specifier.name, 'DiscoveryV1Api');
  plan.provide('DiscoveryV1Api');
}

/**
 * The advice with the file's own KubeConfig and import style, when `init` makes a CoreV1Api client somewhere
 * inside (`options.coreApi ?? kubeConfig.makeApiClient(CoreV1Api)`).
 */
function whereFor(init: ts.Expression | undefined, sf: ts.SourceFile, cn: ClientNodeFile): string | undefined {
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'makeApiClient' && n.arguments.length === 1 && refersTo(n.arguments[0], 'CoreV1Api', cn)) {
      const arg = n.arguments[0].getText(sf).replace(/CoreV1Api$/, 'DiscoveryV1Api');
      found = `create a DiscoveryV1Api client next to it (${n.expression.expression.getText(sf)}.makeApiClient(${arg}))`;
    } else ts.forEachChild(n, visit);
  };
  if (init) visit(init);
  return found;
}

/** Where a client that is not made here comes from, for the message. */
function originOf(sf: ts.SourceFile, name: string): string {
  let origin = 'is not created in this file by makeApiClient';
  for (const id of identifiersNamed(sf, name)) {
    const n = id.parent;
    if (ts.isImportSpecifier(n) && n.name === id && ts.isStringLiteral(n.parent.parent.parent.moduleSpecifier)) {
      origin = `is imported from ${n.parent.parent.parent.moduleSpecifier.text}`;
    } else if (ts.isParameter(n) && n.name === id) {
      origin = 'is a parameter';
    } else if (ts.isVariableDeclaration(n) && n.name === id && n.initializer) {
      const made = /\.makeApiClient\(/.test(n.initializer.getText(sf));
      origin = `comes from \`${n.initializer.getText(sf).slice(0, 60)}\`, not ${made ? 'only ' : ''}from makeApiClient in this file`;
    }
  }
  return origin;
}

function typeNameOf(type: ts.TypeNode, cn: ClientNodeFile): ts.Node {
  if (ts.isTypeReferenceNode(type) && refersTo(type.typeName, 'CoreV1Api', cn)) return type.typeName;
  throw new CannotFix(`the client is annotated as \`${type.getText()}\`, not client-node's CoreV1Api`, type);
}

function enclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  let n: ts.Node | undefined = node.parent;
  while (n && !ts.isClassDeclaration(n) && !ts.isClassExpression(n)) n = n.parent;
  return n;
}

interface ClientMember {
  name: string;
  api: 'CoreV1Api' | 'DiscoveryV1Api';
  /** The property declaration with the initializer, or the constructor statement assigning it. */
  statement: ts.Node;
  made: { kubeConfig: ts.Expression; apiArg: ts.Expression };
}

/** Clients a class creates: `x = kc.makeApiClient(Api)` fields and `this.x = kc.makeApiClient(Api)` in its constructor. */
function clientMembers(cls: ts.ClassLikeDeclaration, cn: ClientNodeFile): ClientMember[] {
  const out: ClientMember[] = [];
  for (const member of cls.members) {
    if (ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name)) {
      for (const api of ['CoreV1Api', 'DiscoveryV1Api'] as const) {
        const made = makeApiClientOf(member.initializer, api, cn);
        if (made) out.push({ name: member.name.text, api, statement: member, made });
      }
    }
    if (ts.isConstructorDeclaration(member) && member.body) {
      for (const st of member.body.statements) {
        if (!ts.isExpressionStatement(st) || !ts.isBinaryExpression(st.expression)) continue;
        const { left, right, operatorToken } = st.expression;
        if (operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(left)) continue;
        if (left.expression.kind !== ts.SyntaxKind.ThisKeyword || !ts.isIdentifier(left.name)) continue;
        for (const api of ['CoreV1Api', 'DiscoveryV1Api'] as const) {
          const made = makeApiClientOf(right, api, cn);
          if (made) out.push({ name: left.name.text, api, statement: st, made });
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Arguments

function selectorFor(name: ts.Expression, sf: ts.SourceFile): string {
  if (ts.isStringLiteral(name) && /^[a-z0-9.-]+$/.test(name.text)) {
    const quote = name.getText(sf)[0];
    return `${quote}${SERVICE_NAME_LABEL}=${name.text}${quote}`;
  }
  return `\`${SERVICE_NAME_LABEL}=\${${name.getText(sf)}}\``;
}

/** `'metadata.name=foo'` or `` `metadata.name=${x}` `` as a field selector → the service-name label selector. */
export function fieldToLabelSelector(value: ts.Expression, sf: ts.SourceFile): string {
  const raw = value.getText(sf);
  const m = /^(['"`])metadata\.name=/.exec(raw);
  if (!m || raw.includes(',') || (!ts.isStringLiteralLike(value) && !ts.isTemplateExpression(value))) {
    throw new CannotFix(`the field selector \`${raw}\` has no EndpointSlice equivalent slicefix can prove (only metadata.name=<service> maps to the ${SERVICE_NAME_LABEL} label)`, value);
  }
  return `${m[1]}${SERVICE_NAME_LABEL}=${raw.slice(m[0].length)}`;
}

function isUndefined(e: ts.Expression | undefined): boolean {
  return !e || (ts.isIdentifier(e) && e.text === 'undefined');
}

/** Positional slots of 0.x methods: where fieldSelector and labelSelector sit. */
const POSITIONAL: Record<string, { field: number; label: number }> = {
  listNamespacedEndpoints: { field: 4, label: 5 },
  listEndpointsForAllNamespaces: { field: 2, label: 3 },
};

export function rewriteArguments(plan: EditPlan, found: EndpointsCall): void {
  const sf = plan.sf;
  const args = found.call.arguments;
  const replaceArgs = (texts: string[]) => {
    while (texts.length > 0 && texts[texts.length - 1] === 'undefined') texts.pop();
    const start = args.length > 0 ? args[0].getStart(sf) : args.pos;
    const end = args.length > 0 ? args[args.length - 1].end : args.pos;
    plan.replace(start, end, texts.join(', '));
  };
  if (found.generation === 1) {
    if (args.length === 0) return;
    const obj = args[0];
    if (args.length !== 1 || !ts.isObjectLiteralExpression(obj)) {
      throw new CannotFix('the request parameters are not an object literal at the call', obj);
    }
    const props = new Map<string, ts.ObjectLiteralElementLike>();
    for (const p of obj.properties) {
      if ((!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) || !ts.isIdentifier(p.name)) {
        throw new CannotFix(`the request parameter \`${p.getText(sf)}\` is computed or spread`, p);
      }
      props.set(p.name.text, p);
    }
    const valueOf = (p: ts.ObjectLiteralElementLike) => (ts.isPropertyAssignment(p) ? p.initializer : (p as ts.ShorthandPropertyAssignment).name);
    if (found.kind === 'read') {
      const name = props.get('name');
      const namespace = props.get('namespace');
      const extra = [...props.keys()].filter((k) => !['name', 'namespace', 'pretty'].includes(k));
      if (!name || !namespace || extra.length > 0) {
        throw new CannotFix(`the read has parameters other than name, namespace and pretty (${extra.join(', ') || 'name or namespace missing'})`, obj);
      }
      const parts = [namespace.getText(sf), `labelSelector: ${selectorFor(valueOf(name), sf)}`];
      const pretty = props.get('pretty');
      if (pretty) parts.push(pretty.getText(sf));
      const multiline = obj.getText(sf).includes('\n');
      const indent = indentAt(sf.text, name.getStart(sf));
      plan.replaceNode(obj, multiline ? `{\n${parts.map((p) => `${indent}${p},`).join('\n')}\n${indentAt(sf.text, obj.getStart(sf))}}` : `{ ${parts.join(', ')} }`);
      return;
    }
    const field = props.get('fieldSelector');
    if (field) {
      if (props.has('labelSelector')) throw new CannotFix('the list has both a field and a label selector', field);
      plan.replaceNode(field, `labelSelector: ${fieldToLabelSelector(valueOf(field), sf)}`);
    }
    return;
  }
  const texts = args.map((a) => a.getText(sf));
  if (found.kind === 'read') {
    if (args.length < 2 || args.length > 3) throw new CannotFix('the 0.x read passes options beyond name, namespace and pretty', found.call);
    replaceArgs([texts[1], texts[2] ?? 'undefined', 'undefined', 'undefined', 'undefined', selectorFor(args[0], sf)]);
    return;
  }
  const slots = POSITIONAL[found.method];
  if (!isUndefined(args[slots.field])) {
    if (!isUndefined(args[slots.label])) throw new CannotFix('the list has both a field and a label selector', args[slots.field]);
    // Slot by slot, so that comments naming the slots (`undefined /*_continue*/`) stay with their slots.
    const label = fieldToLabelSelector(args[slots.field], sf);
    plan.replaceNode(args[slots.field], 'undefined');
    if (slots.label < args.length) plan.replaceNode(args[slots.label], label);
    else {
      const last = args[args.length - 1];
      const at = (ts.getTrailingCommentRanges(sf.text, last.end) ?? []).reduce((end, c) => c.end, last.end);
      const added = [...Array(slots.label - args.length).fill('undefined'), label];
      plan.replace(at, at, added.map((t) => `, ${t}`).join(''));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Where the result goes

/**
 * The expressions that hold the Endpoints (read) or EndpointsList (list) value the call returns: the references
 * of the variable it is stored in, or the expression itself when used in place.
 */
function valueSites(plan: EditPlan, found: EndpointsCall): ts.Expression[] {
  const listTwin = 'V1EndpointSliceList';
  const call = found.call;
  if (!ts.isAwaitExpression(call.parent)) {
    throw new CannotFix('its promise is not awaited where it is made (a `.then` chain or a returned promise), so its consumers cannot be followed', call);
  }
  let P: ts.Expression = call.parent;
  while (ts.isParenthesizedExpression(P.parent)) P = P.parent;
  const parent = P.parent;
  const refsOfDeclared = (decl: ts.VariableDeclaration, name: ts.Identifier): ts.Expression[] => {
    if (decl.type) plan.retype(decl.type, listTwin);
    const refs = referencesOf(name);
    if (refs.length === 0) throw new CannotFix(`its result \`${name.text}\` is never used`, name);
    return refs;
  };
  if (found.generation === 1) {
    if (ts.isVariableDeclaration(parent) && parent.initializer === P && ts.isIdentifier(parent.name)) return refsOfDeclared(parent, parent.name);
    if (ts.isPropertyAccessExpression(parent) && parent.expression === P && ts.isParenthesizedExpression(P)) return [P];
    throw new CannotFix(`its result ${describeUse(P)}`, P);
  }
  // 0.x: { response, body }
  if (ts.isVariableDeclaration(parent) && parent.initializer === P) {
    if (parent.type) throw new CannotFix(`the response is annotated as \`${parent.type.getText()}\``, parent.type);
    if (ts.isIdentifier(parent.name)) {
      const sites: ts.Expression[] = [];
      for (const ref of referencesOf(parent.name)) {
        const p = ref.parent;
        if (ts.isPropertyAccessExpression(p) && p.expression === ref && p.name.text === 'response') continue;
        if (ts.isPropertyAccessExpression(p) && p.expression === ref && p.name.text === 'body') pushAll(sites, bodySites(p));
        else throw new CannotFix(`the response \`${parent.name.text}\` ${describeUse(ref)}`, ref);
      }
      return sites;
    }
    if (ts.isObjectBindingPattern(parent.name)) {
      const sites: ts.Expression[] = [];
      for (const el of parent.name.elements) {
        const key = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : ts.isIdentifier(el.name) ? el.name.text : '';
        if (key === 'response') continue;
        if (key !== 'body' || !ts.isIdentifier(el.name) || el.initializer) throw new CannotFix(`the response is destructured as \`${parent.name.getText()}\``, el);
        pushAll(sites, referencesOf(el.name));
      }
      return sites;
    }
  }
  if (ts.isPropertyAccessExpression(parent) && parent.expression === P && parent.name.text === 'body') return bodySites(parent);
  throw new CannotFix(`its response ${describeUse(P)}`, P);

  function bodySites(body: ts.PropertyAccessExpression): ts.Expression[] {
    const p = body.parent;
    if (ts.isVariableDeclaration(p) && p.initializer === body && ts.isIdentifier(p.name)) return refsOfDeclared(p, p.name);
    return [body];
  }
}

/** A list of Endpoints: each item becomes one slice; items are consumed one at a time. */
function listValue(plan: EditPlan, shape: SliceShapeRewriter, L: ts.Expression): void {
  let e: ts.Expression = L;
  while (ts.isNonNullExpression(e.parent)) e = e.parent;
  const items = e.parent;
  if (!ts.isPropertyAccessExpression(items) || items.name.text !== 'items') {
    throw new CannotFix(`the Endpoints list ${describeUse(e)}`, e);
  }
  const up = items.parent;
  if (ts.isForOfStatement(up) && up.expression === items) {
    const init = up.initializer;
    if (ts.isVariableDeclarationList(init) && init.declarations.length === 1 && ts.isIdentifier(init.declarations[0].name)) {
      for (const ref of referencesOf(init.declarations[0].name)) shape.endpointsValue(ref, 'single');
      return;
    }
  }
  if (ts.isPropertyAccessExpression(up) && up.name.text === 'forEach' && ts.isCallExpression(up.parent) && up.parent.arguments.length === 1) {
    const fn = up.parent.arguments[0];
    if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.parameters.length === 1 && ts.isIdentifier(fn.parameters[0].name)) {
      if (fn.parameters[0].type) plan.retype(fn.parameters[0].type, 'V1EndpointSlice');
      for (const ref of referencesOf(fn.parameters[0].name)) shape.endpointsValue(ref, 'single');
      return;
    }
  }
  throw new CannotFix(`\`${items.getText()}\` ${describeUse(items).replace(/^line \d+ /, '')}; each item is now one slice, and a Service may have several`, items);
}
