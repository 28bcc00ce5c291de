/**
 * Codemod `ts-endpoints-watch`: a watch or an informer on core v1 Endpoints becomes one on EndpointSlices.
 * - `watch.watch('/api/v1/namespaces/NS/endpoints', { fieldSelector: 'metadata.name=S' }, (type, obj) => ...)`
 *   → `/apis/discovery.k8s.io/v1/namespaces/NS/endpointslices` with `labelSelector: 'kubernetes.io/service-name=S'`;
 *   the event object is now one slice, and the callback may use only what keeps its meaning (`eventObjectUse`).
 * - `makeInformer(kc, path, () => core.listNamespacedEndpoints(...))` and `new ListWatch(path, watch, fn)`: the
 *   path, the list function (moved to a DiscoveryV1Api client), the type argument and the `on(...)` handlers.
 * Anything else (a path fetched by hand, a single object by name, a handler defined elsewhere) is left alone with
 * the reason.
 */
import { ts } from '../src/ts/compiler.js';
import { ENDPOINTS_METHODS, SLICE_METHOD, generationOf, type EndpointsCall } from '../src/ts/analysis.js';
import type { ClientNodeFile } from '../src/ts/client-node.js';
import { EditPlan } from '../src/ts/edit-plan.js';
import type { EndpointsPath } from '../src/ts/rest-paths.js';
import { slicePathText } from '../src/ts/rest-paths.js';
import { CannotFix, describeUse, referencesOf } from '../src/ts/scope.js';
import { eventObjectUse } from '../src/ts/event-object.js';
import { discoveryClientFor, fieldToLabelSelector, rewriteArguments, type CodemodResult } from './ts-endpoints-client.js';

export function rewriteWatchPath(sf: ts.SourceFile, clientNode: ClientNodeFile, found: EndpointsPath, absPath: string): CodemodResult {
  try {
    const plan = new EditPlan(sf, clientNode, absPath);
    if (found.named) throw new CannotFix('it addresses one Endpoints object by name; a Service\'s slices are found by label, so the response changes shape');
    if (found.watchPrefix) throw new CannotFix('it uses the removed /api/v1/watch/ prefix; watch the slices with ?watch=true');
    const node = found.node;
    if (!ts.isStringLiteralLike(node) && !ts.isTemplateExpression(node)) throw new CannotFix('the path is built by concatenation');
    const use = pathUse(node);
    plan.replaceNode(node, slicePathText(node.getText(sf)));
    if (use.kind === 'watch') watchCall(plan, use.call);
    else informer(plan, use.call, use.pathIndex, absPath);
    return { edits: plan.finish() };
  } catch (error) {
    if (error instanceof CannotFix) return { reason: error.reason };
    throw error;
  }
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string {
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
}

/** The watch or informer call the path literal is given to, directly or through a `const`. */
function pathUse(literal: ts.Expression): { kind: 'watch' | 'informer'; call: ts.CallExpression | ts.NewExpression; pathIndex: number } {
  let arg: ts.Expression = literal;
  const decl = literal.parent;
  if (ts.isVariableDeclaration(decl) && decl.initializer === literal && ts.isIdentifier(decl.name)) {
    const refs = referencesOf(decl.name);
    if (refs.length !== 1) throw new CannotFix(`the path \`${decl.name.text}\` is used ${refs.length} times`, decl);
    arg = refs[0];
  }
  const call = arg.parent;
  if ((ts.isCallExpression(call) || ts.isNewExpression(call)) && call.arguments) {
    const index = call.arguments.indexOf(arg);
    const name = calleeName(call);
    if (ts.isCallExpression(call) && name === 'watch' && index === 0) return { kind: 'watch', call, pathIndex: 0 };
    if (name === 'makeInformer' && index === 1) return { kind: 'informer', call, pathIndex: 1 };
    if (name === 'ListWatch' && index === 0 && ts.isNewExpression(call)) return { kind: 'informer', call, pathIndex: 0 };
  }
  throw new CannotFix(`the path ${describeUse(arg).replace(/^line \d+ /, '')}, not a client-node watch or informer; the response becomes an EndpointSlice list, so rewrite its reader by hand`, arg);
}

/** `{ fieldSelector: 'metadata.name=x' }` → `{ labelSelector: 'kubernetes.io/service-name=x' }`. */
function watchQuery(plan: EditPlan, query: ts.Expression | undefined): void {
  if (!query) return;
  if (!ts.isObjectLiteralExpression(query)) throw new CannotFix('the watch query is not an object literal at the call', query);
  const field = query.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'fieldSelector');
  if (!field) return;
  if (!ts.isPropertyAssignment(field)) throw new CannotFix('the field selector is not written as `fieldSelector: ...`', field);
  if (query.properties.some((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'labelSelector')) {
    throw new CannotFix('the watch has both a field and a label selector', field);
  }
  plan.replaceNode(field, `labelSelector: ${fieldToLabelSelector(field.initializer, plan.sf)}`);
}

/** A callback whose parameter at `index` receives one object (now one slice). */
function objectParameter(plan: EditPlan, fn: ts.Expression | undefined, index: number, what: string): void {
  if (!fn) return;
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) throw new CannotFix(`the ${what} is defined elsewhere, so its use of the object cannot be followed`, fn);
  const param = fn.parameters[index];
  if (!param) return;
  if (!ts.isIdentifier(param.name)) throw new CannotFix(`the ${what} destructures the object`, param);
  if (param.type) plan.retype(param.type, 'V1EndpointSlice');
  for (const ref of referencesOf(param.name)) eventObjectUse(ref);
}

