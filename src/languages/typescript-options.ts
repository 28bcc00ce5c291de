/**
 * Settings of the TypeScript language, kept apart from the parser so that the CLI can set them without loading
 * the compiler (the parser module is imported only when a TS/JS file needs it).
 */
export interface TypeScriptOptions {
  /**
   * Confirm receivers by type: find the nearest tsconfig.json of each file, build a program of that project and
   * hand its type checker to the rules. Set by the CLI's `--type-aware`; `SLICEFIX_TYPE_AWARE=1` does the same.
   */
  typeAware: boolean;
}

export const typescriptOptions: TypeScriptOptions = { typeAware: process.env.SLICEFIX_TYPE_AWARE === '1' };

export function configureTypeScript(next: Partial<TypeScriptOptions>): void {
  Object.assign(typescriptOptions, next);
}
