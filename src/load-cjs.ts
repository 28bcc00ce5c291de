/**
 * How slicefix loads its CommonJS dependencies (the TypeScript compiler, yaml, kubernetes-models, ignore,
 * picocolors): with `require`, and only when a run needs them.
 *
 * An `import` of a CommonJS module makes Node scan the module's whole source with its export lexer (to find named
 * exports) before running it, and on Node 20 route every `require` inside it through the ES module loader, which
 * lexes those files too: for ts-morph that meant lexing some 13 MB of JavaScript on every run that parsed a TS
 * file, and even a small CommonJS import starts the lexer (~10 ms). `require` runs the module directly, through
 * Node's CommonJS compile step, where the compile cache (./compile-cache.ts) applies.
 *
 * The GitHub Action is one esbuild bundle (action/build.mjs) without node_modules: there these dependencies are
 * bundled chunks reached by dynamic `import()`, which is what `bundled` switches to.
 */
import { createRequire } from 'node:module';

declare const SLICEFIX_BUNDLED: boolean | undefined;

/** True inside the Action's bundle (action/build.mjs defines SLICEFIX_BUNDLED), false when run from dist/. */
export const bundled = typeof SLICEFIX_BUNDLED === 'boolean' && SLICEFIX_BUNDLED;

/** `require`, resolving from slicefix's own package. */
export const requireDependency = createRequire(import.meta.url);

/** A CommonJS module's exports from a dynamic import: a bundle gives only `default`, Node also the named ones. */
export function commonJsExports<T>(loaded: object): T {
  return (loaded as { default?: T }).default ?? (loaded as T);
}

/**
 * A CommonJS dependency for synchronous use, required from node_modules on first call (so a run that never calls
 * it never loads it). In the bundle, pass what a top-level `await import(...)` of it gave, as in
 * `lazyRequire<typeof x>('x', bundled ? await import('x') : undefined)`: esbuild needs the literal import to bundle it.
 */
export function lazyRequire<T>(specifier: string, fromBundle: object | undefined): () => T {
  let loaded = fromBundle && commonJsExports<T>(fromBundle);
  return () => (loaded ??= requireDependency(specifier) as T);
}
