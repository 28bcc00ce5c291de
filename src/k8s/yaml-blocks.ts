/**
 * Source blocks of a block-style YAML map in a template, found by lines (directives masked), so that rewrites can
 * copy whole-line directives (`{{- include "x.labels" . | nindent 4 }}`, `{{- range }}`) with the entries around them.
 */
import type { Node, YAMLMap } from 'yaml';
import type { YamlAst } from '../languages/helm.js';
import { isSeq } from '../languages/yaml-nodes.js';
import { mapPair } from '../manifests.js';

// Line starts come from one line index per text (../edits.ts): scanning back for a line break costs the whole
// file when it is one line, which made crafted one-line templates quadratic.
export { lineStartOf, nextLineStart } from '../edits.js';
import { lineStartOf, nextLineStart } from '../edits.js';

/**
 * The source lines under `key:` of `map` (its block), from the line after the key to the first line that is
 * indented no deeper than the key and is neither blank, a comment, nor a whole-line directive. A sequence written
 * level with its key (`key:\n- a`) is in the block too: its `- ` lines at the key's column belong to it.
 */
export function blockAfterKey(text: string, ast: YamlAst, map: YAMLMap, key: string, limit: number): { start: number; end: number; indent: number } | undefined {
  const pair = mapPair(map, key);
  const keyNode = pair?.key as Node | undefined;
  if (!keyNode?.range) return undefined;
  const keyColumn = keyNode.range[0] - lineStartOf(text, keyNode.range[0]);
  const start = nextLineStart(text, keyNode.range[0]);
  const value = pair!.value as Node | null;
  const valueStart = value?.range?.[0];
  const levelSequence = isSeq(value) && !value.flow && valueStart !== undefined && valueStart - lineStartOf(text, valueStart) === keyColumn;
  let end = start;
  let indent = -1;
  while (end < limit) {
    const lineEnd = Math.min(nextLineStart(text, end), limit);
    const line = ast.masked.slice(end, lineEnd).replace(/\r?\n$/, '');
    const lineIndent = /^ */.exec(line)![0].length;
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) {
      const levelItem = levelSequence && lineIndent === keyColumn && /^-(\s|$)/.test(trimmed);
      if (lineIndent < keyColumn || (lineIndent === keyColumn && !levelItem)) break;
      if (indent === -1) indent = lineIndent;
    }
    end = lineEnd;
  }
  return { start, end, indent };
}
