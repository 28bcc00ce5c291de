/**
 * Template directives in manifests: Helm's `{{ ... }}`, and in Jinja templates (`*.yml.j2`) also `{% ... %}` and
 * `{# ... #}`. Directives are not YAML: before parsing, each is masked
 * with text of exactly the same length (a directive alone on its line becomes a comment, one inside a line a
 * plain scalar), so that AST offsets are offsets in the original file and rules can ask which directives fall
 * inside a node before they dare to rewrite it. This module does not import the YAML parser, so rules can use it
 * at no start-up cost.
 */
import type { Alias, Document, Node } from 'yaml';

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

/** The template directives of a file: Helm's `{{ }}`, and with `jinja` also `{% %}` and `{# #}`. */
export function findDirectives(text: string, jinja = false): TemplateDirective[] {
  if (!text.includes('{{') && !(jinja && (text.includes('{%') || text.includes('{#')))) return [];
  const pattern = jinja ? JINJA_DIRECTIVE : DIRECTIVE;
  const found: TemplateDirective[] = [];
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    let lineEnd = text.indexOf('\n', end);
    if (lineEnd === -1) lineEnd = text.length;
    const before = text.slice(lineStart, start);
    const after = text.slice(end, lineEnd);
    // Several directives may share a line (`{{- end }}{{- end }}`): the line is still standalone.
    const standalone = /^\s*$/.test(before.replace(pattern, '')) && /^\s*$/.test(after.replace(pattern, ''));
    found.push({ start, end, text: match[0], standalone });
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
  return ast.directives.filter((d) => d.start < end && d.end > start);
}

