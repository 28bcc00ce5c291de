/**
 * Plain values from a parsed manifest node, for codemods that rebuild objects. Two things cannot be plain values
 * and are kept as written instead:
 * - `Template`: a scalar (or map key) holding a Helm directive, e.g. `name: {{ include "x.fullname" . }}`. Its
 *   source text is written back unchanged, so the chart renders as before.
 * - `RawBlock`: the lines of a `labels:`/`annotations:` block that contains whole-line directives, e.g.
 *   `{{- include "x.labels" . | nindent 4 }}`. Those lines are copied verbatim into the new object.
 */
import type { Node } from 'yaml';
import { isAlias, isMap, isScalar, isSeq } from '../languages/yaml-nodes.js';
import type { YamlAst } from '../languages/yaml.js';
import { lineIndexOf } from '../edits.js';
import { directivesIn } from '../languages/helm.js';
import { appendToTemplate, type Suffixed } from './template-suffix.js';

export class Template {
  constructor(
    readonly raw: string,
    /** Written in a Jinja template (Ansible), not a Helm one: the two quote differently. */
    readonly jinja = false,
  ) {}
  /** The source text with `suffix` appended to the value it renders, or why that cannot be done safely. */
  withSuffix(suffix: string): Suffixed {
    return appendToTemplate(this.raw, suffix, this.jinja);
  }
}

/** A block of map entries copied verbatim; `entries` are the entries the parser saw (directives masked). */
export class RawBlock {
  constructor(
    /** Lines of the block without their line breaks, as in the source. */
    readonly lines: string[],
    /** Column of the block's entries in the source. */
    readonly indent: number,
    readonly entries: Record<string, unknown>,
  ) {}
}

/** Map keys that are templates are encoded with this prefix (object keys must be strings). */
export const TEMPLATE_KEY_PREFIX = '\u0000';

export function isTemplateKey(key: string): boolean {
  return key.startsWith(TEMPLATE_KEY_PREFIX);
}

export class ValueError extends Error {}

export interface ValueContext {
  text: string;
  ast: YamlAst;
  /** The file is a Jinja template (its `{{ }}` are Jinja expressions). */
  jinja?: boolean;
}

export function describeAt(text: string, offset: number): string {
  return `line ${lineIndexOf(text).position(offset).line}`;
}

/** The plain value of `node`; scalars with Helm directives become `Template`s. Throws `ValueError`. */
export function nodeToValue(node: unknown, cx: ValueContext): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return nodeToValue(cx.ast.aliases.get(node), cx);
  if (isScalar(node)) {
    const [start, end] = node.range ?? [0, 0];
    const directives = directivesIn(cx.ast, start, end);
    if (directives.length === 0) return node.value;
    const raw = cx.text.slice(start, end);
    if (raw.includes('\n') || directives.some((d) => d.standalone)) {
      throw new ValueError(`the template directive at ${describeAt(cx.text, start)} spans lines`);
    }
    return new Template(raw, cx.jinja);
  }
  if (isSeq(node)) return node.items.map((item) => nodeToValue(item, cx));
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const keyValue = nodeToValue(pair.key, cx);
      let key: string;
      if (keyValue instanceof Template) key = TEMPLATE_KEY_PREFIX + keyValue.raw;
      else if (keyValue === null || typeof keyValue === 'object') {
        throw new ValueError(`a complex map key at ${describeAt(cx.text, (pair.key as Node | null)?.range?.[0] ?? 0)}`);
      } else key = String(keyValue);
      if (key === '<<') throw new ValueError(`a YAML merge key (<<) at ${describeAt(cx.text, (pair.key as Node).range?.[0] ?? 0)}`);
      out[key] = nodeToValue(pair.value, cx);
    }
    return out;
  }
  throw new ValueError('an unsupported YAML node');
}
