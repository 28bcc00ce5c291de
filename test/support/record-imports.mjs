// Records every dependency (package under node_modules) the process loads, one name a line, in the file named by
// SLICEFIX_RECORD_IMPORTS, so a test can prove a parser is loaded only when a file of its language needs it.
//
// A dependency can be loaded in two ways, and both are watched:
// - `import` (and a `require` inside CommonJS that an `import` loaded, which Node may route through its ES module
//   loader): seen by a module-resolution hook, which runs on the hooks thread;
// - `require` (a `createRequire` function, or CommonJS requiring CommonJS): seen by wrapping `Module._load` on the
//   main thread; the ES module hooks of Node 20 do not see these.
// The name recorded is the package the module resolved to (so `./typescript`, required inside @ts-morph/common, is
// @ts-morph/common), plus `typescript` for the TypeScript compiler itself, whichever package it comes from.
// (Appends are synchronous: the hooks thread's stderr writes may be lost when the process exits.)
import Module, { register } from 'node:module';

const recorder = `
import { appendFileSync } from 'node:fs';
const seen = new Set();
export function record(file) {
  const match = /[\\\\/]node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)[\\\\/](.*)$/.exec(file);
  if (!match) return;
  const pkg = match[1].replace(/\\\\/g, '/');
  const names = [pkg];
  if (pkg === '@ts-morph/common' && /^dist[\\\\/]typescript\\.js$/.test(match[2])) names.push('typescript');
  for (const name of names) {
    if (seen.has(name)) continue;
    seen.add(name);
    appendFileSync(process.env.SLICEFIX_RECORD_IMPORTS, name + '\\n');
  }
}`;
const recorderUrl = `data:text/javascript,${encodeURIComponent(recorder)}`;

register(
  `data:text/javascript,${encodeURIComponent(`
import { fileURLToPath } from 'node:url';
import { record } from ${JSON.stringify(recorderUrl)};
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.startsWith('file:')) record(fileURLToPath(resolved.url));
  return resolved;
}`)}`,
);

const { record } = await import(recorderUrl);
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (!Module.isBuiltin(request)) {
    try {
      record(Module._resolveFilename(request, parent, isMain));
    } catch {
      // Unresolvable: the real Module._load below throws the real error.
    }
  }
  return load.apply(this, arguments);
};
