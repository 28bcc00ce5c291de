/**
 * What a TS/JS file knows about `@kubernetes/client-node`: how it imports it, which of its clients it creates, and
 * which API generation it speaks. Shared by the `endpoints-ts-*` rules and the `ts-*` codemods.
 *
 * Without a type checker, slicefix trusts a call like `x.readNamespacedEndpoints(...)` only when the file imports
 * or requires the package, or imports a local module that does (the module that created the client and handed it
 * over). A method of the right name in an unrelated file is not enough.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ts } from './compiler.js';
import { pushAll } from '../push-all.js';

export const PACKAGE = '@kubernetes/client-node';

export type ImportStyle = 'esm-named' | 'esm-namespace' | 'cjs-destructure' | 'cjs-namespace';

export interface ClientNodeImport {
  style: ImportStyle;
  /** The `{ ... }` of a named import or of a destructuring require, where new names are added. */
  bindings?: ts.NamedImports | ts.ObjectBindingPattern;
  /** Local name of the namespace (`k8s` in `import * as k8s`, `const k8s = require(...)`). */
  namespace?: string;
  typeOnly: boolean;
}

export interface ClientNodeFile {
  imports: ClientNodeImport[];
  /** local name → exported name, for names imported one by one. */
  named: Map<string, string>;
  namespaces: Set<string>;
}

function isPackageSpecifier(node: ts.Node | undefined): boolean {
  return !!node && ts.isStringLiteralLike(node) && node.text === PACKAGE;
}

function isRequireOfPackage(node: ts.Node | undefined): boolean {
  return (
    !!node &&
    ts.isCallExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'require' &&
    node.arguments.length === 1 &&
    isPackageSpecifier(node.arguments[0])
  );
}

