/**
 * TypeScript and JavaScript (`.ts .tsx .mts .cts .js .jsx .mjs .cjs`), parsed with the TypeScript compiler bundled
 * in ts-morph. This module is imported only when such a file passes a rule's pre-filter (see `./index.ts`), so
 * the compiler (several MB) is never loaded for a scan of manifests.
 *
 * Syntax-only by default: one `ts.SourceFile` per file, no program, no type checker — fast, and enough because the
 * rules trust a call only in files that import `@kubernetes/client-node`; it loads the compiler alone, not ts-morph
 * (see ../ts/compiler.ts). The type-aware mode (off by default, see `typescript-options.ts`) additionally builds a
 * program from the scanned project's tsconfig with ts-morph's `Project`, so rules can confirm a receiver's type; it
 * costs a full type-check of that project.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Project } from 'ts-morph';
import type { LanguageSupport, ParseProblem } from '../types.js';
import { typescriptOptions } from './typescript-options.js';
import { ts, tsMorph } from '../ts/compiler.js';
import { registerTypeScriptTools } from '../ts/lazy.js';
import * as tools from '../ts/tools.js';

// The TS rules reach the compiler-based analysis through this registration (see src/ts/lazy.ts).
registerTypeScriptTools(tools);

export interface TsAst {
  sourceFile: ts.SourceFile;
  /** Present only in type-aware mode, when the file belongs to a project whose tsconfig was found. */
  checker?: ts.TypeChecker;
}

export { configureTypeScript } from './typescript-options.js';

export function scriptKindOf(file: string): ts.ScriptKind {
  switch (path.extname(file).toLowerCase()) {
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.js':
    case '.mjs':
    case '.cjs':
      return ts.ScriptKind.JS;
    case '.jsx':
      return ts.ScriptKind.JSX;
    default:
      return ts.ScriptKind.TS;
  }
}

/** Syntax errors the parser found. They live on the source file but are not part of its public type. */
function parseDiagnostics(sourceFile: ts.SourceFile): ParseProblem[] {
  const diagnostics = (sourceFile as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  return diagnostics.map((d) => ({ message: ts.flattenDiagnosticMessageText(d.messageText, '\n'), offset: d.start }));
}

/** One project per tsconfig.json, reused for every file under it (type-aware mode only). */
const projects = new Map<string, Project | null>();

function nearestTsconfig(file: string): string | undefined {
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    const candidate = path.join(dir, 'tsconfig.json');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function typeAwareParse(text: string, file: string): TsAst | undefined {
  const tsconfig = nearestTsconfig(file);
  if (!tsconfig) return undefined;
  let project = projects.get(tsconfig);
  if (project === undefined) {
    try {
      project = new (tsMorph().Project)({ tsConfigFilePath: tsconfig, compilerOptions: { allowJs: true, noEmit: true } });
    } catch {
      project = null;
    }
    projects.set(tsconfig, project);
  }
  if (!project) return undefined;
  // The text the engine read wins over what is on disk (a later fix pass parses text not yet written).
  const wrapped = project.createSourceFile(path.resolve(file), text, { overwrite: true, scriptKind: scriptKindOf(file) });
  const program = project.getProgram().compilerObject;
  const sourceFile = program.getSourceFile(wrapped.getFilePath()) ?? wrapped.compilerNode;
  return { sourceFile, checker: program.getTypeChecker() };
}

export const typescriptLanguage: LanguageSupport<TsAst> = {
  id: 'typescript',
  lineComment: '//',
  parse(text, file) {
    const typed = typescriptOptions.typeAware ? typeAwareParse(text, file) : undefined;
    const sourceFile =
      typed?.sourceFile ?? ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindOf(file));
    return { ast: typed ?? { sourceFile }, errors: parseDiagnostics(sourceFile) };
  },
};
