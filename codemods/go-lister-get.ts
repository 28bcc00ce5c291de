/**
 * `ep, err := lister.Endpoints(ns).Get(name)` →
 * `ep, err := lister.EndpointSlices(ns).List(labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: name}))`,
 * with the code that reads `ep` rewritten to range over the slices (see src/go/consumers.ts). A lister's List
 * never reports NotFound, so no slice becomes the lister's own NotFound error (see keepNotFound).
 */
import type { Node } from 'web-tree-sitter';
import { keepNotFound, rewriteConsumers } from '../src/go/consumers.js';
import { ensureImport, mergeImportInserts, PKG } from '../src/go/imports.js';
import { fileNames, fitsFileWidth, indentOf, methodCall } from '../src/go/syntax.js';
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
  if (!fitsFileWidth(ast.text, getCall.startIndex, edits, declared.errVar ? ` || len(${variable}) == 0` : '')) {
    // Wider than the file's widest line: the label goes on a line of its own, as gofmt keeps it.
    const indent = indentOf(ast.text, declared.statement.startIndex);
    edits[2].text = `${labels.name}.SelectorFromSet(${labels.name}.Set{\n${indent}\t${discovery.name}.LabelServiceName: ${name},\n${indent}})`;
  }
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
    const notFound = keepNotFound(ast, { statement: declared.statement, errVar: declared.errVar.text, empty: `len(${variable}) == 0`, name }, taken);
    if (typeof notFound === 'string') return notFound;
    pushAll(edits, notFound);
  }
  return mergeImportInserts(edits);
}
