/**
 * Inline suppressions, written in the file's own comment syntax:
 *   # slicefix-ignore-next-line [rule-id ...]      // slicefix-ignore-next-line endpoints-go-client
 *   # slicefix-ignore-file [rule-id ...]
 * Without rule ids every rule is silenced.
 */
import type { LineIndex } from './edits.js';

export interface Suppressions {
  isSuppressed(ruleId: string, line: number): boolean;
}

const NONE: Suppressions = { isSuppressed: () => false };
const DIRECTIVE = /(?:#|\/\/|<!--|\/\*)\s*slicefix-ignore-(next-line|file)\b([^\n]*)/g;

function ruleIds(rest: string): string[] {
  return rest
    .replace(/-->|\*\//g, ' ')
    .split(/[\s,]+/)
    .filter((id) => /^[a-z0-9-]+$/.test(id));
}

export function findSuppressions(text: string, lines: LineIndex): Suppressions {
  if (!text.includes('slicefix-ignore')) return NONE;
  const fileWide: string[][] = [];
  const byLine = new Map<number, string[][]>();
  for (const match of text.matchAll(DIRECTIVE)) {
    const ids = ruleIds(match[2]);
    if (match[1] === 'file') fileWide.push(ids);
    else {
      const next = lines.position(match.index).line + 1;
      byLine.set(next, [...(byLine.get(next) ?? []), ids]);
    }
  }
  const covers = (list: string[][] | undefined, ruleId: string) =>
    (list ?? []).some((ids) => ids.length === 0 || ids.includes(ruleId));
  return { isSuppressed: (ruleId, line) => covers(fileWide, ruleId) || covers(byLine.get(line), ruleId) };
}
