/**
 * The TypeScript compiler slicefix parses TS/JS with: the one bundled in ts-morph, loaded on its own.
 *
 * Syntax-only scans (the default) need only `ts.createSourceFile` and the node helpers, so this module requires
 * ts-morph's copy of the compiler (`@ts-morph/common/dist/typescript.js`, 9 MB) directly, and leaves ts-morph
 * itself (its project layer, another 4 MB, with the lib .d.ts texts) to the type-aware mode, which needs its
 * `Project`. It is the file ts-morph requires, so both share one module instance, whichever loads first (ts-morph
 * hands it out behind a namespace object of getters).
 * Required, not imported: see ../load-cjs.ts.
 *
 * `ts` is both a value (the compiler's exports) and a namespace of the compiler's types, as in
 * `import { ts } from 'ts-morph'`. A value loaded at run time carries no types, so the namespace below names
 * the types slicefix uses: add one there when a new use fails to type-check.
 */
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';
import type { ts as Ts } from 'ts-morph';
import { bundled, lazyRequire, requireDependency } from '../load-cjs.js';

type TsMorphModule = typeof TsMorph;

/** ts-morph itself, for the type-aware mode's `Project` (loaded on first call; in the bundle, imported here). */
export const tsMorph = lazyRequire<TsMorphModule>('ts-morph', bundled ? await import('ts-morph') : undefined);

function loadCompiler(): typeof Ts {
  if (bundled) return tsMorph().ts;
  try {
    return createRequire(requireDependency.resolve('ts-morph'))('@ts-morph/common/dist/typescript.js') as typeof Ts;
  } catch {
    // A ts-morph whose compiler lives elsewhere: take it from ts-morph (slower, but the same compiler).
    return tsMorph().ts;
  }
}

export const ts = loadCompiler();

// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace ts {
  export type BinaryExpression = Ts.BinaryExpression;
  export type BindingElement = Ts.BindingElement;
  export type CallExpression = Ts.CallExpression;
  export type ClassLikeDeclaration = Ts.ClassLikeDeclaration;
  export type Diagnostic = Ts.Diagnostic;
  export type Expression = Ts.Expression;
  export type Identifier = Ts.Identifier;
  export type ImportSpecifier = Ts.ImportSpecifier;
  export type NamedDeclaration = Ts.NamedDeclaration;
  export type NamedImports = Ts.NamedImports;
  export type NewExpression = Ts.NewExpression;
  export type Node = Ts.Node;
  export type ObjectBindingPattern = Ts.ObjectBindingPattern;
  export type ObjectLiteralElementLike = Ts.ObjectLiteralElementLike;
  export type PrivateIdentifier = Ts.PrivateIdentifier;
  export type PropertyAccessExpression = Ts.PropertyAccessExpression;
  export type PropertyDeclaration = Ts.PropertyDeclaration;
  export type ScriptKind = Ts.ScriptKind;
  export type ShorthandPropertyAssignment = Ts.ShorthandPropertyAssignment;
  export type SourceFile = Ts.SourceFile;
  export type TypeChecker = Ts.TypeChecker;
  export type TypeNode = Ts.TypeNode;
  export type VariableDeclaration = Ts.VariableDeclaration;
}
