/**
 * Grafana Alloy configuration (`.alloy`, and Grafana Agent Flow's `.river`), read at the level rules need: blocks
 * (`discovery.kubernetes "pods" { ... }`) with their attributes (`role = "endpoints"`) and nested blocks
 * (`rule { ... }`), each with its offsets, and an attribute's value kept as source text. Expressions are not
 * evaluated: a rule that needs one reads its text (a string literal, a list of them, a component reference).
 *
 * The scan knows Alloy's lexical rules that decide where things end: `//` and `/* *\/` comments, double-quoted
 * strings with escapes, back-quoted raw strings, and brackets inside expressions (an attribute ends at the first
 * line break outside them). Unbalanced braces or an unterminated string are parse errors, so no fix is applied.
 */
import type { LanguageSupport, ParseProblem } from '../types.js';

export { stringValue } from './alloy-strings.js';

export interface AlloyAttribute {
  name: string;
  /** Offset of the attribute's name. */
  start: number;
  /** [valueStart, valueEnd): the expression's source, without surrounding blanks or a trailing comment. */
  valueStart: number;
  valueEnd: number;
  value: string;
}

export interface AlloyBlock {
  /** `discovery.kubernetes`, `rule`. */
  name: string;
  label?: string;
  /** Offset of the block's name, and just after its closing brace. */
  start: number;
  end: number;
  /** Just after the opening brace, and at the closing brace. */
  bodyStart: number;
  bodyEnd: number;
  attributes: AlloyAttribute[];
  blocks: AlloyBlock[];
}

export interface AlloyAst {
  blocks: AlloyBlock[];
  /** [start, end) of every comment and string literal: text a search for references must skip. */
  opaque: [number, number][];
}

class Scanner {
  at = 0;
  readonly errors: ParseProblem[] = [];
  readonly opaque: [number, number][] = [];

  constructor(readonly text: string) {}

  /** Skips blanks and comments; with `lines`, line breaks too. */
  skip(lines: boolean): void {
    const t = this.text;
    while (this.at < t.length) {
      const c = t[this.at];
      if (c === ' ' || c === '\t' || c === '\r' || (lines && c === '\n')) this.at++;
      else if (t.startsWith('//', this.at)) {
        const end = t.indexOf('\n', this.at);
        this.opaque.push([this.at, end === -1 ? t.length : end]);
        this.at = end === -1 ? t.length : end;
      } else if (t.startsWith('/*', this.at)) {
        const end = t.indexOf('*/', this.at + 2);
        if (end === -1) {
          this.errors.push({ message: 'unterminated comment', offset: this.at });
          this.at = t.length;
        } else {
          this.opaque.push([this.at, end + 2]);
          this.at = end + 2;
        }
      } else break;
    }
  }

  /** Reads a string literal at the cursor and returns its value, or undefined (and an error) when unterminated. */
  string(): string | undefined {
    const t = this.text;
    const quote = t[this.at];
    const start = this.at;
    let value = '';
    this.at++;
    while (this.at < t.length && t[this.at] !== quote) {
      if (quote === '"' && t[this.at] === '\\') {
        value += t[this.at + 1] ?? '';
        this.at += 2;
        continue;
      }
      if (quote === '"' && t[this.at] === '\n') break;
      value += t[this.at++];
    }
    if (t[this.at] !== quote) {
      this.errors.push({ message: 'unterminated string', offset: start });
      return undefined;
    }
    this.at++;
    this.opaque.push([start, this.at]);
    return value;
  }

  identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(this.text.slice(this.at, this.at + 256));
    if (!match) return '';
    this.at += match[0].length;
    return match[0];
  }

  /** An expression from the cursor to the end of its line outside brackets: [start, end) without trailing blanks. */
  expression(): [number, number] {
    const t = this.text;
    const start = this.at;
    let depth = 0;
    let end = start;
    while (this.at < t.length) {
      const c = t[this.at];
      if (c === '"' || c === '`') {
        if (this.string() === undefined) return [start, this.at];
        end = this.at;
        continue;
      }
      if (t.startsWith('//', this.at) || t.startsWith('/*', this.at)) {
        const before = this.at;
        this.skip(false);
        if (this.at === before) this.at++;
        continue;
      }
      if (c === '\n' && depth === 0) break;
      if (c === '}' && depth === 0) break;
      if (c === '(' || c === '[' || c === '{') depth++;
      if (c === ')' || c === ']' || c === '}') depth--;
      this.at++;
      if (!/\s/.test(c)) end = this.at;
    }
    return [start, end];
  }

  /** Block body statements until `}` (or the end of the text at the top level). */
  body(topLevel: boolean): { attributes: AlloyAttribute[]; blocks: AlloyBlock[] } {
    const attributes: AlloyAttribute[] = [];
    const blocks: AlloyBlock[] = [];
    const t = this.text;
    for (;;) {
      this.skip(true);
      if (this.at >= t.length) {
        if (!topLevel) this.errors.push({ message: 'missing closing brace', offset: this.at });
        break;
      }
      if (t[this.at] === '}') {
        if (topLevel) {
          this.errors.push({ message: 'unexpected closing brace', offset: this.at });
          this.at++;
          continue;
        }
        break;
      }
      const start = this.at;
      const name = this.identifier();
      if (!name) {
        this.errors.push({ message: `unexpected character ${JSON.stringify(t[this.at])}`, offset: this.at });
        this.at++;
        continue;
      }
      this.skip(false);
      if (t[this.at] === '=' && t[this.at + 1] !== '=') {
        this.at++;
        this.skip(false);
        const [valueStart, valueEnd] = this.expression();
        attributes.push({ name, start, valueStart, valueEnd, value: t.slice(valueStart, valueEnd) });
        continue;
      }
      let label: string | undefined;
      if (t[this.at] === '"' || t[this.at] === '`') {
        label = this.string();
        this.skip(false);
      }
      if (t[this.at] !== '{') {
        this.errors.push({ message: `expected = or { after ${name}`, offset: this.at });
        const nl = t.indexOf('\n', this.at);
        this.at = nl === -1 ? t.length : nl;
        continue;
      }
      this.at++;
      const bodyStart = this.at;
      const inner = this.body(false);
      const bodyEnd = this.at;
      if (t[this.at] === '}') this.at++;
      blocks.push({ name, ...(label !== undefined ? { label } : {}), start, end: this.at, bodyStart, bodyEnd, ...inner });
    }
    return { attributes, blocks };
  }
}

export function parseAlloy(text: string): { ast: AlloyAst; errors: ParseProblem[] } {
  const scanner = new Scanner(text);
  const { blocks } = scanner.body(true);
  return { ast: { blocks, opaque: scanner.opaque }, errors: scanner.errors };
}

export const alloyLanguage: LanguageSupport<AlloyAst> = {
  id: 'alloy',
  lineComment: '//',
  parse: (text) => parseAlloy(text),
};