function watchCall(plan: EditPlan, call: ts.CallExpression | ts.NewExpression): void {
  const args = call.arguments ?? ts.factory.createNodeArray();
  watchQuery(plan, args[1]);
  objectParameter(plan, args[2], 1, 'watch callback');
}

function informer(plan: EditPlan, call: ts.CallExpression | ts.NewExpression, pathIndex: number, absPath: string): void {
  const args = call.arguments ?? ts.factory.createNodeArray();
  const isListWatch = ts.isNewExpression(call);
  // makeInformer(kc, path, listFn, labelSelector?, fieldSelector? (0.x)); new ListWatch(path, watch, listFn, autoStart?, labelSelector?, fieldSelector?)
  const listFn = args[pathIndex + (isListWatch ? 2 : 1)];
  const fieldSelector = args[isListWatch ? 5 : 4];
  if (fieldSelector && !(ts.isIdentifier(fieldSelector) && fieldSelector.text === 'undefined')) {
    throw new CannotFix('the informer filters with a field selector; EndpointSlices of a Service are found by the label kubernetes.io/service-name', fieldSelector);
  }
  for (const t of call.typeArguments ?? []) plan.retype(t, 'V1EndpointSlice');
  // The list function moves to a DiscoveryV1Api client with the path.
  if (!listFn || (!ts.isArrowFunction(listFn) && !ts.isFunctionExpression(listFn))) {
    throw new CannotFix('the informer\'s list function is defined elsewhere; it must list EndpointSlices too', listFn ?? call);
  }
  let body: ts.Node = listFn.body;
  if (ts.isBlock(body) && body.statements.length === 1 && ts.isReturnStatement(body.statements[0]) && body.statements[0].expression) {
    body = body.statements[0].expression;
  }
  if (!ts.isCallExpression(body) || !ts.isPropertyAccessExpression(body.expression) || ENDPOINTS_METHODS[body.expression.name.text] !== 'list') {
    throw new CannotFix('the informer\'s list function does not simply return listNamespacedEndpoints/listEndpointsForAllNamespaces', listFn);
  }
  const method = body.expression.name.text;
  const list: EndpointsCall = {
    call: body,
    method,
    kind: 'list',
    receiver: body.expression.expression,
    nameNode: body.expression.name,
    generation: generationOf(body, method, absPath),
  };
  const client = discoveryClientFor(plan, list.receiver);
  plan.replaceNode(list.receiver, client);
  plan.replaceNode(list.nameNode, SLICE_METHOD[method]);
  rewriteArguments(plan, list, `${client}.${SLICE_METHOD[method]}`);
  // Its handlers now receive slices.
  const holder = call.parent;
  if (!ts.isVariableDeclaration(holder) || holder.initializer !== call || !ts.isIdentifier(holder.name)) {
    throw new CannotFix(`the informer ${describeUse(call)}, so its handlers cannot be followed`, call);
  }
  for (const ref of referencesOf(holder.name)) {
    const access = ref.parent;
    const invoked = ts.isPropertyAccessExpression(access) && ts.isCallExpression(access.parent) && access.parent.expression === access;
    if (!invoked) throw new CannotFix(`the informer \`${holder.name.text}\` ${describeUse(ref)}`, ref);
    const method = access.name.text;
    const on = access.parent as ts.CallExpression;
    if (method === 'start' || method === 'stop') continue;
    if ((method === 'on' || method === 'off') && on.arguments.length === 2 && ts.isStringLiteralLike(on.arguments[0])) {
      const event = on.arguments[0].text;
      if (event === 'error' || event === 'connect') continue;
      if (['add', 'update', 'change', 'delete'].includes(event)) {
        objectParameter(plan, on.arguments[1], 0, `\`${event}\` handler`);
        continue;
      }
    }
    throw new CannotFix(`the informer's \`${method}\` (line ${on.getSourceFile().getLineAndCharacterOfPosition(on.getStart()).line + 1}) returns Endpoints objects`, on);
  }
}
