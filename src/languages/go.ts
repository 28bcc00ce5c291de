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
import type { LanguageSupport, ParseProblem } from '../types.js';

export interface GoAst {
  root: Node;
  /** The file's imports, with the name each one is used under. */
  imports: GoImports;
  text: string;
}

const require = createRequire(import.meta.url);

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

export const goLanguage: LanguageSupport<GoAst> = {
  id: 'go',
  lineComment: '//',
  parse(text: string) {
    const tree = parser.parse(text);
    if (!tree) throw new Error('tree-sitter-go returned no tree');
    const root = tree.rootNode;
    const errors: ParseProblem[] = [];
    if (root.hasError) collectProblems(root, errors);
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
