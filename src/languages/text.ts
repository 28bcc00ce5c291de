/**
 * Languages slicefix reads line by line (shell, Makefile, Dockerfile, Markdown): their rules match commands in
 * text, so the "AST" is the text split into lines with their offsets. Parsing never fails.
 */
import type { LanguageId, LanguageSupport } from '../types.js';

export interface TextLine {
  /** Offset of the line's first character in the file text. */
  start: number;
  /** The line without its line ending. */
  text: string;
}

export interface TextAst {
  lines: TextLine[];
}

export function splitLines(text: string): TextLine[] {
  const lines: TextLine[] = [];
  let start = 0;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    const lineEnd = end > start && text[end - 1] === '\r' ? end - 1 : end;
    lines.push({ start, text: text.slice(start, lineEnd) });
    if (nl === -1) break;
    start = nl + 1;
  }
  return lines;
}

function textLanguage(id: LanguageId, lineComment: LanguageSupport['lineComment']): LanguageSupport<TextAst> {
  return { id, lineComment, parse: (text) => ({ ast: { lines: splitLines(text) }, errors: [] }) };
}

export const shellLanguage = textLanguage('shell', '#');
export const makefileLanguage = textLanguage('makefile', '#');
export const dockerfileLanguage = textLanguage('dockerfile', '#');
export const markdownLanguage = textLanguage('markdown', '<!--');
