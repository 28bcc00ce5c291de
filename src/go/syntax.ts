/** Small helpers over tree-sitter-go nodes, shared by the Go rules and codemods. */
import type { Node } from 'web-tree-sitter';
import type { GoAst } from '../languages/go.js';
import type { Edit } from '../types.js';
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

function isWordCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

/** How `wordRanges` and `leavesAt` match: see `wordRanges`. */
export interface WordMatch {
  /** Also match where a longer word starts with one of the words (`AddEventHandler` in `AddEventHandlerWithOptions`). */
  prefix?: boolean;
  /** Also match right after a word character. */
  anyStart?: boolean;
}

/**
 * Where `words` occur in `text` as whole words: no `[A-Za-z0-9_]` just before (unless `anyStart`) nor just after
 * (unless `prefix`). Gives `[start, end)` of each, ascending by start, one per start. Offsets are UTF-16 code
 * units, as JS strings count: so are a tree's indices when web-tree-sitter parsed it from a JS string (its
 * WebAssembly side counts the bytes of UTF-16, two per unit).
 */
export function wordRanges(text: string, words: readonly string[], match: WordMatch = {}): [number, number][] {
  const found: [number, number][] = [];
  for (const word of words) {
    if (!word) continue;
    for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
      if (!match.anyStart && at > 0 && isWordCode(text.charCodeAt(at - 1))) continue;
      if (!match.prefix && isWordCode(text.charCodeAt(at + word.length))) continue;
      found.push([at, at + word.length]);
    }
  }
  if (words.length < 2) return found;
  found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return found.filter((r, i) => i === 0 || r[0] !== found[i - 1][0]);
}

/**
 * Text anchors. The Go rules look for a few names (`Endpoints`, `EndpointsLister`, `NewListWatchFromClient`,
 * ...), and a whole-tree search (`descendants(root, 'call_expression')` and a look at each call) builds a JS
 * object for every call of the file and asks WebAssembly for its fields: profiled, that was most of the Go
 * rules' time on a large repository. A node named by one of those words sits where the word is in the text, so
 * searching the text and climbing from the leaf there touches a handful of nodes instead.
 *
 * `leavesAt` gives the innermost nodes that span exactly an occurrence of one of `words` (with `prefix`, that
 * start with one): the identifiers, field, type and package identifiers of those names, and perhaps the content
 * of a string that is just the word. An occurrence inside a comment or a longer string has none, since that node
 * starts before the word.
 *
 * An identifier token never continues with `[A-Za-z0-9_]` (the lexer takes the longest one), so the end check
 * loses nothing. One can follow a word character only after a number literal (`0xFFname`, never valid Go): the
 * start check is safe for names after a `.` (a field, a method, a qualified type's name), and `anyStart` drops it
 * for names that may stand anywhere.
 */
export function leavesAt(ast: GoAst, words: readonly string[], match: WordMatch = {}): Node[] {
  const leaves: Node[] = [];
  for (const [start, end] of wordRanges(ast.text, words, match)) {
    const leaf = ast.root.descendantForIndex(start, end);
    if (!leaf || leaf.startIndex !== start) continue;
    const leafEnd = leaf.endIndex;
    if (match.prefix ? leafEnd < end : leafEnd !== end) continue;
    leaves.push(leaf);
  }
  return leaves;
}

/**
 * Nodes in the order `descendantsOfType` returns them (pre-order: an ancestor before its descendants, then by
 * position), each once. Two distinct nodes of the types searched here never share a range.
 */
function inTreeOrder(nodes: Node[]): Node[] {
  const seen = new Set<number>();
  const unique = nodes.filter((n) => !seen.has(n.id) && (seen.add(n.id), true));
  const ends = new Map(unique.map((n) => [n.id, n.endIndex]));
  return unique.sort((a, b) => a.startIndex - b.startIndex || ends.get(b.id)! - ends.get(a.id)!);
}

/**
 * `pkg.Name` nodes (`qualified_type`, `selector_expression`, as `types` says) whose name is one of `words`, in
 * tree order: every node of those types that `qualified(node)?.name` would find in `words`, and perhaps a few
 * more (callers keep their own checks).
 */
export function qualifiedNamed(ast: GoAst, words: readonly string[], types: readonly ('qualified_type' | 'selector_expression')[]): Node[] {
  return remembered(ast.root, `qualifiedNamed:${types.join(',')}:${words.join(',')}`, () => {
    const found: Node[] = [];
    for (const leaf of leavesAt(ast, words)) {
      const parent = leaf.parent;
      if (parent && (types as string[]).includes(parent.type)) found.push(parent);
    }
    return inTreeOrder(found);
  });
}

