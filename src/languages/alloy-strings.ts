/**
 * Alloy string literals, for rules and codemods that read an argument's value without loading the Alloy scan (it
 * is loaded with the language, only when a file needs it).
 */

/** The value of a string literal expression (`"endpoints"`), or undefined for any other expression. */
export function stringValue(expression: string): string | undefined {
  const match = /^"((?:[^"\\\n]|\\.)*)"$|^`([^`]*)`$/.exec(expression);
  if (!match) return undefined;
  return match[2] ?? match[1].replace(/\\(.)/g, '$1');
}
