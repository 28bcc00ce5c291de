/**
 * controller-runtime: `r.Get(ctx, key, ep)` of an Endpoints →
 * `r.List(ctx, ep, client.InNamespace(key.Namespace), client.MatchingLabels{discoveryv1.LabelServiceName: key.Name})`
 * with `ep` declared as a `discoveryv1.EndpointSliceList`, and the code that reads `ep` rewritten to range over the
 * slices (see src/go/consumers.ts). Also `Owns(&corev1.Endpoints{})` → `Owns(&discoveryv1.EndpointSlice{})`.
 */
import type { Node } from 'web-tree-sitter';
import { keepNotFound, rewriteConsumers } from '../src/go/consumers.js';
import { ensureImport, mergeImportInserts, PKG } from '../src/go/imports.js';
import { children, declaredInFunction, fileNames, fitsFileWidth, indentOf, methodCall, snippet } from '../src/go/syntax.js';
import type { GoAst } from '../src/languages/go.js';
import type { Edit } from '../src/types.js';
import { pushAll } from '../src/push-all.js';

export interface EndpointsVariable {
  /** The identifier declared. */
  name: Node;
  /** The statement declaring it (`ep := &corev1.Endpoints{}` or `var ep corev1.Endpoints`). */
  declaration: Node;
  /** The `corev1.Endpoints` type node inside the declaration. */
  type: Node;
}

/** `namespace` and `name` expressions of a NamespacedName/ObjectKey argument. */
function keyParts(key: Node): { namespace: string; name: string } | undefined {
  if (key.type === 'identifier' || key.type === 'selector_expression') return { namespace: `${key.text}.Namespace`, name: `${key.text}.Name` };
  if (key.type === 'composite_literal') {
    const parts: Record<string, string> = {};
    for (const element of children(key.childForFieldName('body')!)) {
      if (element.type !== 'keyed_element') continue;
      const [k, v] = children(element);
      parts[k.text] = v.text;
    }
    if (parts.Namespace && parts.Name) return { namespace: parts.Namespace, name: parts.Name };
  }
  return undefined;
}

export function ownsEndpointSlice(ast: GoAst, literal: Node): Edit[] | string {
  const discovery = ensureImport(ast.text, ast.imports, PKG.discovery, 'discoveryv1', fileNames(ast));
  if (typeof discovery === 'string') return discovery;
  return [{ start: literal.startIndex, end: literal.endIndex, text: `&${discovery.name}.EndpointSlice{}` }, ...discovery.edits];
}

export function crGetToListSlices(ast: GoAst, call: Node, variable: EndpointsVariable, errVar: Node | undefined, errDeclaration: Node): Edit[] | string {
  const get = methodCall(call)!;
  if (get.args.length !== 3) return 'Get is called with options, which have no List equivalent slicefix can prove';
  const [, key, object] = get.args;
  const parts = keyParts(key);
  if (!parts) return `the key \`${snippet(key)}\` is not a NamespacedName variable or literal`;
  const taken = fileNames(ast);
  const discovery = ensureImport(ast.text, ast.imports, PKG.discovery, 'discoveryv1', taken);
  if (typeof discovery === 'string') return discovery;
  const client = ensureImport(ast.text, ast.imports, PKG.crClient, 'client', taken);
  if (typeof client === 'string') return client;
  for (const pkg of [discovery.name, client.name]) {
    if (declaredInFunction(call, pkg)) return `\`${pkg}\` is a variable of this function, which hides the package \`${pkg}\` the rewrite needs`;
  }
  const edits: Edit[] = [
    { start: variable.type.startIndex, end: variable.type.endIndex, text: `${discovery.name}.EndpointSliceList` },
    { start: get.field.startIndex, end: get.field.endIndex, text: 'List' },
    {
      start: key.startIndex,
      end: object.endIndex,
      text: `${object.text}, ${client.name}.InNamespace(${parts.namespace}), ${client.name}.MatchingLabels{${discovery.name}.LabelServiceName: ${parts.name}}`,
    },
    ...discovery.edits,
    ...client.edits,
  ];
  const inIf = errDeclaration.parent?.type === 'if_statement';
  const extra = errVar ? ` || len(${variable.name.text}.Items) == 0` : '';
  if (!fitsFileWidth(ast.text, call.startIndex, edits, inIf ? extra : '')) {
    // Wider than the file's widest line: the label goes on a line of its own, as gofmt keeps it.
    const indent = indentOf(ast.text, errDeclaration.startIndex);
    edits[2].text =
      `${object.text}, ${client.name}.InNamespace(${parts.namespace}), ${client.name}.MatchingLabels{` +
      `\n${indent}\t${discovery.name}.LabelServiceName: ${parts.name},\n${indent}}`;
  }
  const v = variable.name.text;
  const consumers = rewriteConsumers(ast, {
    variable: v,
    declaration: variable.declaration,
    handled: [variable.name, object],
    items: `${v}.Items`,
  });
  if (typeof consumers === 'string') return consumers;
  pushAll(edits, consumers);
  if (errVar) {
    const notFound = keepNotFound(ast, { statement: errDeclaration, errVar: errVar.text, empty: `len(${v}.Items) == 0`, name: parts.name }, taken);
    if (typeof notFound === 'string') return notFound;
    pushAll(edits, notFound);
  }
  return mergeImportInserts(edits);
}
