/**
 * Just enough scope analysis, without a type checker, to follow a value through a function: the references of a
 * local binding. Anything ambiguous (the name declared twice in the scope, the binding assigned again) makes the
 * caller give up rather than guess.
 */
import { ts } from './compiler.js';

export class CannotFix extends Error {
  constructor(
    readonly reason: string,
    readonly at?: ts.Node,
  ) {
    super(reason);
  }
}

function isFunctionLike(node: ts.Node): boolean {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** The node whose subtree holds every reference of a binding declared by `name`. */
export function scopeOf(name: ts.Identifier): ts.Node {
  let decl: ts.Node = name.parent;
  while (ts.isBindingElement(decl) || ts.isObjectBindingPattern(decl) || ts.isArrayBindingPattern(decl)) decl = decl.parent;
  if (ts.isParameter(decl)) return decl.parent;
  if (ts.isVariableDeclaration(decl)) {
    const list = decl.parent;
    if (ts.isVariableDeclarationList(list)) {
      const isVar = (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0;
      if (ts.isForOfStatement(list.parent) || ts.isForInStatement(list.parent) || ts.isForStatement(list.parent)) {
        return isVar ? enclosingFunctionOrFile(list.parent) : list.parent;
      }
      if (isVar) return enclosingFunctionOrFile(list);
      return list.parent.parent; // VariableStatement → its block, source file, case clause or module block
    }
  }
  if (ts.isCatchClause(decl)) return decl;
  return enclosingFunctionOrFile(decl);
}

function enclosingFunctionOrFile(node: ts.Node): ts.Node {
  let n: ts.Node | undefined = node.parent;
  while (n && !isFunctionLike(n) && !ts.isSourceFile(n)) n = n.parent;
  return n ?? node.getSourceFile();
}

/** Whether `id` is a name being declared (not a use). */
export function isDeclarationName(id: ts.Identifier): boolean {
  const p = id.parent;
  return (
    ((ts.isVariableDeclaration(p) ||
      ts.isParameter(p) ||
      ts.isBindingElement(p) ||
      ts.isFunctionDeclaration(p) ||
      ts.isFunctionExpression(p) ||
      ts.isClassDeclaration(p) ||
      ts.isClassExpression(p) ||
      ts.isImportSpecifier(p) ||
      ts.isImportClause(p) ||
      ts.isNamespaceImport(p) ||
      ts.isImportEqualsDeclaration(p) ||
      ts.isInterfaceDeclaration(p) ||
      ts.isTypeAliasDeclaration(p) ||
      ts.isEnumDeclaration(p)) &&
      (p as ts.NamedDeclaration).name === id) ||
    (ts.isBindingElement(p) && p.propertyName === id)
  );
}

/** Whether `id` is a property name rather than a variable (`a.id`, `{ id: 1 }`, `class { id }`). */
function isPropertyName(id: ts.Identifier): boolean {
  const p = id.parent;
  return (
    (ts.isPropertyAccessExpression(p) && p.name === id) ||
    (ts.isPropertyAssignment(p) && p.name === id) ||
    (ts.isPropertyDeclaration(p) && p.name === id) ||
    (ts.isMethodDeclaration(p) && p.name === id) ||
    (ts.isPropertySignature(p) && p.name === id) ||
    (ts.isQualifiedName(p) && p.right === id) ||
    (ts.isGetAccessorDeclaration(p) && p.name === id) ||
    (ts.isSetAccessorDeclaration(p) && p.name === id) ||
    ts.isLabeledStatement(p) ||
    ts.isBreakOrContinueStatement(p)
  );
}

/**
 * Every use of the binding declared by `name`. Throws CannotFix when the scope declares the same name again
 * (a shadowing we would have to resolve) or assigns to it (its value is then not the one we follow).
 */
export function referencesOf(name: ts.Identifier): ts.Identifier[] {
  // A client used by thousands of calls is asked for its references once per call: answer from the first time.
  let known = knownReferences.get(name);
  if (!known) {
    try {
      known = { refs: findReferences(name) };
    } catch (error) {
      if (!(error instanceof CannotFix)) throw error;
      known = { error };
    }
    knownReferences.set(name, known);
  }
  if (known.error) throw known.error;
  return [...known.refs!];
}

const knownReferences = new WeakMap<ts.Identifier, { refs?: ts.Identifier[]; error?: CannotFix }>();

function findReferences(name: ts.Identifier): ts.Identifier[] {
  const scope = scopeOf(name);
  const refs: ts.Identifier[] = [];
  const named = identifiersNamed(name.getSourceFile(), name.text);
  // In file order: the scope's identifiers are one run of the list, found by binary search.
  let lo = 0;
  let hi = named.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (named[mid].pos < scope.pos) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < named.length && named[i].end <= scope.end; i++) {
    const node = named[i];
    if (node === name) continue;
    if (isDeclarationName(node)) {
      throw new CannotFix(`\`${name.text}\` is declared more than once in the same scope`, node);
    }
    if (isPropertyName(node)) continue;
    const p = node.parent;
    if (
      ts.isBinaryExpression(p) &&
      p.left === node &&
      p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      p.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    ) {
      throw new CannotFix(`\`${name.text}\` is assigned again`, node);
    }
    refs.push(node);
  }
  return refs;
}

const identifierIndex = new WeakMap<ts.SourceFile, Map<string, ts.Identifier[]>>();

/**
 * Every identifier of the file spelt `text`, in file order. Built in one walk per file: codemods ask for the
 * uses of a name once per call they rewrite, and walking the whole file each time made a file with thousands of
 * Endpoints calls quadratic (4k calls: 28 s).
 */
export function identifiersNamed(sf: ts.SourceFile, text: string): readonly ts.Identifier[] {
  let index = identifierIndex.get(sf);
  if (!index) {
    const built = new Map<string, ts.Identifier[]>();
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) {
        const same = built.get(node.text);
        if (same) same.push(node);
        else built.set(node.text, [node]);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    identifierIndex.set(sf, built);
    index = built;
  }
  return index.get(text) ?? [];
}

/** The line's indentation at `pos`. */
export function indentAt(text: string, pos: number): string {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** A short description of where a value goes, for "left alone" messages. */
export function describeUse(node: ts.Node): string {
  const p = node.parent;
  const sf = node.getSourceFile();
  const line = sf.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  let what: string;
  if (ts.isReturnStatement(p)) what = 'is returned';
  else if (ts.isCallExpression(p) && p.arguments.includes(node as ts.Expression)) what = 'is passed to a function';
  else if (ts.isPropertyAccessExpression(p)) what = `reads \`.${p.name.text}\``;
  else if (ts.isShorthandPropertyAssignment(p) || ts.isPropertyAssignment(p)) what = 'is stored in an object';
  else if (ts.isVariableDeclaration(p)) what = 'is copied to another variable';
  else if (ts.isElementAccessExpression(p)) what = 'is indexed';
  else what = `is used in \`${p.getText().slice(0, 40)}\``;
  return `line ${line} ${what}`;
}
