/**
 * `ep, err := lister.Endpoints(ns).Get(name)` →
 * `ep, err := lister.EndpointSlices(ns).List(labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: name}))`,
 * with the code that reads `ep` rewritten to range over the slices (see src/go/consumers.ts). A lister's List
 * never reports NotFound, so `IsNotFound(err)` becomes `len(ep) == 0`.
 */
import type { Node } from 'web-tree-sitter';
import { rewriteConsumers, rewriteNotFound } from '../src/go/consumers.js';
import { ensureImport, PKG } from '../src/go/imports.js';
import { fileNames, methodCall } from '../src/go/syntax.js';
import type { GoAst } from '../src/languages/go.js';
import type { Edit } from '../src/types.js';
import { declaredResults } from './go-get-endpoints.js';
import { pushAll } from '../src/push-all.js';

export function listerGetToListSlices(ast: GoAst, endpointsCall: Node, getCall: Node): Edit[] | string {
  const endpoints = methodCall(endpointsCall)!;
  const get = methodCall(getCall)!;
  const declared = declaredResults(getCall);
  if (!declared) return 'the result is not assigned with `ep, err := ...`';
  const taken = fileNames(ast);
  const discovery = ensureImport(ast.text, ast.imports, PKG.discovery, 'discoveryv1', taken);
  if (typeof discovery === 'string') return discovery;
  const labels = ensureImport(ast.text, ast.imports, PKG.labels, 'labels', taken);
  if (typeof labels === 'string') return labels;
  const name = get.args[0].text;
  const variable = declared.variable.text;
  const edits: Edit[] = [
    { start: endpoints.field.startIndex, end: endpoints.field.endIndex, text: 'EndpointSlices' },
    { start: get.field.startIndex, end: get.field.endIndex, text: 'List' },
    {
      start: get.args[0].startIndex,
      end: get.args[0].endIndex,
      text: `${labels.name}.SelectorFromSet(${labels.name}.Set{${discovery.name}.LabelServiceName: ${name}})`,
    },
    ...discovery.edits,
    ...labels.edits,
  ];
  const consumers = rewriteConsumers(ast, {
    variable,
    errVar: declared.errVar?.text,
    declaration: declared.statement,
    handled: [declared.variable],
    items: variable,
  });
  if (typeof consumers === 'string') return consumers;
  pushAll(edits, consumers);
  if (declared.errVar) {
    const notFound = rewriteNotFound(ast, declared.statement, declared.errVar.text, `len(${variable}) == 0`);
    if (typeof notFound === 'string') return notFound;
    pushAll(edits, notFound);
  }
  return edits;
}