/** `require('@kubernetes/client-node')` or `import('@kubernetes/client-node')`, awaited or parenthesized. */
function loadsPackage(expression: ts.Expression): boolean {
  let init = expression;
  while (ts.isAwaitExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
  const dynamicImport = ts.isCallExpression(init) && init.expression.kind === ts.SyntaxKind.ImportKeyword && isPackageSpecifier(init.arguments[0]);
  return isRequireOfPackage(init) || dynamicImport;
}

export function findClientNodeImports(sf: ts.SourceFile): ClientNodeFile {
  const result: ClientNodeFile = { imports: [], named: new Map(), namespaces: new Set() };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && isPackageSpecifier(node.moduleSpecifier) && node.importClause) {
      const clause = node.importClause;
      const typeOnly = clause.isTypeOnly;
      if (clause.name) {
        result.namespaces.add(clause.name.text);
        result.imports.push({ style: 'esm-namespace', namespace: clause.name.text, typeOnly });
      }
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) {
        result.namespaces.add(bindings.name.text);
        result.imports.push({ style: 'esm-namespace', namespace: bindings.name.text, typeOnly });
      } else if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) result.named.set(el.name.text, (el.propertyName ?? el.name).text);
        result.imports.push({ style: 'esm-named', bindings, typeOnly });
      }
      return;
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      if (isPackageSpecifier(node.moduleReference.expression)) {
        result.namespaces.add(node.name.text);
        result.imports.push({ style: 'cjs-namespace', namespace: node.name.text, typeOnly: node.isTypeOnly });
      }
      return;
    }
    // `k8s = await import('@kubernetes/client-node')` into a variable declared earlier: client-node 1.x is ESM
    // only, so CommonJS code loads it this way (`let k8s` at the top, the import in an async init).
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left) && loadsPackage(node.right)) {
      result.namespaces.add(node.left.text);
      result.imports.push({ style: 'cjs-namespace', namespace: node.left.text, typeOnly: false });
    }
    if (ts.isVariableDeclaration(node) && node.initializer) {
      if (loadsPackage(node.initializer)) {
        if (ts.isIdentifier(node.name)) {
          result.namespaces.add(node.name.text);
          result.imports.push({ style: 'cjs-namespace', namespace: node.name.text, typeOnly: false });
        } else if (ts.isObjectBindingPattern(node.name)) {
          for (const el of node.name.elements) {
            if (ts.isIdentifier(el.name)) {
              const exported = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
              result.named.set(el.name.text, exported);
            }
          }
          result.imports.push({ style: 'cjs-destructure', bindings: node.name, typeOnly: false });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return result;
}

export function importsClientNode(file: ClientNodeFile): boolean {
  return file.imports.length > 0;
}

/**
 * Whether `node` names the export `exported` of client-node: `CoreV1Api` (named import, maybe aliased) or
 * `k8s.CoreV1Api` (namespace), as an expression or a type reference.
 */
export function refersTo(node: ts.Node, exported: string, file: ClientNodeFile): boolean {
  if (ts.isIdentifier(node)) return file.named.get(node.text) === exported;
  if (ts.isPropertyAccessExpression(node)) {
    return ts.isIdentifier(node.expression) && file.namespaces.has(node.expression.text) && node.name.text === exported;
  }
  if (ts.isQualifiedName(node)) {
    return ts.isIdentifier(node.left) && file.namespaces.has(node.left.text) && node.right.text === exported;
  }
  if (ts.isTypeReferenceNode(node)) return refersTo(node.typeName, exported, file);
  if (ts.isExpressionWithTypeArguments(node)) return refersTo(node.expression, exported, file);
  return false;
}

/** The exported name a node refers to (`V1Endpoints` for `k8s.V1Endpoints`), or undefined if not client-node's. */
export function clientNodeName(node: ts.Node, file: ClientNodeFile): string | undefined {
  if (ts.isIdentifier(node)) return file.named.get(node.text);
  if (ts.isPropertyAccessExpression(node) || ts.isQualifiedName(node)) {
    const left = ts.isPropertyAccessExpression(node) ? node.expression : node.left;
    const right = ts.isPropertyAccessExpression(node) ? node.name : node.right;
    if (ts.isIdentifier(left) && file.namespaces.has(left.text)) return right.text;
  }
  if (ts.isTypeReferenceNode(node)) return clientNodeName(node.typeName, file);
  return undefined;
}

export function localNameOf(file: ClientNodeFile, exported: string): string | undefined {
  for (const [local, name] of file.named) if (name === exported) return local;
  return undefined;
}

/** The name an import element is sorted by: `type X` and `X as Y` by `X`. */
function sortKey(element: string): string {
  return element.replace(/^type\s+/, '').toLowerCase();
}

/**
 * An edit that adds `names` to a `{ ... }` import or destructuring require, or nothing when all are there.
 * `inner` are edits of the plan inside the braces (a specifier renamed), folded into this one. The list keeps the
 * file's form: sorted if it was sorted (new names in their place), else new names last; one name a line if it was,
 * or if one line would grow past the file's own width. A list with comments inside only gets names appended.
 */
export function addNamedImports(
  bindings: ts.NamedImports | ts.ObjectBindingPattern,
  file: ClientNodeFile,
  names: string[],
  inner: { start: number; end: number; text: string }[] = [],
): { start: number; end: number; text: string } | undefined {
  const missing = names.filter((n) => localNameOf(file, n.replace(/^type /, '')) === undefined);
  if (missing.length === 0 && inner.length === 0) return undefined;
  const sf = bindings.getSourceFile();
  const text = sf.text;
  const open = bindings.getStart(sf);
  const close = bindings.end;
  const elements = bindings.elements;
  const body = text.slice(open + 1, close - 1);
  if (elements.length === 0 || /\/\/|\/\*/.test(body)) {
    if (inner.length > 0) return undefined; // the caller keeps its own edits
    if (elements.length === 0) return { start: open + 1, end: open + 1, text: ` ${missing.join(', ')} ` };
    const last = elements[elements.length - 1];
    return { start: last.end, end: last.end, text: missing.map((n) => `, ${n}`).join('') };
  }
  const textOf = (el: ts.Node) => {
    let out = text.slice(el.getStart(sf), el.end);
    for (const edit of [...inner].sort((x, y) => y.start - x.start)) {
      if (edit.start >= el.getStart(sf) && edit.end <= el.end) {
        out = out.slice(0, edit.start - el.getStart(sf)) + edit.text + out.slice(edit.end - el.getStart(sf));
      }
    }
    return out;
  };
  const existing = elements.map(textOf);
  const keys = elements.map((el) => sortKey(text.slice(el.getStart(sf), el.end)));
  const sorted = keys.every((k, i) => i === 0 || keys[i - 1].localeCompare(k) <= 0);
  const all = [...existing, ...missing];
  if (sorted) all.sort((x, y) => sortKey(x).localeCompare(sortKey(y)));
  const multiline = body.includes('\n');
  const lineStart = text.lastIndexOf('\n', open - 1) + 1;
  const lineEnd = text.indexOf('\n', close) === -1 ? text.length : text.indexOf('\n', close);
  const oneLine = `{ ${all.join(', ')} }`;
  const width = Math.max(80, ...text.split('\n').map((l) => l.length));
  if (!multiline && text.slice(lineStart, open).length + oneLine.length + text.slice(close, lineEnd).length <= width) {
    return { start: open, end: close, text: oneLine };
  }
  const statementIndent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const firstStart = elements[0].getStart(sf);
  const indent = multiline ? /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', firstStart - 1) + 1))![0] : `${statementIndent}  `;
  const trailing = multiline ? (bindings.elements.hasTrailingComma ? ',' : '') : ',';
  return { start: open, end: close, text: `{\n${all.map((n) => `${indent}${n}`).join(',\n')}${trailing}\n${statementIndent}}` };
}

export type Generation = 0 | 1;

const generationCache = new Map<string, Generation | undefined>();

/**
 * The client-node generation the nearest package.json that depends on it asks for: `0.x` ranges mean the
 * positional API that returns `{ response, body }`; anything else (1.x, 2.x, a tag) the object-parameter API.
 */
export function packageGeneration(absPath: string): Generation | undefined {
  let dir = path.dirname(absPath);
  const visited: string[] = [];
  let found: Generation | undefined;
  for (;;) {
    if (generationCache.has(dir)) {
      found = generationCache.get(dir);
      break;
    }
    visited.push(dir);
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as Record<string, Record<string, string> | undefined>;
        const range =
          pkg.dependencies?.[PACKAGE] ?? pkg.devDependencies?.[PACKAGE] ?? pkg.peerDependencies?.[PACKAGE];
        if (range !== undefined) {
          found = /^\s*[\^~=v]*0\./.test(range) ? 0 : 1;
          break;
        }
      } catch {
        // An unreadable package.json says nothing about the generation; keep looking above it.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const v of visited) generationCache.set(v, found);
  return found;
}

/** The first client-node release with DiscoveryV1Api (discovery.k8s.io/v1), which every rewrite uses. */
export const DISCOVERY_V1_SINCE = '0.15.0';

const versionCache = new Map<string, { version: string; from: 'installed' | 'declared' } | null>();

/**
 * The client-node version a file runs with: the installed one (`node_modules/@kubernetes/client-node` of the
 * nearest directory that has it), else the lowest version the nearest package.json's range allows; undefined when
 * neither says (a tag such as `latest`, no package.json).
 */
export function clientNodeVersion(absPath: string): { version: string; from: 'installed' | 'declared' } | undefined {
  let dir = path.dirname(absPath);
  let declared: string | undefined;
  for (;;) {
    const cached = versionCache.get(dir);
    if (cached !== undefined) return cached ?? (declared ? { version: declared, from: 'declared' } : undefined);
    const installed = path.join(dir, 'node_modules', PACKAGE, 'package.json');
    try {
      const version = (JSON.parse(fs.readFileSync(installed, 'utf8')) as { version?: string }).version;
      if (version) {
        const found = { version, from: 'installed' as const };
        versionCache.set(dir, found);
        return found;
      }
    } catch {
      // not installed here: look further up
    }
    if (declared === undefined) {
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
        const range = pkg.dependencies?.[PACKAGE] ?? pkg.devDependencies?.[PACKAGE] ?? pkg.peerDependencies?.[PACKAGE];
        const lowest = range === undefined ? undefined : /(\d+\.\d+(?:\.\d+)?)/.exec(range)?.[1];
        if (lowest) declared = lowest.split('.').length === 2 ? `${lowest}.0` : lowest;
      } catch {
        // no readable package.json here
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return declared ? { version: declared, from: 'declared' } : undefined;
    dir = parent;
  }
}

/** Whether version `a` is below `b` (plain x.y.z, pre-release tags ignored). */
export function versionBelow(a: string, b: string): boolean {
  const pa = a.split(/[.-]/).slice(0, 3).map(Number);
  const pb = b.split(/[.-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0);
  return false;
}

interface PathAliases {
  base: string;
  patterns: [prefix: string, suffix: string, targets: string[]][];
}

const aliasCache = new Map<string, PathAliases | null>();

/** `compilerOptions.paths` of the nearest tsconfig.json (`@backend/*` → `src/backend/*`), for local imports by alias. */
function pathAliases(absPath: string): PathAliases | null {
  let dir = path.dirname(absPath);
  for (;;) {
    if (aliasCache.has(dir)) return aliasCache.get(dir)!;
    const config = path.join(dir, 'tsconfig.json');
    if (fs.existsSync(config)) {
      let aliases: PathAliases | null = null;
      try {
        const parsed = ts.parseConfigFileTextToJson(config, fs.readFileSync(config, 'utf8')).config as
          | { compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } }
          | undefined;
        const paths = parsed?.compilerOptions?.paths;
        if (paths) {
          const base = path.resolve(dir, parsed?.compilerOptions?.baseUrl ?? '.');
          aliases = {
            base,
            patterns: Object.entries(paths).map(([pattern, targets]) => {
              const star = pattern.indexOf('*');
              return star === -1 ? [pattern, '', targets] : [pattern.slice(0, star), pattern.slice(star + 1), targets];
            }),
          };
        }
      } catch {
        aliases = null; // an unreadable tsconfig gives no aliases
      }
      aliasCache.set(dir, aliases);
      return aliases;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * Local module specifiers imported or required by a file — relative ones and tsconfig `paths` aliases — resolved
 * to absolute paths without extension.
 */
export function relativeImports(sf: ts.SourceFile, absPath: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const record = (resolved: string, names: string[]) => {
    const key = stripExtension(resolved);
    out.set(key, [...(out.get(key) ?? []), ...names]);
  };
  const add = (spec: string, names: string[]) => {
    if (spec.startsWith('.')) return record(path.resolve(path.dirname(absPath), spec), names);
    const aliases = pathAliases(absPath);
    for (const [prefix, suffix, targets] of aliases?.patterns ?? []) {
      const exact = suffix === '' && !targets.some((t) => t.includes('*'));
      if (exact ? spec !== prefix : !(spec.startsWith(prefix) && spec.endsWith(suffix) && spec.length >= prefix.length + suffix.length)) continue;
      const middle = exact ? '' : spec.slice(prefix.length, spec.length - suffix.length);
      for (const target of targets) record(path.resolve(aliases!.base, target.replace('*', middle)), names);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const names: string[] = [];
      const b = node.importClause?.namedBindings;
      if (node.importClause?.name) names.push(node.importClause.name.text);
      if (b && ts.isNamespaceImport(b)) names.push(b.name.text);
      if (b && ts.isNamedImports(b)) pushAll(names, b.elements.map((e) => e.name.text));
      add(node.moduleSpecifier.text, names);
      return;
    }
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'require' &&
      node.arguments.length === 1 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      add(node.arguments[0].text, []);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

export function stripExtension(file: string): string {
  const withoutExt = file.replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
  return withoutExt.endsWith('/index') ? withoutExt.slice(0, -'/index'.length) : withoutExt;
}
