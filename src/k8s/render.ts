/**
 * Writing rebuilt Kubernetes objects back into a manifest: YAML in the file's own indentation style, JSON for
 * JSON, Helm directives (`Template`, `RawBlock`) restored exactly as written. Rendering is YAML 1.1-safe: strings
 * such as `on`, `yes` or `0x1F` are quoted, because Kubernetes' YAML reader would otherwise take them for
 * booleans or numbers.
 */
import type { Document, Node, YAMLMap } from 'yaml';
import { lineStartOf, nextLineStart } from '../edits.js';
import { isMap, isScalar, isSeq } from '../languages/yaml-nodes.js';
import type { NodeComment } from './comments.js';
import { yamlRuntime } from './runtime.js';
import { RawBlock, Template, TEMPLATE_KEY_PREFIX } from './values.js';

export interface Layout {
  /** Write JSON (a `.json` file, or a flow-style object). */
  json: boolean;
  /** Spaces per nesting level. */
  indent: number;
  /** Block sequences indented under their key (`key:\n  - a`) rather than level with it (`key:\n- a`). */
  indentSeq: boolean;
}

/** Object keys starting with this hold a `RawBlock` whose lines are spliced into the output. */
export const RAW_BLOCK_KEY_PREFIX = '\u0001';

export class RenderError extends Error {}

export function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

/** The indentation style of `node` (a block map) as written in `text`. */
export function detectLayout(text: string, node: YAMLMap, json: boolean): Layout {
  const layout: Layout = { json: json || Boolean(node.flow), indent: 2, indentSeq: true };
  if (layout.json) {
    // JSON: the indentation of the first nested line relative to the object's first line.
    const start = node.range?.[0] ?? 0;
    const lineStart = lineStartOf(text, start);
    const base = /^[ \t]*/.exec(text.slice(lineStart))![0].length;
    const nextLine = nextLineStart(text, start);
    if (nextLine < text.length) {
      const inner = /^[ ]*/.exec(text.slice(nextLine))![0].length;
      if (inner > base) layout.indent = inner - base;
    }
    return layout;
  }
  let indentFound = false;
  let seqFound = false;
  const visit = (map: YAMLMap) => {
    for (const pair of map.items) {
      if (indentFound && seqFound) return;
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      if (!key?.range || !value?.range) continue;
      const keyColumn = columnOf(text, key.range[0]);
      if (isMap(value) && !value.flow && value.items.length > 0) {
        const first = value.items[0].key as Node | null;
        if (!indentFound && first?.range) {
          const delta = columnOf(text, first.range[0]) - keyColumn;
          if (delta > 0) {
            layout.indent = delta;
            indentFound = true;
          }
        }
        visit(value);
      } else if (isSeq(value) && !value.flow && value.items.length > 0) {
        if (!seqFound) {
          layout.indentSeq = columnOf(text, value.range[0]) > keyColumn;
          seqFound = true;
        }
        for (const item of value.items) if (isMap(item)) visit(item);
      }
    }
  };
  visit(node);
  return layout;
}

interface Tokens {
  templates: string[];
  blocks: RawBlock[];
}

/** Replaces templates and raw blocks by plain tokens the YAML/JSON writers leave alone. */
function tokenize(value: unknown, tokens: Tokens): unknown {
  if (value instanceof Template) {
    tokens.templates.push(value.raw);
    return `__slicefix_tpl_${tokens.templates.length - 1}__`;
  }
  if (Array.isArray(value)) return value.map((v) => tokenize(v, tokens));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key.startsWith(RAW_BLOCK_KEY_PREFIX) && v instanceof RawBlock) {
        tokens.blocks.push(v);
        out[`__slicefix_raw_${tokens.blocks.length - 1}__`] = null;
      } else if (key.startsWith(TEMPLATE_KEY_PREFIX)) {
        tokens.templates.push(key.slice(TEMPLATE_KEY_PREFIX.length));
        out[`__slicefix_tpl_${tokens.templates.length - 1}__`] = tokenize(v, tokens);
      } else out[key] = tokenize(v, tokens);
    }
    return out;
  }
  return value;
}

