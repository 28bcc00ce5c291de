/**
 * Codemod `ts-endpoints-client`: a CoreV1Api read or list of v1 Endpoints reads the Service's EndpointSlices
 * instead, and the code that used the answer keeps its meaning:
 * - a read becomes `readEndpointsFromSlices(<DiscoveryV1Api client>, <the read's own arguments>)`, which answers
 *   with what the Endpoints held, or the read's 404 when the Service has no slice (ts-endpoints-adapter.ts);
 * - a list becomes `listNamespacedEndpointSlice`/`listEndpointSliceForAllNamespaces` (a `metadata.name` field
 *   selector becomes the service-name label selector), and its `items` become `endpointsOfSlices(items)`, one
 *   Endpoints-like object per Service.
 * The DiscoveryV1Api client is created beside the CoreV1Api one (same scope, same KubeConfig, same import style),
 * or an existing one there is reused. The value must be used only through what is rebuilt (`subsets`, the
 * Service's name and namespace); otherwise nothing is rewritten and the reason is returned.
 */
import { ts } from '../src/ts/compiler.js';
import type { Edit } from '../src/types.js';
import { clientNodeName, localNameOf, refersTo, type ClientNodeFile } from '../src/ts/client-node.js';
import { ENDPOINTS_METHODS, SLICE_METHOD, generationOf, type EndpointsCall } from '../src/ts/analysis.js';
import { EditPlan } from '../src/ts/edit-plan.js';
import { CannotFix, describeUse, identifiersNamed, indentAt, referencesOf } from '../src/ts/scope.js';
import { ensureAdapter } from './ts-endpoints-adapter.js';
import { pushAll } from '../src/push-all.js';

export type CodemodResult = { edits: Edit[] } | { reason: string };

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function rewriteEndpointsCall(sf: ts.SourceFile, clientNode: ClientNodeFile, found: EndpointsCall, absPath: string): CodemodResult {
  try {
    if (found.kind === 'write') throw new CannotFix('writes are not rewritten');
    if (informerOwning(found.call)) {
      throw new CannotFix('it is the list function of an informer; endpoints-ts-watch rewrites it together with the informer path');
    }
    // When every use of the CoreV1Api client is a read or list that can be rewritten, all of them are rewritten
    // together and the client is replaced: rewriting them one by one would leave it unused at the end (an error
    // under noUnusedLocals). Each of these findings carries the same edits; the first one applied fixes them all.
    // The same holds for the `CoreV1Api` import across the clients of a file: so the widest group first.
    const sameClient = sameClientCalls(sf, found, true, absPath);
    const anyClient = sameClientCalls(sf, found, false, absPath);
    for (const group of [anyClient, sameClient]) {
      if (group.length <= 1 || (group === sameClient && group.length === anyClient.length)) continue;
      try {
        return { edits: rewriteGroup(sf, clientNode, found, group, absPath) };
      } catch (error) {
        if (!(error instanceof CannotFix)) throw error;
      }
    }
    return { edits: rewriteCalls(sf, clientNode, found, [found], absPath) };
  } catch (error) {
    if (error instanceof CannotFix) return { reason: error.reason };
    throw error;
  }
}

/**
 * The reads and lists in the file, in order: on the same client as `found` (the same variable or `this` member),
 * or (`sameClient` false) on any client.
 */
