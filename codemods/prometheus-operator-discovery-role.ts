/**
 * Edits that move prometheus-operator's discovery to EndpointSlices: set a key of a block mapping to a plain value
 * (`serviceDiscoveryRole: EndpointSlice`, `kubeletEndpointSliceEnabled: true`), replacing the value it has or adding
 * the key on a line of its own at the mapping's indentation. The meta-label renames of monitors' relabelings and a
 * ScrapeConfig's whole rewrite come from prometheus-endpointslice-role (dialect OPERATOR_CRD).
 *
 * It refuses (returns the reason) where it cannot write a line that keeps the mapping's layout: a flow mapping
 * (`spec: {}`), an empty one, or a key that does not start its own line.
 */
import type { Node, YAMLMap } from 'yaml';
import { isScalar } from '../src/languages/yaml-nodes.js';
import { mapPair } from '../src/manifests.js';
import type { Edit } from '../src/types.js';
import { lineStartOf } from '../src/edits.js';


function lineEndOf(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  const end = nl === -1 ? text.length : nl;
  return end > 0 && text[end - 1] === '\r' ? end - 1 : end;
}

/** Whether an edit changes a line that also holds one of these ranges (template directives). */
export function touchesLines(text: string, edit: Edit, ranges: readonly { start: number; end: number }[]): boolean {
  const start = lineStartOf(text, edit.start);
  const end = lineEndOf(text, edit.end);
  return ranges.some((r) => r.start <= end && r.end >= start);
}

/**
 * Sets `key: value` in a block mapping: the scalar it holds is replaced; an absent key is added after the pair
 * `after` names (when it holds a scalar on its own line), else before the mapping's first key.
 */
export function setMapKey(text: string, map: YAMLMap, key: string, value: string, after?: string): Edit | string {
  const pair = mapPair(map, key);
  if (pair) {
    const current = pair.value as Node | null;
    if (isScalar(current) && current.range) {
      if (String(current.value ?? '') === value) return `${key} is already ${value}`;
      return { start: current.range[0], end: current.range[1], text: value };
    }
    const keyNode = pair.key as Node;
    if (current === null && keyNode.range) {
      // `key:` with nothing after it: the value goes after the colon.
      const colon = text.indexOf(':', keyNode.range[1]);
      if (colon === -1 || colon >= lineEndOf(text, keyNode.range[1])) return `its ${key} is not written as key: value`;
      return { start: colon + 1, end: colon + 1, text: ` ${value}` };
    }
    return `its ${key} does not hold a plain value`;
  }
  if (map.flow || map.items.length === 0) return `the mapping that should hold ${key} is empty or written in flow style`;
  const first = map.items[0].key as Node;
  if (!first?.range) return `the mapping that should hold ${key} has no plain keys`;
  const column = first.range[0] - lineStartOf(text, first.range[0]);
  if (!/^ *$/.test(text.slice(lineStartOf(text, first.range[0]), first.range[0]))) {
    return `the mapping that should hold ${key} does not start its keys on lines of their own`;
  }
  const pad = ' '.repeat(column);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const previous = after ? mapPair(map, after) : undefined;
  const previousValue = previous?.value as Node | null | undefined;
  if (previous && isScalar(previousValue) && previousValue.range && !text.slice(previousValue.range[0], previousValue.range[1]).includes('\n')) {
    const end = lineEndOf(text, previousValue.range[1]);
    return { start: end, end, text: `${eol}${pad}${key}: ${value}` };
  }
  return { start: first.range[0], end: first.range[0], text: `${key}: ${value}${eol}${pad}` };
}
