// Bundles the GitHub Action into one file, committed as action/bundle/index.mjs, so that the action runs
// without `npm install`. Run `npm run build:action` after changing src/, rules/, codemods/ or action/;
// test/action.test.ts fails while the committed bundle is stale.
//   node action/build.mjs [outfile]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const outfile = path.resolve(process.argv[2] ?? path.join(root, 'action', 'bundle', 'index.mjs'));

await build({
  absWorkingDir: root,
  entryPoints: ['action/entry.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Bundled CommonJS dependencies call require() for Node's built-ins; ESM has no require of its own.
  banner: { js: "import { createRequire as __slicefixRequire } from 'node:module';\nconst require = __slicefixRequire(import.meta.url);" },
  define: { SLICEFIX_VERSION: JSON.stringify(pkg.version) },
  legalComments: 'eof',
  logLevel: 'warning',
});
