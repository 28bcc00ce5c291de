/**
 * Kubernetes objects inside parsed YAML/JSON: each document's top-level object, and the `items` of any
 * `kind: List` / `kind: *List` wrapper (what `kubectl get -o yaml` writes). Rules for manifests build on this.
 */
import type { Node, Pair, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq } from './languages/yaml-nodes.js';
import type { YamlAst } from './languages/yaml.js';

export interface ManifestObject {
  node: YAMLMap;
  apiVersion: string | undefined;
  kind: string | undefined;
  /** Index of the YAML document in the file. */
  documentIndex: number;
  /** The object is an item of a `List`; it cannot be replaced by several documents, only by several items. */
  inList: boolean;
  /** [start, end) of the object in the file text. */
  start: number;
  end: number;
}

export function mapPair(map: YAMLMap, key: string): Pair<unknown, unknown> | undefined {
  return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key) as Pair<unknown, unknown> | undefined;
}

export function mapGet(map: YAMLMap, key: string): Node | undefined {
  const value = mapPair(map, key)?.value;
  return value === null || value === undefined ? undefined : (value as Node);
}

export function mapGetMap(map: YAMLMap, key: string): YAMLMap | undefined {
  const value = mapGet(map, key);
  return isMap(value) ? value : undefined;
}

export function scalarString(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return v === null || v === undefined ? undefined : String(v);
}

export function mapGetString(map: YAMLMap, key: string): string | undefined {
  return scalarString(mapGet(map, key));
}

export function nodeRange(node: Node): [number, number] {
  const range = node.range ?? [0, 0, 0];
  return [range[0], range[1]];
}

function objectOf(node: YAMLMap, documentIndex: number, inList: boolean): ManifestObject {
  const [start, end] = nodeRange(node);
  return {
    node,
    apiVersion: mapGetString(node, 'apiVersion'),
    kind: mapGetString(node, 'kind'),
    documentIndex,
    inList,
    start,
    end,
  };
}

/** Every Kubernetes object of the file, list items included, in document order. */
export function manifestObjects(ast: YamlAst): ManifestObject[] {
  const objects: ManifestObject[] = [];
  ast.documents.forEach((doc, documentIndex) => {
    const root = doc.contents;
    if (!isMap(root)) return;
    const object = objectOf(root, documentIndex, false);
    const items = mapGet(root, 'items');
    if (object.kind?.endsWith('List') && isSeq(items)) {
      for (const item of items.items) if (isMap(item)) objects.push(objectOf(item, documentIndex, true));
      return;
    }
    objects.push(object);
  });
  return objects;
}

/**
 * A scalar's value for messages. In a Helm template the parser saw masked text, so when the original `text` is
 * given and the scalar was (partly) a directive, the original source of the scalar is returned instead.
 */
export function displayString(node: unknown, text?: string): string | undefined {
  const value = scalarString(node);
  if (value === undefined || text === undefined || !isScalar(node) || !node.range) return value;
  const source = text.slice(node.range[0], node.range[1]);
  return source.includes('{{') ? source.trim() : value;
}

/** The object's `metadata.name` and `metadata.namespace` (with `text`: template directives shown as written). */
export function objectName(object: ManifestObject, text?: string): { name?: string; namespace?: string } {
  const metadata = mapGetMap(object.node, 'metadata');
  if (!metadata) return {};
  return { name: displayString(mapGet(metadata, 'name'), text), namespace: displayString(mapGet(metadata, 'namespace'), text) };
}
