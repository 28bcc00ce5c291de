/**
 * Template directives in manifests: Helm's `{{ ... }}`, and in Jinja templates (`*.yml.j2`) also `{% ... %}` and
 * `{# ... #}`. Directives are not YAML: before parsing, each is masked
 * with text of exactly the same length (a directive alone on its line becomes a comment, one inside a line a
 * plain scalar), so that AST offsets are offsets in the original file and rules can ask which directives fall
 * inside a node before they dare to rewrite it. This module does not import the YAML parser, so rules can use it
 * at no start-up cost.
 */
import type { Alias, Document, Node } from 'yaml';
import { lineStartOf, nextLineStart } from '../edits.js';

export interface TemplateDirective {
  start: number;
  end: number;
  text: string;
  /** Alone on its line(s), e.g. `{{- if .Values.enabled }}`: masked as a comment. */
  standalone: boolean;
}

export interface YamlAst {
  documents: Document.Parsed[];
  /** Helm directives found in the file (empty for plain YAML/JSON). */
  directives: TemplateDirective[];
  /** The text the YAML parser saw (equal to the file text when there are no directives). */
  masked: string;
  /** What each alias stands for, resolved once at parse (see yaml-nodes.ts `indexAliases`). */
  aliases: Map<Alias, Node>;
}

const DIRECTIVE = /\{\{[\s\S]*?\}\}/g;
/** Jinja's expressions, statements (`{% for %}`) and comments (`{# #}`). */
const JINJA_DIRECTIVE = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;
/** Character used to mask inline directives; any plain-scalar character would do. */
const MASK_CHAR = '_';

/** Offset of the line break that ends the line holding `offset` (the text's length on the last line). */
function lineEndOf(text: string, offset: number): number {
  const next = nextLineStart(text, offset);
  return next > offset && text[next - 1] === '\n' ? next - 1 : text.length;
}

/** The template directives of a file: Helm's `{{ }}`, and with `jinja` also `{% %}` and `{# #}`. */
export function findDirectives(text: string, jinja = false): TemplateDirective[] {
  if (!text.includes('{{') && !(jinja && (text.includes('{%') || text.includes('{#')))) return [];
  const pattern = jinja ? JINJA_DIRECTIVE : DIRECTIVE;
  const found: TemplateDirective[] = [];
  for (const match of text.matchAll(pattern)) {
    found.push({ start: match.index, end: match.index + match[0].length, text: match[0], standalone: false });
  }
  // A directive is standalone when the rest of its first line before it and of its last line after it is blank or
  // other directives (`{{- end }}{{- end }}`). Decided gap by gap, each gap read once: a one-line template with
  // thousands of directives was quadratic when each directive re-read its whole line.
  const isBlank = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 11 && c !== 12) return false;
    }
    return true;
  };
  const blankBefore: boolean[] = [];
  for (let i = 0; i < found.length; i++) {
    const d = found[i];
    const lineStart = lineStartOf(text, d.start);
    const prev = found[i - 1];
    if (prev && prev.end > lineStart && prev.start >= lineStart) {
      // The previous directive is on this line: the gap to it, and what came before it.
      blankBefore.push(blankBefore[i - 1] && isBlank(prev.end, d.start));
    } else if (prev && prev.end > lineStart) {
      // It began on a line above: read the line's text before this directive as a whole (once per such line).
      blankBefore.push(/^\s*$/.test(text.slice(lineStart, d.start).replace(pattern, '')));
    } else blankBefore.push(isBlank(lineStart, d.start));
  }
  let blankAfter = true;
  for (let i = found.length - 1; i >= 0; i--) {
    const d = found[i];
    const lineEnd = lineEndOf(text, d.end);
    const next = found[i + 1];
    if (next && next.start < lineEnd && next.end <= lineEnd) blankAfter = blankAfter && isBlank(d.end, next.start);
    else if (next && next.start < lineEnd) blankAfter = /^\s*$/.test(text.slice(d.end, lineEnd).replace(pattern, ''));
    else blankAfter = isBlank(d.end, lineEnd);
    d.standalone = blankBefore[i] && blankAfter;
  }
  return found;
}

export function maskDirectives(text: string, directives: TemplateDirective[]): string {
  if (directives.length === 0) return text;
  let out = '';
  let last = 0;
  for (const d of directives) {
    out += text.slice(last, d.start);
    let mask = '';
    let atSegmentStart = true;
    for (const ch of d.text) {
      if (ch === '\n' || ch === '\r') {
        mask += ch;
        atSegmentStart = true;
      } else if (d.standalone) {
        mask += atSegmentStart ? '#' : ' ';
        atSegmentStart = false;
      } else {
        mask += MASK_CHAR;
      }
    }
    out += mask;
    last = d.end;
  }
  return out + text.slice(last);
}

/** Directives that overlap [start, end). */
export function directivesIn(ast: YamlAst, start: number, end: number): TemplateDirective[] {
  // Directives are in file order and do not overlap: binary search for the first one ending after `start`
  // (asked once per scalar, a scan of every directive made a template with thousands of them quadratic).
  const { directives } = ast;
  let lo = 0;
  let hi = directives.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (directives[mid].end <= start) lo = mid + 1;
    else hi = mid;
  }
  const out: TemplateDirective[] = [];
  for (let i = lo; i < directives.length && directives[i].start < end; i++) out.push(directives[i]);
  return out;
}

