/**
 * Adds a `discovery.k8s.io` / `endpointslices` rule with the given verbs to an RBAC Role, right after the rule that
 * grants core `endpoints`. The old grant stays: code may read both APIs while it migrates. Which verbs are safe to
 * grant is the rule's decision (endpoints-rbac grants only get/list/watch, to readers).
 *
 * The new rule is written in the style of its neighbour: a block item at the same indentation, or a flow item
 * (`{...}`) in a flow sequence and in JSON.
 */
import type { Node, YAMLMap, YAMLSeq } from 'yaml';
import { isSeq } from '../src/languages/yaml-nodes.js';
import { mapGet } from '../src/manifests.js';
import type { Edit } from '../src/types.js';

export interface GrantInsertion {
  text: string;
  /** The Role's `rules` sequence and the rule item after which the new rule goes. */
  rules: YAMLSeq;
  after: YAMLMap;
  verbs: string[];
  json: boolean;
}

function quoteStyle(item: YAMLMap): 'double' | 'single' | 'plain' {
  const verbs = mapGet(item, 'verbs');
  const first = isSeq(verbs) ? (verbs.items[0] as Node | undefined) : undefined;
  const type = (first as { type?: string } | undefined)?.type;
  return type === 'QUOTE_DOUBLE' ? 'double' : type === 'QUOTE_SINGLE' ? 'single' : 'plain';
}

function quote(value: string, style: 'double' | 'single' | 'plain'): string {
  if (style === 'double') return JSON.stringify(value);
  if (style === 'single') return `'${value}'`;
  return value === '*' ? '"*"' : value;
}

/** End of the line that holds the last character of [start, end). */
function endOfLastLine(text: string, start: number, end: number): number {
  let last = end;
  while (last > start && /\s/.test(text[last - 1])) last--;
  const newline = text.indexOf('\n', last);
  const lineEnd = newline === -1 ? text.length : newline;
  return lineEnd > 0 && text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
}

export function addEndpointSliceGrant(insertion: GrantInsertion): Edit {
  const { text, rules, after, verbs, json } = insertion;
  const [start, valueEnd] = [after.range![0], after.range![1]];
  if (json || rules.flow) {
    const style = json ? 'double' : quoteStyle(after);
    const key = (k: string) => (json ? JSON.stringify(k) : k);
    const list = (values: string[]) => `[${values.map((v) => quote(v, style === 'plain' ? 'double' : style)).join(', ')}]`;
    const item = `{${key('apiGroups')}: ${list(['discovery.k8s.io'])}, ${key('resources')}: ${list(['endpointslices'])}, ${key('verbs')}: ${list(verbs)}}`;
    // An item that spans lines or starts a line of its own: the new item goes on a line of its own at the same
    // indentation (one-line items of a JSON array written one per line stay one per line).
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const ownLine = text.slice(start, valueEnd).includes('\n') || /^\s*$/.test(text.slice(lineStart, start));
    const indent = text.slice(lineStart, start).match(/^\s*/)![0];
    const end = after.range![1];
    return { start: end, end, text: ownLine ? `,\n${indent}${item}` : `, ${item}` };
  }
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const prefix = text.slice(lineStart, start);
  const dash = prefix.match(/^(\s*)-\s+$/);
  // `- apiGroups: ...`: the dash's column; an item on its own line after the dash: two columns back.
  const indent = dash ? dash[1] : ' '.repeat(Math.max(0, start - lineStart - 2));
  const style = quoteStyle(after);
  const verbsNode = mapGet(after, 'verbs');
  const flowSeqs = isSeq(verbsNode) && verbsNode.flow;
  // Block sequences: indent the new items as the neighbour's `verbs` items are (`- get` under `verbs:`, or
  // two more columns), so the new rule reads like the ones around it.
  const itemIndent = (() => {
    if (!isSeq(verbsNode) || verbsNode.flow || !verbsNode.range) return `${indent}  `;
    const seqStart = verbsNode.range[0];
    const seqLineStart = text.lastIndexOf('\n', seqStart - 1) + 1;
    const before = text.slice(seqLineStart, seqStart);
    return /^\s*$/.test(before) ? before : `${indent}  `;
  })();
  const field = (name: string, values: string[]) =>
    flowSeqs
      ? `${name}: [${values.map((v) => quote(v, style)).join(', ')}]`
      : `${name}:\n${values.map((v) => `${itemIndent}- ${quote(v, style)}`).join('\n')}`;
  const body = `${indent}- ${field('apiGroups', ['discovery.k8s.io'])}\n${indent}  ${field('resources', ['endpointslices'])}\n${indent}  ${field('verbs', verbs)}`;
  const at = endOfLastLine(text, start, valueEnd);
  return { start: at, end: at, text: `\n${body}` };
}
