// Bundles the GitHub Action, committed under action/bundle/, so that the action runs without `npm install`.
// Run `npm run build:action` after changing src/, rules/, codemods/ or action/; test/action.test.ts fails while
// the committed bundle is stale.
//   node action/build.mjs [outdir]
//
// Code splitting keeps each parser in a chunk of its own, loaded only when a file of its language needs it (as
// in the CLI), and keeps the big third-party parsers (the TypeScript compiler behind ts-morph, tree-sitter) in
// vendor chunks whose bytes change only when those dependencies change, so a source change rewrites small files.
// The WebAssembly files tree-sitter loads at run time are copied beside the chunks.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const outdir = path.resolve(process.argv[2] ?? path.join(root, 'action', 'bundle'));

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    index: 'action/entry.ts',
    // Entry points of their own, so that they become shared vendor chunks instead of part of a source chunk.
    'vendor/ts-morph': 'ts-morph',
    'vendor/web-tree-sitter': 'web-tree-sitter',
  },
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Bundled CommonJS dependencies (the TypeScript compiler among them) call require() for Node's built-ins and
  // read __filename/__dirname; an ES module has none of these of its own.
  banner: {
    js: [
      "import { createRequire as __slicefixRequire } from 'node:module';",
      "import { fileURLToPath as __slicefixPath } from 'node:url';",
      'const require = __slicefixRequire(import.meta.url);',
      'const __filename = __slicefixPath(import.meta.url);',
      "const __dirname = __slicefixPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  // SLICEFIX_BUNDLED: load dependencies by import() from the bundle's chunks, not require() from node_modules
  // (src/load-cjs.ts).
  define: {
    SLICEFIX_VERSION: JSON.stringify(pkg.version),
    SLICEFIX_BUNDLED: 'true',
    TREE_SITTER_GO_VERSION: JSON.stringify(require('tree-sitter-go/package.json').version),
  },
  legalComments: 'none',
  logLevel: 'warning',
});
mkdirSync(path.join(outdir, 'chunks'), { recursive: true });
copyFileSync(require.resolve('tree-sitter-go/tree-sitter-go.wasm'), path.join(outdir, 'chunks', 'tree-sitter-go.wasm'));
copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), path.join(outdir, 'chunks', 'tree-sitter.wasm'));
