/** Applying codemod edits to a text, and turning offsets into the 1-based lines and columns reports use. */
import type { Edit } from './types.js';
import { pushAll } from './push-all.js';

/**
 * Picks the edit groups (one group = the edits of one finding) that can be applied together: a group is taken
 * whole or not at all, and never when it overlaps a group taken before it. What is left is fixed on the next pass.
 */
export function selectNonOverlapping(groups: Edit[][]): Edit[] {
  const taken: Edit[] = [];
  const overlaps = (a: Edit, b: Edit) =>
    a.start < b.end && b.start < a.end ? true : a.start === a.end && b.start === b.end && a.start === b.start;
  for (const group of groups) {
    if (group.some((edit) => taken.some((t) => overlaps(edit, t)))) continue;
    if (group.some((a, i) => group.some((b, j) => i < j && overlaps(a, b)))) continue;
    pushAll(taken, group);
  }
  return taken;
}

export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const edit of sorted) {
    if (edit.start < 0 || edit.end > text.length || edit.start > edit.end) {
      throw new Error(`edit out of range: [${edit.start}, ${edit.end}) in a text of ${text.length} characters`);
    }
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return out;
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

  lineStart(line: number): number {
    return this.starts[line - 1] ?? this.starts[this.starts.length - 1];
  }
}
