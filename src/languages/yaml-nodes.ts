/**
 * Type guards for the `yaml` package's AST nodes, without importing the package: rule modules are loaded at
 * start-up (they are registered statically), and importing the YAML parser there would cost every run — even
 * a pre-commit run on one Go file — the parser's load time. The `yaml` package marks its nodes with these
 * global symbols (`Symbol.for`), which is what its own `isMap`/`isSeq`/... check.
 */
import type { Alias, Node, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

const NODE_TYPE = Symbol.for('yaml.node.type');
const ALIAS = Symbol.for('yaml.alias');
const MAP = Symbol.for('yaml.map');
const PAIR = Symbol.for('yaml.pair');
const SCALAR = Symbol.for('yaml.scalar');
const SEQ = Symbol.for('yaml.seq');

const typeOf = (node: unknown): symbol | undefined =>
  node !== null && typeof node === 'object' ? (node as Record<symbol, symbol>)[NODE_TYPE] : undefined;

export const isAlias = (node: unknown): node is Alias => typeOf(node) === ALIAS;
export const isMap = (node: unknown): node is YAMLMap<unknown, unknown> => typeOf(node) === MAP;
export const isPair = (node: unknown): node is Pair<unknown, unknown> => typeOf(node) === PAIR;
export const isScalar = (node: unknown): node is Scalar<unknown> => typeOf(node) === SCALAR;
export const isSeq = (node: unknown): node is YAMLSeq<unknown> => typeOf(node) === SEQ;
export const isNode = (node: unknown): node is Node => isAlias(node) || isMap(node) || isScalar(node) || isSeq(node);

/** Calls `visitor` for every node below `node` (depth first, keys before values). Aliases are not followed. */
export function walkNodes(node: unknown, visitor: (node: Node, parent: Node | Pair | undefined) => void, parent?: Node | Pair): void {
  if (isPair(node)) {
    walkNodes(node.key, visitor, node);
    walkNodes(node.value, visitor, node);
    return;
  }
  if (!isNode(node)) return;
  visitor(node, parent);
  if (isMap(node) || isSeq(node)) for (const item of node.items) walkNodes(item, visitor, node);
}

/** The aliases of one document, resolved once, and the document's size once they are followed. */
export interface AliasIndex {
  /** The node each alias stands for: the last node before it with its anchor, as YAML resolves it. */
  targets: Map<Alias, Node>;
  /** Nodes as written. */
  written: number;
  /** Nodes once every alias is replaced by a copy of what it stands for; Infinity when one stands inside itself. */
  expanded: number;
}

/**
 * One walk in document order. An alias can only refer to a node written before it, so the size of what it
 * stands for is already known when the walk meets it (unless the alias sits inside that node: a cycle); sizes
 * are never computed twice, and a 580-byte alias bomb's 10^12 nodes are counted, not built. The `yaml` package's
 * own `Alias.resolve` walks the whole document for each alias, which is quadratic in the number of aliases.
 */
export function indexAliases(root: unknown): AliasIndex {
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  const targets = new Map<Alias, Node>();
  let written = 0;
  const sizeOf = (node: unknown): number => {
    if (isPair(node)) return sizeOf(node.key) + sizeOf(node.value);
    if (!isNode(node)) return 0;
    written++;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) return 1;
      targets.set(node, target);
      return sizes.get(target) ?? Infinity;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    let size = 1;
    if (isMap(node) || isSeq(node)) for (const item of node.items) size += sizeOf(item);
    if (node.anchor) sizes.set(node, size);
    return size;
  };
  const expanded = sizeOf(root);
  return { targets, written, expanded };
}
