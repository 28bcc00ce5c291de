/** Small helpers over tree-sitter-go nodes, shared by the Go rules and codemods. */
import type { Node } from 'web-tree-sitter';
import type { GoAst } from '../languages/go.js';
import { pathOfName } from './imports.js';

/**
 * Every node access through web-tree-sitter crosses into WebAssembly and builds new objects, and the four Go
 * rules each search the same trees for the same node types (profiled: most of a Go-heavy scan went there).
 * Searches are memoised for the current tree (trees are never edited) by node id, unique within a tree.
 */
let memoTree: object | undefined;
let memo = new Map<string, Node[]>();

/** Remembers answers for the tree being checked only: rules check one file at a time, so memory stays flat. */
function remembered(node: Node, key: string, compute: () => Node[]): Node[] {
  if (node.tree !== memoTree) {
    memoTree = node.tree;
    memo = new Map();
  }
  const id = `${node.id}:${key}`;
  let answer = memo.get(id);
  if (!answer) {
    answer = compute();
    memo.set(id, answer);
  }
  return answer;
}

export function children(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null);
}

export function descendants(node: Node, types: string | string[]): Node[] {
  const key = typeof types === 'string' ? types : types.join(',');
  return remembered(node, key, () => node.descendantsOfType(types).filter((c): c is Node => c !== null));
}

export function same(a: Node | null | undefined, b: Node | null | undefined): boolean {
  return !!a && !!b && a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
}

export function contains(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** `pkg.Name` as a qualified type or a selector on a package name: `{ pkg, name }`, else undefined. */
export function qualified(node: Node | null): { pkg: string; name: string } | undefined {
  if (!node) return undefined;
  if (node.type === 'qualified_type') {
    const pkg = node.childForFieldName('package');
    const name = node.childForFieldName('name');
    if (pkg && name) return { pkg: pkg.text, name: name.text };
  }
  if (node.type === 'selector_expression') {
    const operand = node.childForFieldName('operand');
    const field = node.childForFieldName('field');
    if (operand?.type === 'identifier' && field) return { pkg: operand.text, name: field.text };
  }
  return undefined;
}

/** Whether `node` names `path`'s exported `name` (through whatever alias this file imports it under). */
export function isPackageMember(ast: GoAst, node: Node | null, path: string, names: string | string[]): boolean {
  const q = qualified(node);
  if (!q) return false;
  const wanted = Array.isArray(names) ? names : [names];
  return wanted.includes(q.name) && pathOfName(ast.imports, q.pkg) === path;
}

/** For `recv.Method(args)`: the receiver, method name and argument nodes. */
export function methodCall(node: Node | null): { receiver: Node; method: string; field: Node; args: Node[]; argList: Node } | undefined {
  if (!node || node.type !== 'call_expression') return undefined;
  const fn = node.childForFieldName('function');
  const argList = node.childForFieldName('arguments');
  if (!fn || fn.type !== 'selector_expression' || !argList) return undefined;
  const receiver = fn.childForFieldName('operand');
  const field = fn.childForFieldName('field');
  if (!receiver || !field) return undefined;
  return { receiver, method: field.text, field, args: children(argList).filter((c) => c.type !== 'comment'), argList };
}

/** When `node` is the receiver of a method call (`node.M(...)`), that call. */
export function callOn(node: Node): { call: Node; method: string; field: Node; args: Node[] } | undefined {
  const selector = node.parent;
  if (!selector || selector.type !== 'selector_expression' || !same(selector.childForFieldName('operand'), node)) return undefined;
  const call = selector.parent;
  if (!call || call.type !== 'call_expression' || !same(call.childForFieldName('function'), selector)) return undefined;
  const m = methodCall(call);
  return m ? { call, method: m.method, field: m.field, args: m.args } : undefined;
}

/** Parentheses do not change meaning: the outermost expression that is `node` in parentheses. */
export function unparen(node: Node): Node {
  let n = node;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  return n;
}

export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The whitespace that starts the line `offset` is on. */
export function indentOf(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** The innermost function (declaration, method or literal) body around `node`. */
export function enclosingFunctionBody(node: Node): Node | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_declaration' || n.type === 'method_declaration' || n.type === 'func_literal') {
      return n.childForFieldName('body') ?? undefined;
    }
  }
  return undefined;
}

/** The statement inside a block that holds `node`. */
export function enclosingStatement(node: Node): Node | undefined {
  for (let n: Node | null = node; n; n = n.parent) {
    const p = n.parent;
    if (p && (p.type === 'block' || p.type === 'statement_list')) return n;
  }
  return undefined;
}

/** Identifiers named `name` inside `scope` (not field names, which tree-sitter types apart). */
export function identifiersNamed(scope: Node, name: string): Node[] {
  return descendants(scope, 'identifier').filter((n) => n.text === name);
}

/** Every identifier-like text in a node, for picking names that cannot collide. */
export function namesIn(scope: Node): Set<string> {
  return new Set(descendants(scope, ['identifier', 'package_identifier', 'type_identifier', 'field_identifier']).map((n) => n.text));
}

export function uniqueName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`;
}

/** A one-line excerpt of code for messages. */
export function snippet(node: Node, max = 60): string {
  const flat = node.text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The statements of a block (tree-sitter-go ≥ 0.23 wraps them in a statement_list). */
export function statementsOf(block: Node): Node[] {
  const list = children(block).find((c) => c.type === 'statement_list');
  return (list ? children(list) : children(block)).filter((c) => c.type !== 'comment');
}
