/** The lazy boundary between the TS rules (loaded at start-up) and the compiler (loaded with the language). */
export type TypeScriptTools = typeof import('./tools.js');

let tools: TypeScriptTools | undefined;

export function registerTypeScriptTools(loaded: TypeScriptTools): void {
  tools = loaded;
}

/** The tools, available once a file was parsed as TypeScript/JavaScript (rules only run after that). */
export function typescriptTools(): TypeScriptTools {
  if (!tools) throw new Error('the TypeScript language is not loaded; TS rules run only on files it parsed');
  return tools;
}
