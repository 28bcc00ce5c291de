/** Applying codemod edits to a text, and turning offsets into the 1-based lines and columns reports use. */
import type { Edit, TextReplacement } from './types.js';
import { pushAll } from './push-all.js';

/**
 * Picks the edit groups (one group = the edits of one finding) that can be applied together: a group is taken
 * whole or not at all, and never when it overlaps a group taken before it. What is left is fixed on the next pass.
 */
export function selectNonOverlapping(groups: Edit[][]): Edit[] {
  const taken: Edit[] = [];
  const overlaps = (a: Edit, b: Edit) =>
    a.start < b.end && b.start < a.end ? true : a.start === a.end && b.start === b.end && a.start === b.start;
  // Findings come in file order, so a group usually starts after every edit taken so far: then it overlaps none,
  // and comparing it with each of them (quadratic in a file with thousands of fixes) is not needed.
  let takenEnd = -1;
  const afterTaken = (edit: Edit) => edit.start > takenEnd || (edit.start === takenEnd && edit.end > edit.start);
  for (const group of groups) {
    if (!group.every(afterTaken) && group.some((edit) => taken.some((t) => overlaps(edit, t)))) continue;
    if (group.some((a, i) => group.some((b, j) => i < j && overlaps(a, b)))) continue;
    pushAll(taken, group);
    for (const edit of group) takenEnd = Math.max(takenEnd, edit.end);
  }
  return taken;
}

/**
 * The text with `edits` (non-overlapping) applied. Built from pieces in one pass: splicing each edit into the
 * whole text costs the text's length per edit, and a file with thousands of fixes took minutes.
 */
export function applyEdits(text: string, edits: Edit[]): string {
  // In file order; of two insertions at one offset the later one first, as splicing them in turn would leave them.
  const sorted = edits.map((edit, index) => ({ edit, index })).sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || b.index - a.index);
  for (const { edit } of sorted) {
    if (edit.start < 0 || edit.end > text.length || edit.start > edit.end) {
      throw new Error(`edit out of range: [${edit.start}, ${edit.end}) in a text of ${text.length} characters`);
    }
  }
  const pieces: string[] = [];
  let at = 0;
  for (const { edit } of sorted) {
    pieces.push(text.slice(at, edit.start), edit.text);
    at = Math.max(at, edit.end);
  }
  pieces.push(text.slice(at));
  return pieces.join('');
}

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }

  get lineCount(): number {
    return this.starts.length;
  }

  lineStart(line: number): number {
    return this.starts[line - 1] ?? this.starts[this.starts.length - 1];
  }
}

/** A part of a line diff (the `diff` library's Change). */
interface DiffPart {
  value: string;
  added?: boolean;
  removed?: boolean;
}

/** The regions of `before` that a line diff from `before` to another text replaces, with what replaces them. */
export function replacedRegions(before: string, parts: DiffPart[]): TextReplacement[] {
  const lines = new LineIndex(before);
  const out: TextReplacement[] = [];
  let offset = 0;
  let pending: { start: number; end: number; text: string } | undefined;
  const flush = () => {
    if (!pending) return;
    const from = lines.position(pending.start);
    const to = lines.position(pending.end);
    out.push({ startLine: from.line, startColumn: from.column, endLine: to.line, endColumn: to.column, text: pending.text });
    pending = undefined;
  };
  for (const part of parts) {
    if (part.added) {
      (pending ??= { start: offset, end: offset, text: '' }).text += part.value;
    } else if (part.removed) {
      offset += part.value.length;
      (pending ??= { start: offset - part.value.length, end: offset, text: '' }).end = offset;
    } else {
      flush();
      offset += part.value.length;
    }
  }
  flush();
  return out;
}

/**
 * The line index of `text`, kept for the last text asked about. Rules ask where lines start object by object;
 * scanning back to the previous line break (`lastIndexOf('\n')`) costs the whole file when the file is one line
 * (a `kubectl get -o json` dump), and a 4.6 MB one took 100 s. The index costs one pass per text.
 */
let lastIndexed: { text: string; index: LineIndex } | undefined;

export function lineIndexOf(text: string): LineIndex {
  if (lastIndexed?.text !== text) lastIndexed = { text, index: new LineIndex(text) };
  return lastIndexed.index;
}

/** Offset of the start of the line that holds `offset`. */
export function lineStartOf(text: string, offset: number): number {
  return lineIndexOf(text).lineStart(lineIndexOf(text).position(offset).line);
}

/** Offset of the start of the line after the one that holds `offset` (the text's length on the last line). */
export function nextLineStart(text: string, offset: number): number {
  const index = lineIndexOf(text);
  const line = index.position(offset).line;
  return line < index.lineCount ? index.lineStart(line + 1) : text.length;
}

