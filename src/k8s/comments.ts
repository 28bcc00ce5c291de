/**
 * The comments written inside an object of a manifest, and the node each one belongs to, so that a rewrite that
 * rebuilds the object can carry them over (or refuse, naming them) instead of dropping them.
 *
 * Two views are combined. The YAML parser attaches comments to nodes (`commentBefore`, `comment`), which says where
 * a comment belongs but not where it is; and a comment attached to the object's first key or last value may lie
 * outside the object's text (those stay in the file anyway). So the comments are found by position in the text
 * the parser saw (directives masked: a masked whole-line directive is a blank comment and is skipped), and each is
 * matched, in order, with the node comment of the same text.
 */
import type { Node } from 'yaml';
import { isMap, isScalar, isSeq } from '../languages/yaml-nodes.js';

export type NodePath = (string | number)[];

export interface NodeComment {
  /** Path from the object to the node (for a key: the path of its pair's value). */
  path: NodePath;
  /** On the key of the pair at `path` rather than on its value. */
  onKey: boolean;
  /** A line of its own before the node, or after it (on its line). */
  place: 'before' | 'after';
  /** One comment line, without the `#`. */
  text: string;
  /** 1-based line in the file. */
  line: number;
}

export interface ObjectComments {
  /** The comments inside the object, each with the node it belongs to. */
  placed: NodeComment[];
  /** Comments inside the object that the parser attached to no node (`text`, `line`). */
  unattached: { text: string; line: number }[];
}

type Attachment = Omit<NodeComment, 'line'>;

function attachments(node: unknown, path: NodePath, out: Attachment[]): void {
  const add = (n: unknown, onKey: boolean, at: NodePath) => {
    const { commentBefore, comment } = (n ?? {}) as { commentBefore?: string | null; comment?: string | null };
    for (const text of commentBefore?.split('\n') ?? []) out.push({ path: at, onKey, place: 'before', text });
    for (const text of comment?.split('\n') ?? []) out.push({ path: at, onKey, place: 'after', text });
  };
  add(node, false, path);
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const at = [...path, String(pair.key.value)];
      add(pair.key, true, at);
      attachments(pair.value, at, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => attachments(item, [...path, i], out));
  }
}

function scalarRanges(node: unknown, out: [number, number][]): void {
  if (isScalar(node)) {
    if (node.range) out.push([node.range[0], node.range[1]]);
  } else if (isMap(node)) {
    for (const pair of node.items) {
      scalarRanges(pair.key, out);
      scalarRanges(pair.value, out);
    }
  } else if (isSeq(node)) for (const item of node.items) scalarRanges(item, out);
}

/** The `#` comments in [start, end) of `masked` that are not inside a scalar, with their lines. */
function commentsByPosition(masked: string, start: number, end: number, scalars: [number, number][]): { text: string; line: number }[] {
  const found: { text: string; line: number }[] = [];
  let line = masked.slice(0, start).split('\n').length;
  let lineStart = masked.lastIndexOf('\n', start - 1) + 1;
  while (lineStart < end) {
    const nl = masked.indexOf('\n', lineStart);
    const lineEnd = nl === -1 ? masked.length : nl;
    for (let p = Math.max(lineStart, start); p < Math.min(lineEnd, end); p++) {
      if (masked[p] !== '#' || (p > lineStart && !/[ \t]/.test(masked[p - 1]))) continue;
      if (scalars.some(([s, e]) => p >= s && p < e)) continue;
      const text = masked.slice(p + 1, lineEnd).replace(/\r$/, '');
      if (text.trim() !== '') found.push({ text, line });
      break;
    }
    lineStart = lineEnd + 1;
    line++;
  }
  return found;
}

/** The comments inside `object` (a parsed node spanning [start, end) of the text `masked`). */
export function commentsInObject(object: Node, masked: string, start: number, end: number): ObjectComments {
  const attached: Attachment[] = [];
  attachments(object, [], attached);
  // What precedes the object's first key lies before `start`: never a comment inside the object.
  const first = isMap(object) ? object.items[0]?.key : undefined;
  const firstKey = isScalar(first) ? String(first.value) : undefined;
  const outside = (a: Attachment) => a.path.length === 0 || (a.place === 'before' && a.onKey && a.path.length === 1 && a.path[0] === firstKey);
  const scalars: [number, number][] = [];
  scalarRanges(object, scalars);
  const used = new Set<number>();
  const placed: NodeComment[] = [];
  const unattached: { text: string; line: number }[] = [];
  for (const comment of commentsByPosition(masked, start, end, scalars)) {
    const index = attached.findIndex((a, i) => !used.has(i) && !outside(a) && a.text.trimEnd() === comment.text.trimEnd());
    if (index === -1) {
      unattached.push(comment);
      continue;
    }
    used.add(index);
    placed.push({ ...attached[index], line: comment.line });
  }
  return { placed, unattached };
}
