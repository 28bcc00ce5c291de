/**
 * Go 1.26 lets `new` take an expression (`new(int64(5))`, `new(f())`, `new("x")`); tree-sitter-go (0.23.4 and
 * 0.25.0, the newest on npm) knows only `new(Type)` and reports a syntax error there. This module finds the
 * `new(...)` calls and renames some of them, in a text of the same length, to ordinary calls, which the grammar
 * does parse: if that text parses cleanly, the only errors were `new(expr)`.
 */
/** The text range of a `new(...)` call, from `new` to after its closing parenthesis. */
export interface NewCallSpan {
  start: number;
  end: number;
}

const IDENTIFIER_START = /[\p{L}_]/u;
const IDENTIFIER_PART = /[\p{L}\p{N}_]/u;

function isIdentifierStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || (c > '\x7f' && IDENTIFIER_START.test(c));
}

function isIdentifierPart(c: string): boolean {
  return isIdentifierStart(c) || (c >= '0' && c <= '9') || (c > '\x7f' && IDENTIFIER_PART.test(c));
}

/** Where an interpreted string or rune literal opened at `open` ends (after its closing quote, or at the line's end). */
function skipQuoted(text: string, open: number, quote: string): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote || text[i] === '\n') return i + 1;
  }
  return text.length;
}

/** Every call of the built-in-looking name `new` (not a method `x.new(`), skipping comments and literals. */
export function newCallSpans(text: string): NewCallSpan[] {
  const spans: NewCallSpan[] = [];
  const open: { start: number; depth: number }[] = [];
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '"' || c === "'") {
      i = skipQuoted(text, i, c);
    } else if (c === '`') {
      const end = text.indexOf('`', i + 1);
      i = end < 0 ? text.length : end + 1;
    } else if (isIdentifierStart(c)) {
      let j = i + 1;
      while (j < text.length && isIdentifierPart(text[j])) j++;
      let k = j;
      while (text[k] === ' ' || text[k] === '\t') k++;
      if (j - i === 3 && text.startsWith('new', i) && text[i - 1] !== '.' && text[k] === '(') {
        open.push({ start: i, depth });
        depth++;
        i = k + 1;
      } else {
        i = j;
      }
    } else {
      if (c === '(') depth++;
      else if (c === ')') {
        depth--;
        if (open.length && open[open.length - 1].depth === depth) spans.push({ start: open.pop()!.start, end: i + 1 });
      }
      i++;
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** `text` with each call in `spans` renamed to an ordinary call of the same length (every offset stays valid). */
export function asOrdinaryCalls(text: string, spans: Iterable<NewCallSpan>): string {
  let renamed = '';
  let from = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    // Any identifier but `new` and `make` (which the grammar reads as taking a type) makes an ordinary call.
    renamed += text.slice(from, span.start) + 'neW';
    from = span.start + 3;
  }
  return renamed + text.slice(from);
}
