/**
 * Go, parsed with tree-sitter-go through web-tree-sitter (WebAssembly). The WebAssembly build needs no compiler
 * and no native addon, so `npm install` works on machines without a C++ toolchain (tree-sitter 0.25's native
 * prebuild needs GLIBCXX_3.4.31, which Debian 12 lacks, and then falls back to a source build).
 *
 * This module is imported only when a `.go` file passes a rule's pre-filter (see `./index.ts`).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';
import { readImports, type GoImports } from '../go/imports.js';
import { asOrdinaryCalls, newCallSpans, type NewCallSpan } from '../go/new-expression.js';
import type { LanguageSupport, ParseProblem } from '../types.js';

export interface GoAst {
  root: Node;
  /** The file's imports, with the name each one is used under. */
  imports: GoImports;
  text: string;
}

const require = createRequire(import.meta.url);

// The Action's bundle has no node_modules: action/build.mjs defines the grammar's version.
declare const TREE_SITTER_GO_VERSION: string | undefined;

let grammarVersion: string | undefined;

function readGrammarVersion(): string {
  if (typeof TREE_SITTER_GO_VERSION === 'string') return TREE_SITTER_GO_VERSION;
  return (JSON.parse(fs.readFileSync(require.resolve('tree-sitter-go/package.json'), 'utf8')) as { version: string }).version;
}

/** A WebAssembly file: beside this module when bundled (the Action copies them there), else from its package. */
function wasmFile(name: string, packagePath: string): string {
  const beside = fileURLToPath(new URL(name, import.meta.url));
  return fs.existsSync(beside) ? beside : require.resolve(packagePath);
}

await Parser.init({ locateFile: () => wasmFile('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm') });
const grammar = await Language.load(wasmFile('tree-sitter-go.wasm', 'tree-sitter-go/tree-sitter-go.wasm'));
const parser = new Parser();
parser.setLanguage(grammar);

// A tree lives in WebAssembly memory, which the JS garbage collector does not see: free it once its AST is gone.
const trees = new FinalizationRegistry<Tree>((tree) => tree.delete());

function collectProblems(node: Node, problems: ParseProblem[]): void {
  if (problems.length >= 20) return;
  if (node.isError) {
    problems.push({ message: `syntax error near \`${node.text.slice(0, 40)}\``, offset: node.startIndex });
    return;
  }
  if (node.isMissing) {
    problems.push({ message: `missing \`${node.type}\``, offset: node.startIndex });
    return;
  }
  if (!node.hasError) return;
  for (const child of node.children) if (child) collectProblems(child, problems);
}

/**
 * Parses `parseText` (the same length as `text`), while the tree's nodes read their text from `text`: a node's
 * `.text` then shows what the user wrote even where `parseText` differs.
 */
function parseReading(parseText: string, text: string): Tree {
  let reading = parseText;
  const tree = parser.parse((index) => reading.slice(index));
  reading = text;
  if (!tree) throw new Error('tree-sitter-go returned no tree');
  return tree;
}

function problemsOf(tree: Tree): ParseProblem[] {
  const problems: ParseProblem[] = [];
  if (tree.rootNode.hasError) collectProblems(tree.rootNode, problems);
  return problems;
}

/** Whether the grammar read the `new(...)` call at `span` cleanly, as `new(Type)`. */
function readAsNewOfType(root: Node, span: NewCallSpan): boolean {
  const call = root.descendantForIndex(span.start)?.parent;
  return call?.type === 'call_expression' && call.startIndex === span.start && call.endIndex === span.end && !call.hasError;
}

/**
 * A tree for code the grammar predates: when the file's only syntax errors are Go 1.26's `new(expr)`, the tree of
 * the file with every `new(...)` the grammar did not read as `new(Type)` read as an ordinary call. Its findings
 * stand; the problem it carries keeps the file from being fixed, and says why.
 */
function treeOfNewerCode(text: string, initial: Tree): { tree: Tree; problem: ParseProblem } | undefined {
  const renamed = newCallSpans(text).filter((span) => !readAsNewOfType(initial.rootNode, span));
  if (renamed.length === 0) return undefined;
  const tree = parseReading(asOrdinaryCalls(text, renamed), text);
  if (tree.rootNode.hasError) {
    tree.delete();
    return undefined;
  }
  grammarVersion ??= readGrammarVersion();
  return {
    tree,
    problem: {
      message: `the Go grammar (tree-sitter-go ${grammarVersion}) is older than this code: new(expr) of Go 1.26`,
      offset: renamed[0].start,
      newerThanParser: true,
    },
  };
}

export const goLanguage: LanguageSupport<GoAst> = {
  id: 'go',
  lineComment: '//',
  parse(text: string) {
    let tree = parseReading(text, text);
    let errors = problemsOf(tree);
    const newer = errors.length ? treeOfNewerCode(text, tree) : undefined;
    if (newer) {
      tree.delete();
      tree = newer.tree;
      errors = [newer.problem];
    }
    const root = tree.rootNode;
    const ast: GoAst = { root, imports: readImports(root), text };
    trees.register(ast, tree, ast);
    return { ast, errors };
  },
  dispose(ast) {
    // Freed now rather than whenever the collector runs: a scan then needs as much WebAssembly memory as its
    // largest tree, not as all the trees it has not collected yet.
    if (trees.unregister(ast)) ast.root.tree.delete();
  },
};
