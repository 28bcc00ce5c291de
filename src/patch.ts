/**
 * The unified diff of a fix, for --dry-run and the report. jsdiff's Myers diff costs the files' length times the
 * number of changed lines: a fix that converts every object of a 16 MB manifest took minutes there (500 objects:
 * 11 s). Past a budget of work the patch replaces the whole file in one hunk instead: still exact, less minimal.
 */
import { createTwoFilesPatch, diffLines } from 'diff';
import { replacedRegions } from './edits.js';
import type { TextReplacement } from './types.js';

/** Line comparisons jsdiff may spend on one file, about a second's work. */
const DIFF_BUDGET = 20_000_000;

function lineCount(text: string): number {
  if (text === '') return 0;
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return text.endsWith('\n') ? count : count + 1;
}

/** `text`'s lines, each prefixed with `sign`, as a hunk writes them. */
function hunkLines(text: string, sign: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  const missingEol = lines[lines.length - 1] !== '';
  if (!missingEol) lines.pop();
  const out = lines.map((line) => sign + line);
  if (missingEol) out.push('\\ No newline at end of file');
  return out;
}

function wholeFilePatch(path: string, before: string, after: string): string {
  const oldCount = lineCount(before);
  const newCount = lineCount(after);
  const hunk = `@@ -${oldCount ? 1 : 0},${oldCount} +${newCount ? 1 : 0},${newCount} @@`;
  const body = [...hunkLines(before, '-'), ...hunkLines(after, '+')];
  return `${'='.repeat(67)}\n--- a/${path}\n+++ b/${path}\n${hunk}\n${body.join('\n')}\n`;
}

function maxEditLength(before: string, after: string): number {
  return Math.max(100, Math.floor(DIFF_BUDGET / (lineCount(before) + lineCount(after) + 1)));
}

export function fixPatch(path: string, before: string, after: string): string {
  const options = { context: 3, maxEditLength: maxEditLength(before, after) };
  return createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, '', '', options) ?? wholeFilePatch(path, before, after);
}

/**
 * The same change as replacements of regions of `before` (SARIF `fixes`), in the same budget; past it, one
 * replacement of the whole file.
 */
export function fixReplacements(before: string, after: string): TextReplacement[] {
  const parts = diffLines(before, after, { maxEditLength: maxEditLength(before, after) });
  if (parts) return replacedRegions(before, parts);
  const lines = before.split('\n');
  return [{ startLine: 1, startColumn: 1, endLine: lines.length, endColumn: lines[lines.length - 1].length + 1, text: after }];
}
