/**
 * `ep, err := X.CoreV1().Endpoints(ns).Get(ctx, name, metav1.GetOptions{})` →
 * `ep, err := X.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + name})`,
 * together with the code that reads `ep` (see src/go/consumers.ts). Pure: returns edits or the reason it cannot.
 */
import type { Node } from 'web-tree-sitter';
import { keepNotFound, rewriteConsumers } from '../src/go/consumers.js';
import { ensureImport, mergeImportInserts, PKG } from '../src/go/imports.js';
import { children, fileNames, fitsFileWidth, indentOf, isPackageMember, methodCall, qualified, snippet, uniqueName } from '../src/go/syntax.js';
import type { GoAst } from '../src/languages/go.js';
import type { Edit } from '../src/types.js';
import { pushAll } from '../src/push-all.js';

export interface EndpointsClientCall {
  /** `X.CoreV1().Endpoints(ns)` */
  endpoints: Node;
  /** `X.CoreV1()` */
  coreV1: Node;
  /** `....Get(ctx, name, opts)` */
  call: Node;
}

/** The statement `v, err := <call>` that declares the call's results, if that is how the call is used. */
export function declaredResults(call: Node): { statement: Node; variable: Node; errVar?: Node } | undefined {
  const list = call.parent;
  const statement = list?.parent;
  if (list?.type !== 'expression_list' || statement?.type !== 'short_var_declaration') return undefined;
  if (children(list).length !== 1) return undefined;
  const left = children(statement.childForFieldName('left')!);
  if (left.length !== 2 || left[0].type !== 'identifier') return undefined;
  return { statement, variable: left[0], errVar: left[1].text === '_' ? undefined : left[1] };
}

/** Renames the chain's `CoreV1` → `DiscoveryV1` and `Endpoints` → `EndpointSlices`, keeping its line breaks. */
export function renameChain(site: EndpointsClientCall): Edit[] {
  const core = methodCall(site.coreV1)!;
  const endpoints = methodCall(site.endpoints)!;
  return [
    { start: core.field.startIndex, end: core.field.endIndex, text: 'DiscoveryV1' },
    { start: endpoints.field.startIndex, end: endpoints.field.endIndex, text: 'EndpointSlices' },
  ];
}

export function getEndpointsToListSlices(ast: GoAst, site: EndpointsClientCall): Edit[] | string {
  const get = methodCall(site.call)!;
  if (get.args.length !== 3) return 'Get is not called with (ctx, name, options)';
  const [, name, options] = get.args;
  const optionsType = options.type === 'composite_literal' ? options.childForFieldName('type') : null;
  if (!isPackageMember(ast, optionsType, PKG.metav1, 'GetOptions') || children(options.childForFieldName('body')!).length > 0) {
    return `the GetOptions \`${snippet(options)}\` are not empty, and have no ListOptions equivalent slicefix can prove`;
  }
  const metav1 = qualified(optionsType)!.pkg;
  const declared = declaredResults(site.call);
  if (!declared) return 'the result is not assigned with `ep, err := ...`';
  const taken = fileNames(ast);
  const discovery = ensureImport(ast.text, ast.imports, PKG.discovery, 'discoveryv1', taken);
  if (typeof discovery === 'string') return discovery;
  const variable = declared.variable.text;
  const edits: Edit[] = [
    ...renameChain(site),
    { start: get.field.startIndex, end: get.field.endIndex, text: 'List' },
    {
      start: name.startIndex,
      end: options.endIndex,
      text: `${metav1}.ListOptions{LabelSelector: ${discovery.name}.LabelServiceName + "=" + ${name.text}}`,
    },
    ...discovery.edits,
  ];
  const inIf = declared.statement.parent?.type === 'if_statement' && declared.errVar;
  if (!fitsFileWidth(ast.text, site.call.startIndex, edits, inIf ? ` || len(${variable === '_' ? 'slices' : variable}.Items) == 0` : '')) {
    // Wider than the file's widest line: the options go on a line of their own, as gofmt keeps them.
    const indent = indentOf(ast.text, declared.statement.startIndex);
    edits[3].text = `${metav1}.ListOptions{\n${indent}\tLabelSelector: ${discovery.name}.LabelServiceName + "=" + ${name.text},\n${indent}}`;
  }
  if (variable !== '_') {
    const consumers = rewriteConsumers(ast, {
      variable,
      errVar: declared.errVar?.text,
      declaration: declared.statement,
      handled: [declared.variable],
      items: `${variable}.Items`,
    });
    if (typeof consumers === 'string') return consumers;
    pushAll(edits, consumers);
  }
  if (declared.errVar) {
    // A discarded result is an existence check (`_, err := ...Get`): the NotFound needs the list itself.
    const list = variable === '_' ? uniqueName('slices', taken) : variable;
    const notFound = keepNotFound(ast, { statement: declared.statement, errVar: declared.errVar.text, empty: `len(${list}.Items) == 0`, name: name.text }, taken);
    if (typeof notFound === 'string') return notFound;
    if (variable === '_') edits.push({ start: declared.variable.startIndex, end: declared.variable.endIndex, text: list });
    pushAll(edits, notFound);
  }
  return mergeImportInserts(edits);
}
