/**
 * The config's and the command line's `ignore` globs, as patterns for the `ignore` package (the .gitignore
 * matcher). picomatch compiled `*a*a*a…b` to a regular expression that backtracks exponentially: one crafted glob
 * in a repository's `.slicefix.yaml` and a long file name took minutes. The `ignore` package builds each `*` so
 * that it cannot overlap the literal after it, so matching stays linear.
 *
 * Syntax is .gitignore's (a glob without `/` matches a file or folder name at any depth, one with `/` is
 * relative to the config file, `**` spans folders, a later `!glob` takes a file back), plus the `{a,b}`
 * alternatives globs are known for, which .gitignore lacks: they are expanded here.
 */

/** More alternatives than a hand-written glob has; `{a,b}{a,b}…` would otherwise double per group. */
export const MAX_GLOB_EXPANSIONS = 256;

export class GlobError extends Error {}

/** The closing brace of the group opened at `open`, and the offsets of its top-level commas; undefined if unclosed. */
function braceGroup(glob: string, open: number): { close: number; commas: number[] } | undefined {
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '\\') i++;
    else if (ch === '{') depth++;
    else if (ch === ',' && depth === 1) commas.push(i);
    else if (ch === '}' && --depth === 0) return { close: i, commas };
  }
  return undefined;
}

/** `*.{yaml,yml}` → `*.yaml`, `*.yml` (nested groups too). A group without a comma is literal text, as in bash. */
export function expandBraces(glob: string): string[] {
  const out: string[] = [];
  const expand = (text: string, from: number) => {
    for (let i = from; i < text.length; i++) {
      if (text[i] === '\\') {
        i++;
        continue;
      }
      if (text[i] !== '{') continue;
      const group = braceGroup(text, i);
      if (!group || group.commas.length === 0) continue;
      const bounds = [i, ...group.commas, group.close];
      for (let k = 0; k + 1 < bounds.length; k++) {
        expand(text.slice(0, i) + text.slice(bounds[k] + 1, bounds[k + 1]) + text.slice(group.close + 1), i);
      }
      return;
    }
    if (out.length >= MAX_GLOB_EXPANSIONS) {
      throw new GlobError(`"${glob}" expands to more than ${MAX_GLOB_EXPANSIONS} alternatives`);
    }
    out.push(text);
  };
  expand(glob, 0);
  return out;
}

/** The globs as .gitignore patterns, in order. Throws GlobError for a glob with too many alternatives. */
export function gitignorePatterns(globs: readonly string[]): string[] {
  const patterns: string[] = [];
  for (const glob of globs) {
    for (const alternative of expandBraces(glob.replace(/^\.\//, ''))) {
      // A leading `#` would make the line a comment.
      patterns.push(alternative.startsWith('#') ? `\\${alternative}` : alternative);
    }
  }
  return patterns;
}