/**
 * Calls whose function is `x.Name` (a selector, or a qualified type as tree-sitter may read `pkg.Name`) with a
 * name in `words` (with `prefix`, starting with one), in tree order: a superset of the calls of
 * `descendants(root, 'call_expression')` that `methodCall(c)?.method` or `isPackageMember(ast, c.function, ...)`
 * would find in `words`, so callers keep their own checks and see the same calls in the same order.
 */
export function callsNamed(ast: GoAst, words: readonly string[], prefix = false): Node[] {
  return remembered(ast.root, `callsNamed:${prefix}:${words.join(',')}`, () => {
    const found: Node[] = [];
    for (const leaf of leavesAt(ast, words, { prefix })) {
      const fn = leaf.parent;
      if (!fn || (fn.type !== 'selector_expression' && fn.type !== 'qualified_type')) continue;
      const call = fn.parent;
      if (call?.type === 'call_expression') found.push(call);
    }
    return inTreeOrder(found);
  });
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

/** Identifiers named `name` inside `scope` (not field names, which tree-sitter types apart). */
export function identifiersNamed(scope: Node, name: string): Node[] {
  return descendants(scope, 'identifier').filter((n) => n.text === name);
}

const NAME_TYPES = ['identifier', 'package_identifier', 'type_identifier', 'field_identifier'];

/** Every identifier-like text in a node, for picking names that cannot collide. */
export function namesIn(scope: Node): Set<string> {
  return new Set(descendants(scope, NAME_TYPES).map((n) => n.text));
}

/** Names a new identifier must not collide with. */
export interface TakenNames {
  has(name: string): boolean;
}

const fileNameAnswers = new WeakMap<GoAst, Map<string, boolean>>();

/**
 * `namesIn(ast.root)`, asked one name at a time: a fix asks about a few names (`discoveryv1`, `slice2`, ...),
 * and only a file with something to fix asks at all, so the file's every identifier is never listed. A name is
 * taken when some occurrence of it in the text is an identifier-like node (see `leavesAt`).
 */
export function fileNames(ast: GoAst): TakenNames {
  let answers = fileNameAnswers.get(ast);
  if (!answers) fileNameAnswers.set(ast, (answers = new Map()));
  const known = answers;
  return {
    has(name: string): boolean {
      let taken = known.get(name);
      if (taken === undefined) {
        taken = leavesAt(ast, [name], { anyStart: true }).some((leaf) => NAME_TYPES.includes(leaf.type));
        known.set(name, taken);
      }
      return taken;
    },
  };
}

export function uniqueName(base: string, taken: TakenNames): string {
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

/**
 * Whether `name` is declared by the function around `node` (a receiver, a parameter, a result or a local): there it
 * shadows a package of that name, so `name.X` written into the function would not reach the package.
 */
export function declaredInFunction(node: Node, name: string): boolean {
  let fn: Node | null = node.parent;
  while (fn && fn.type !== 'function_declaration' && fn.type !== 'method_declaration' && fn.type !== 'func_literal') fn = fn.parent;
  for (let f: Node | null = fn; f; f = f.parent) {
    if (f.type !== 'function_declaration' && f.type !== 'method_declaration' && f.type !== 'func_literal') continue;
    for (const declared of descendants(f, ['parameter_declaration', 'short_var_declaration', 'var_spec', 'const_spec', 'range_clause'])) {
      const names =
        declared.type === 'parameter_declaration' || declared.type === 'var_spec' || declared.type === 'const_spec'
          ? children(declared).filter((c) => c.type === 'identifier')
          : children(declared.childForFieldName('left') ?? declared).filter((c) => c.type === 'identifier');
      if (names.some((n) => n.text === name)) return true;
    }
  }
  return false;
}

/** How wide a line is, a tab counting as gofmt's editors show it (4 columns): for keeping to a file's own width. */
function lineWidth(line: string): number {
  return line.replace(/\t/g, '    ').length;
}

/**
 * Whether the line that `at` is on stays within the widest line of the file as it was, once `edits` (those on that
 * line) are applied and `extra` is appended: generated code keeps to the file's own width.
 */
export function fitsFileWidth(text: string, at: number, edits: readonly Edit[], extra = ''): boolean {
  const widest = Math.max(...text.split('\n').map(lineWidth));
  const from = lineStart(text, at);
  const newline = text.indexOf('\n', at);
  const to = newline === -1 ? text.length : newline;
  let line = text.slice(from, to);
  for (const e of [...edits].filter((e) => e.start >= from && e.end <= to).sort((x, y) => y.start - x.start)) {
    line = line.slice(0, e.start - from) + e.text + line.slice(e.end - from);
  }
  return lineWidth(line + extra) <= widest;
}