function untokenize(text: string, tokens: Tokens): string {
  let out = text.replace(/^([ ]*)__slicefix_raw_(\d+)__:[^\n]*$/gm, (_whole, indent: string, index: string) => {
    const block = tokens.blocks[Number(index)];
    return block.lines
      .map((line) => {
        if (/^\s*$/.test(line)) return line;
        if (/^\s*\{\{/.test(line)) {
          // A whole-line directive such as `{{- include "x.labels" . | nindent 4 }}` fixes its own indentation.
          const wanted = /\bn?indent\s+(\d+)/.exec(line);
          if (wanted && Number(wanted[1]) !== indent.length) {
            throw new RenderError(
              `the directive ${line.trim()} indents by ${wanted[1]}, but the entries of the new object are at column ${indent.length}`,
            );
          }
          return line;
        }
        return indent + line.slice(block.indent);
      })
      .join('\n');
  });
  out = out.replace(/__slicefix_tpl_(\d+)__/g, (_whole, index: string) => tokens.templates[Number(index)]);
  return out;
}

/** A comment to write on a node of a new object: the node's path, key or value, before it or after it. */
export type PlacedComment = NodeComment;

/** Puts each comment on its node, or throws when the node does not exist (a comment is never dropped). */
function applyComments(doc: Document, comments: PlacedComment[]): void {
  for (const comment of comments) {
    let node: unknown;
    if (comment.onKey) {
      const parent = comment.path.length === 1 ? doc.contents : doc.getIn(comment.path.slice(0, -1), true);
      const key = comment.path[comment.path.length - 1];
      node = isMap(parent) ? parent.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key : undefined;
    } else {
      node = comment.path.length === 0 ? doc.contents : doc.getIn(comment.path, true);
    }
    if (node === null || typeof node !== 'object') {
      throw new RenderError(
        `the comment "#${comment.text}" (line ${comment.line}) has no corresponding place in the new object and would be lost; ` +
          'move it above the object (comments there are kept) or delete it, and run --fix again',
      );
    }
    const field = comment.place === 'before' ? 'commentBefore' : 'comment';
    const target = node as { commentBefore?: string | null; comment?: string | null };
    target[field] = target[field] ? `${target[field]}\n${comment.text}` : comment.text;
  }
}

/** One object as YAML (no trailing newline), every line after the first indented by `column`. */
export function renderYaml(value: unknown, layout: Layout, column = 0, comments: PlacedComment[] = []): string {
  const tokens: Tokens = { templates: [], blocks: [] };
  const doc = new (yamlRuntime().Document)(tokenize(value, tokens), { version: '1.1' });
  applyComments(doc, comments);
  let text = doc.toString({ indent: layout.indent, indentSeq: layout.indentSeq, lineWidth: 0 }).replace(/\n$/, '');
  if (column > 0) text = text.replace(/\n(?!\n)/g, `\n${' '.repeat(column)}`);
  return untokenize(text, tokens);
}

/** One object as JSON, every line after the first indented by `lineIndent`. */
export function renderJson(value: unknown, layout: Layout, lineIndent = ''): string {
  const tokens: Tokens = { templates: [], blocks: [] };
  const tokenized = tokenize(value, tokens);
  if (tokens.templates.length || tokens.blocks.length) throw new RenderError('Helm directives cannot be written as JSON');
  return JSON.stringify(tokenized, null, layout.indent).replace(/\n/g, `\n${lineIndent}`);
}

/** Where the replaced object sits: a document of its own, or an item of a `List`. */
export interface Placement {
  text: string;
  start: number;
  end: number;
  inList: boolean;
  /** The file is JSON: several objects at a document root are wrapped in a `List`. */
  jsonFile: boolean;
}

/**
 * The text that replaces [start, end) of `placement` with `objects`, and the trimmed end it replaces up to.
 * `comments[i]` are written on `objects[i]` (YAML only).
 */
export function replaceObject(
  objects: unknown[],
  layout: Layout,
  placement: Placement,
  comments: PlacedComment[][] = [],
): { start: number; end: number; text: string } {
  const { text, start } = placement;
  let end = placement.end;
  // Node ranges end after the trailing line break; keep it (and anything after the object) as it was.
  while (end > start && /\s/.test(text[end - 1])) end--;
  const lineStart = lineStartOf(text, start);
  const before = text.slice(lineStart, start);
  const lineIndent = /^[ \t]*/.exec(before)![0];
  const column = start - lineStart;
  if (layout.json) {
    const comment = comments.flat()[0];
    if (comment) throw new RenderError(`the comment "#${comment.text}" (line ${comment.line}) cannot be written in JSON`);
    if (!placement.inList && objects.length > 1 && placement.jsonFile) {
      const list = { apiVersion: 'v1', kind: 'List', items: objects };
      return { start, end, text: renderJson(list, layout, lineIndent) };
    }
    const separator = placement.inList ? `,\n${lineIndent}` : `\n---\n${lineIndent}`;
    return { start, end, text: objects.map((o) => renderJson(o, layout, lineIndent)).join(separator) };
  }
  const rendered = objects.map((o, i) => renderYaml(o, layout, column, comments[i]));
  if (placement.inList) {
    if (!/^\s*-\s+$/.test(before) && objects.length > 1) throw new RenderError('the list item does not start a line with "- "');
    return { start, end, text: rendered.join(`\n${before}`) };
  }
  return { start, end, text: rendered.join(`\n---\n${' '.repeat(column)}`) };
}