function sameClientCalls(sf: ts.SourceFile, found: EndpointsCall, sameClient: boolean, absPath: string): EndpointsCall[] {
  const client = sameClient ? found.receiver.getText(sf) : '';
  // Every finding of a file asks for its group: the file is walked once per client, not once per finding (a file
  // with thousands of calls was quadratic).
  let byClient = clientCalls.get(sf);
  if (!byClient) clientCalls.set(sf, (byClient = new Map()));
  let calls = byClient.get(client);
  if (!calls) {
    const collected: EndpointsCall[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && (!sameClient || n.expression.expression.getText(sf) === client)) {
        const method = n.expression.name.text;
        const kind = Object.hasOwn(ENDPOINTS_METHODS, method) ? ENDPOINTS_METHODS[method] : undefined;
        if (n === found.call) collected.push(found);
        else if (kind === 'read' || kind === 'list') {
          collected.push({ call: n, method, kind, receiver: n.expression.expression, nameNode: n.expression.name, generation: generationOf(n, method, absPath) });
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    byClient.set(client, (calls = collected));
  }
  // The finding's own call is the finding itself (the caller compares by identity).
  return calls.map((c) => (c.call === found.call ? found : c));
}

/** The read and list calls of a file, by client text ('' for every client), cached per parse of the file. */
const clientCalls = new WeakMap<ts.SourceFile, Map<string, EndpointsCall[]>>();

/** The edits of a group rewrite, cached per parse: every finding of the group carries the same edits. */
const groupRewrites = new WeakMap<ts.SourceFile, Map<string, Edit[] | CannotFix>>();

function rewriteGroup(sf: ts.SourceFile, clientNode: ClientNodeFile, found: EndpointsCall, group: EndpointsCall[], absPath: string): Edit[] {
  const key = group.map((c) => c.call.pos).join(',');
  let cache = groupRewrites.get(sf);
  if (!cache) groupRewrites.set(sf, (cache = new Map()));
  let result = cache.get(key);
  if (result === undefined) {
    try {
      result = rewriteCalls(sf, clientNode, found, group, absPath);
    } catch (error) {
      if (!(error instanceof CannotFix)) throw error;
      result = error;
    }
    cache.set(key, result);
  }
  if (result instanceof CannotFix) throw result;
  return result;
}

/** The edits that rewrite `calls` (all on one client) in one plan; `group` mode replaces the client. */
function rewriteCalls(sf: ts.SourceFile, clientNode: ClientNodeFile, found: EndpointsCall, calls: EndpointsCall[], absPath: string): Edit[] {
  const plan = new EditPlan(sf, clientNode, absPath);
  if (calls.some((c) => c.generation !== found.generation || informerOwning(c.call))) {
    throw new CannotFix('the calls on this client are not all rewritable alike');
  }
  const receivers = calls.map((c) => c.receiver);
  const clients = new Map<string, string>();
  for (const call of calls) {
    const text = call.receiver.getText(sf);
    if (!clients.has(text)) clients.set(text, discoveryClientFor(plan, call.receiver, receivers));
  }
  const like = clientNodeValueRef(sf, clientNode);
  const names = ensureAdapter(plan, like, found.generation, calls.some((c) => c.kind === 'read'));
  for (const call of calls) {
    const client = clients.get(call.receiver.getText(sf))!;
    if (call.kind === 'read') {
      const args = call.call.arguments;
      if (args.length > (call.generation === 1 ? 1 : 3)) {
        throw new CannotFix('the read passes request options beyond name, namespace and pretty', call.call);
      }
      for (const site of valueSites(plan, call)) endpointsValue(site);
      // The arguments stay as they are: the added function takes the read's own parameters after the client.
      const commented = args.length > 0 && /\/\*|\/\//.test(sf.text.slice(args.pos, call.call.end));
      if (args.length === 0 || commented) {
        plan.replace(call.call.getStart(sf), args.pos, `${names.read}(${client}${args.length > 0 ? ', ' : ''}`);
      } else {
        plan.replace(call.call.getStart(sf), args.pos, `${names.read}(`);
        layOutArguments(plan, call.call, names.read!, [client, ...args.map((a) => a.getText(sf))]);
      }
    } else {
      plan.replaceNode(call.receiver, client);
      plan.replaceNode(call.nameNode, SLICE_METHOD[call.method]);
      rewriteArguments(plan, call, `${client}.${SLICE_METHOD[call.method]}`);
      for (const site of valueSites(plan, call)) listItems(plan, site, names.slices);
    }
  }
  return plan.finish();
}

/**
 * A value reference to a client-node export in this file (`k8s.CoreV1Api`, or a name imported as a value), whose
 * style the added code follows to name client-node's types and its error class.
 */
function clientNodeValueRef(sf: ts.SourceFile, cn: ClientNodeFile): ts.Node {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && cn.namespaces.has(n.expression.text)) found = n;
    else if (ts.isImportSpecifier(n) && !n.isTypeOnly && !n.parent.parent.isTypeOnly && cn.named.has(n.name.text)) found = n.name;
    else if (ts.isBindingElement(n) && ts.isIdentifier(n.name) && cn.named.has(n.name.text) && ts.isObjectBindingPattern(n.parent)) found = n.name;
    else ts.forEachChild(n, visit);
  };
  visit(sf);
  if (!found) throw new CannotFix('cannot tell how this file imports values from @kubernetes/client-node');
  return found;
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
export function discoveryClientFor(plan: EditPlan, receiver: ts.Expression, group: readonly ts.Node[] = [receiver]): string {
  const sf = plan.sf;
  const cn = plan.clientNode;
  const where = `create a DiscoveryV1Api client next to it (kc.makeApiClient(DiscoveryV1Api))`;
  if (ts.isIdentifier(receiver)) {
    const decls: ts.VariableDeclaration[] = [];
    for (const id of identifiersNamed(sf, receiver.text)) if (ts.isVariableDeclaration(id.parent) && id.parent.name === id) decls.push(id.parent);
    const decl = decls.length === 1 ? decls[0] : undefined;
    const made = makeApiClientOf(decl?.initializer, 'CoreV1Api', cn);
    if (!decl || !made || !ts.isVariableStatement(decl.parent.parent)) {
      const assigned = decl && !decl.initializer ? assignmentOf(sf, receiver.text) : undefined;
      const origin = assigned
        ? `is declared without a value and assigned later (line ${sf.getLineAndCharacterOfPosition(assigned.getStart(sf)).line + 1}: \`${assigned.getText(sf).slice(0, 80)}\`), so slicefix does not rewrite it`
        : originOf(sf, receiver.text);
      throw new CannotFix(`the CoreV1Api client \`${receiver.text}\` ${origin}; ${whereFor(assigned?.right ?? decl?.initializer, sf, cn) ?? where}`, receiver);
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
    const name = uniqueName(discoveryNameFor(receiver.text), (n) => identifierUsed(sf, n) || plan.names.has(n));
    plan.names.add(name);
    // The CoreV1Api client served only this call, and is neither exported nor shared: it is replaced rather than
    // left behind unused (an error under noUnusedLocals, and dead code anyway).
    const replaced =
      statement.declarationList.declarations.length === 1 &&
      !statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) &&
      onlyReferences(() => referencesOf(decl.name as ts.Identifier), group);
    if (replaced) replacedClient(plan, made.apiArg, [statement]);
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
    const name = uniqueName(discoveryNameFor(prop), (n) => taken.has(n) || plan.names.has(`this.${n}`));
    plan.names.add(`this.${name}`);
    const declared = cls.members.find(
      (m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === prop,
    );
    const made = core.made;
    // A private member that served only this call is replaced rather than left behind unused (see above); a
    // public one may be used from outside the class.
    const replaced =
      declared !== undefined &&
      declared.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword) === true &&
      memberAccesses(sf, prop).every((access) => group.includes(access) || (core.statement !== declared && isAssignedIn(access, core.statement)));
    if (replaced) replacedClient(plan, made.apiArg, core.statement === declared ? [declared] : [declared, core.statement]);
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

/** Whether the references are all among `group` (false when the references cannot be told). */
function onlyReferences(references: () => ts.Identifier[], group: readonly ts.Node[]): boolean {
  try {
    return references().every((ref) => group.includes(ref));
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

const replacedClients = new WeakMap<EditPlan, { apiArg: ts.Expression; nodes: ts.Node[] }>();

/**
 * Records a CoreV1Api client the plan replaces; once the plan is finished, the `CoreV1Api` import is swapped if
 * the replaced clients were all that used it (several clients of one file may be replaced by one plan).
 */
function replacedClient(plan: EditPlan, apiArg: ts.Expression, nodes: ts.Node[]): void {
  const known = replacedClients.get(plan);
  if (known) {
    pushAll(known.nodes, nodes);
    return;
  }
  const entry = { apiArg, nodes: [...nodes] };
  replacedClients.set(plan, entry);
  plan.beforeFinish(() => swapCoreImport(plan, entry.apiArg, entry.nodes));
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

/** `name = <value>` somewhere in the file (a client declared with `let name;` and created in a setup function). */
function assignmentOf(sf: ts.SourceFile, name: string): ts.BinaryExpression | undefined {
  let found: ts.BinaryExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && n.left.text === name) found = n;
    else ts.forEachChild(n, visit);
  };
  visit(sf);
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

/**
 * The arguments of a list call (reads keep theirs): a `metadata.name=<service>` field selector becomes the
 * service-name label selector. `callee` is the call's new callee text, for the width of the line it makes.
 */
export function rewriteArguments(plan: EditPlan, found: EndpointsCall, callee: string): void {
  const sf = plan.sf;
  const args = found.call.arguments;
  if (found.kind !== 'list') throw new CannotFix('only lists have their arguments rewritten', found.call);
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
    const field = props.get('fieldSelector');
    if (field) {
      if (props.has('labelSelector')) throw new CannotFix('the list has both a field and a label selector', field);
      plan.replaceNode(field, `labelSelector: ${fieldToLabelSelector(valueOf(field), sf)}`);
    }
    return;
  }
  if (args.length === 0) return;
  const slots = POSITIONAL[found.method];
  const last = args[args.length - 1];
  const texts = args.map((a) => a.getText(sf));
  const commented = () => {
    const afterLast = (ts.getTrailingCommentRanges(sf.text, last.end) ?? []).reduce((end, c) => c.end, last.end);
    return /\/\*|\/\//.test(sf.text.slice(args[0].getStart(sf), afterLast));
  };
  if (isUndefined(args[slots.field])) {
    // Unchanged arguments, but a longer callee: they may have to wrap.
    if (!commented()) layOutArguments(plan, found.call, callee, texts);
    return;
  }
  if (!isUndefined(args[slots.label])) throw new CannotFix('the list has both a field and a label selector', args[slots.field]);
  const label = fieldToLabelSelector(args[slots.field], sf);
  const afterLast = (ts.getTrailingCommentRanges(sf.text, last.end) ?? []).reduce((end, c) => c.end, last.end);
  if (/\/\*|\/\//.test(sf.text.slice(args[0].getStart(sf), afterLast))) {
    // Slot by slot, so that comments naming the slots (`undefined /*_continue*/`) stay with their slots.
    plan.replaceNode(args[slots.field], 'undefined');
    if (slots.label < args.length) plan.replaceNode(args[slots.label], label);
    else {
      const added = [...Array(slots.label - args.length).fill('undefined'), label];
      plan.replace(afterLast, afterLast, added.map((t) => `, ${t}`).join(''));
    }
    return;
  }
  texts[slots.field] = 'undefined';
  while (texts.length <= slots.label) texts.push('undefined');
  texts[slots.label] = label;
  layOutArguments(plan, found.call, callee, texts);
}

/**
 * Replaces the arguments of `call` with `texts`: on the call's line while it stays within the file's own width,
 * else one argument a line, indented one step further than the line the call starts on.
 */
/** The width of the file's longest line (at least 80), once per parse: a file with many calls asked it per call. */
const widths = new WeakMap<ts.SourceFile, number>();
function fileWidth(sf: ts.SourceFile): number {
  let width = widths.get(sf);
  if (width === undefined) {
    width = 80;
    for (let start = 0; start <= sf.text.length; ) {
      let end = sf.text.indexOf('\n', start);
      if (end === -1) end = sf.text.length;
      width = Math.max(width, end - start);
      start = end + 1;
    }
    widths.set(sf, width);
  }
  return width;
}

function layOutArguments(plan: EditPlan, call: ts.CallExpression, callee: string, texts: string[]): void {
  const sf = plan.sf;
  const text = sf.text;
  const args = call.arguments;
  const close = call.end - 1; // the `)`
  const lineStart = text.lastIndexOf('\n', call.getStart(sf) - 1) + 1;
  const lineEnd = text.indexOf('\n', call.end) === -1 ? text.length : text.indexOf('\n', call.end);
  const oneLine = `${text.slice(lineStart, call.getStart(sf))}${callee}(${texts.join(', ')})${text.slice(call.end, lineEnd)}`;
  const width = fileWidth(sf);
  // One argument a line already: the first one starts a line of its own.
  const multiline = text.slice(args.pos, args[0].getStart(sf)).includes('\n');
  if (!multiline && oneLine.split('\n')[0].length <= width) {
    const joined = texts.join(', ');
    if (joined !== text.slice(args[0].getStart(sf), args[args.length - 1].end)) plan.replace(args[0].getStart(sf), args[args.length - 1].end, joined);
    return;
  }
  if (multiline && texts.every((t, i) => t === args[i]?.getText(sf))) return; // already one a line
  const base = indentAt(text, call.getStart(sf));
  const step = multiline ? indentAt(text, args[0].getStart(sf)) : `${base}${/^\t/.test(base) ? '\t' : '  '}`;
  plan.replace(args.pos, close, `\n${texts.map((t) => `${step}${t},`).join('\n')}\n${base}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Where the result goes

/**
 * The expressions that hold the Endpoints (read) or EndpointsList (list) value the call returns: the references
 * of the variable it is stored in, or the expression itself when used in place.
 */
function valueSites(plan: EditPlan, found: EndpointsCall): ts.Expression[] {
  const listTwin = 'V1EndpointSliceList';
  const sf = plan.sf;
  const call = found.call;
  if (!ts.isAwaitExpression(call.parent)) {
    throw new CannotFix('its promise is not awaited where it is made (a `.then` chain or a returned promise), so its consumers cannot be followed', call);
  }
  let P: ts.Expression = call.parent;
  while (ts.isParenthesizedExpression(P.parent)) P = P.parent;
  const parent = P.parent;
  const refsOfDeclared = (decl: ts.VariableDeclaration, name: ts.Identifier): ts.Expression[] => {
    if (decl.type && found.kind === 'list') plan.retype(decl.type, listTwin);
    // The rebuilt value has the shape of V1Endpoints, so that annotation stays true (and its import used).
    else if (decl.type && clientNodeName(decl.type, plan.clientNode) !== 'V1Endpoints') {
      throw new CannotFix(`the value is annotated as \`${decl.type.getText(sf)}\``, decl.type);
    }
    const refs = referencesOf(name);
    if (refs.length === 0) throw new CannotFix(`its result \`${name.text}\` is never used`, name);
    return refs;
  };
  // `await core.readNamespacedEndpoints(...)` for its 404 alone (an existence check): the read keeps it.
  if (ts.isExpressionStatement(parent) && found.kind === 'read') return [];
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

/**
 * A use of a value that now holds what v1 Endpoints held for a Service (`endpointsOfSlices`): its `subsets` are
 * exactly the old ones, whatever is done with them; of its metadata only the Service's name and namespace exist.
 */
function endpointsValue(E: ts.Expression): void {
  let e: ts.Expression = E;
  while (ts.isNonNullExpression(e.parent)) e = e.parent;
  const p = e.parent;
  if (ts.isPropertyAccessExpression(p) && p.expression === e) {
    if (p.name.text === 'subsets') return;
    let m: ts.Node = p;
    while (ts.isNonNullExpression(m.parent)) m = m.parent;
    const field = ts.isPropertyAccessExpression(m.parent) && m.parent.expression === m ? m.parent.name.text : '';
    if (p.name.text === 'metadata' && (field === 'name' || field === 'namespace')) return;
  }
  throw new CannotFix(`the Endpoints value ${describeUse(e)}; from the slices only its subsets and its Service's name and namespace are rebuilt`, e);
}

const ITEM_CALLBACKS = new Set(['forEach', 'map', 'flatMap', 'filter', 'find', 'some', 'every']);

/**
 * A list of Endpoints, now of EndpointSlices: `L.items` becomes `endpointsOfSlices(L.items)`, one v1-Endpoints-like
 * item per Service, and each item is followed through a `for...of` or an array method's callback.
 */
function listItems(plan: EditPlan, L: ts.Expression, slicesFn: string): void {
  let e: ts.Expression = L;
  while (ts.isNonNullExpression(e.parent)) e = e.parent;
  const items = e.parent;
  if (!ts.isPropertyAccessExpression(items) || items.name.text !== 'items') {
    throw new CannotFix(`the Endpoints list ${describeUse(e)}`, e);
  }
  plan.replace(items.getStart(plan.sf), items.getStart(plan.sf), `${slicesFn}(`);
  plan.replace(items.end, items.end, ')');
  const up = items.parent;
  if (ts.isForOfStatement(up) && up.expression === items) {
    const init = up.initializer;
    if (ts.isVariableDeclarationList(init) && init.declarations.length === 1 && ts.isIdentifier(init.declarations[0].name)) {
      for (const ref of referencesOf(init.declarations[0].name)) endpointsValue(ref);
      return;
    }
  }
  if (ts.isPropertyAccessExpression(up) && up.expression === items) {
    if (up.name.text === 'length') return;
    const call = up.parent;
    if (ITEM_CALLBACKS.has(up.name.text) && ts.isCallExpression(call) && call.expression === up && call.arguments.length === 1) {
      const fn = call.arguments[0];
      if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.parameters.length === 1 && ts.isIdentifier(fn.parameters[0].name)) {
        for (const ref of referencesOf(fn.parameters[0].name)) endpointsValue(ref);
        return;
      }
    }
  }
  throw new CannotFix(`\`${items.getText()}\` ${describeUse(items).replace(/^line \d+ /, '')}, which slicefix cannot follow`, items);
}
