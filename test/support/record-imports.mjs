// Registers a module-resolution hook that prints every heavy dependency the process imports to stderr as
// `IMPORTED <name>`, so a test can prove a parser is loaded only when a file of its language needs it.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
const heavy = /^(ts-morph|typescript|web-tree-sitter|tree-sitter|tree-sitter-go|kubernetes-models|@ts-morph\\/common|yaml|diff)(\\/|$)/;
const seen = new Set();
export async function resolve(specifier, context, next) {
  const match = specifier.match(heavy);
  if (match && !seen.has(match[1])) { seen.add(match[1]); process.stderr.write('IMPORTED ' + match[1] + '\\n'); }
  return next(specifier, context);
}`),
);
