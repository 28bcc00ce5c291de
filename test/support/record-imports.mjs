// Registers a module-resolution hook that appends every heavy dependency the process imports to the file named by
// SLICEFIX_RECORD_IMPORTS, one name a line, so a test can prove a parser is loaded only when a file of its language
// needs it. (A synchronous append: the hooks run on their own thread, whose stderr writes may be lost when the
// process exits.)
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
import { appendFileSync } from 'node:fs';
const heavy = /^(ts-morph|typescript|web-tree-sitter|tree-sitter|tree-sitter-go|kubernetes-models|@ts-morph\\/common|yaml|diff)(\\/|$)/;
const seen = new Set();
export async function resolve(specifier, context, next) {
  const match = specifier.match(heavy);
  if (match && !seen.has(match[1])) {
    seen.add(match[1]);
    appendFileSync(process.env.SLICEFIX_RECORD_IMPORTS, match[1] + '\\n');
  }
  return next(specifier, context);
}`),
);
