/**
 * Edits that move a Grafana Alloy pipeline from the Kubernetes `endpoints` role to `endpointslice`: the role string
 * itself, the meta labels the `rule` blocks of the components that read its targets name in `source_labels` and
 * `target_label` (by the table in src/prometheus/meta-labels.ts), and a first `rule` that drops terminating
 * endpoints, which v1 Endpoints never listed.
 *
 * It refuses (returns the reason) where a rename cannot be exact: a label without counterpart, a label named inside
 * `regex` or `replacement`, a list that is not a list of string literals.
 */
import type { AlloyAttribute, AlloyBlock } from '../src/languages/alloy.js';
import { stringValue } from '../src/languages/alloy-strings.js';
import { ENDPOINTS_META_LABEL, READY_LABEL, renameOf, TERMINATING_LABEL, type MetaLabelRename } from '../src/prometheus/meta-labels.js';
import type { Edit } from '../src/types.js';
import { lineStartOf } from '../src/edits.js';

const STRING = /"((?:[^"\\\n]|\\.)*)"/g;
const WHOLE_LABEL = new RegExp(`^${ENDPOINTS_META_LABEL.source}$`);

export function attribute(block: AlloyBlock, name: string): AlloyAttribute | undefined {
  return block.attributes.find((a) => a.name === name);
}

/** Replaces an attribute's whole value with a string literal. */
export function setString(attr: AlloyAttribute, value: string): Edit {
  return { start: attr.valueStart, end: attr.valueEnd, text: JSON.stringify(value) };
}


/** Adds `name = "value"` as the block's first line, at the indentation of its first attribute or block. */
export function insertAttribute(text: string, block: AlloyBlock, name: string, value: string): Edit | string {
  const first = [...block.attributes.map((a) => a.start), ...block.blocks.map((b) => b.start)].sort((a, b) => a - b)[0];
  if (first === undefined) return `the ${block.name} block is empty`;
  const lineStart = lineStartOf(text, first);
  const indent = text.slice(lineStart, first);
  if (!/^[ \t]*$/.test(indent) || lineStart <= block.bodyStart) return `the ${block.name} block does not start its arguments on lines of their own`;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return { start: first, end: first, text: `${name} = ${JSON.stringify(value)}${eol}${indent}` };
}

export interface RuleRenames {
  edits: Edit[];
  renames: MetaLabelRename[];
  /** A rule keeps only ready endpoints (so none that is terminating). */
  readyKept: boolean;
}

/** The string literals of a list expression (`["a", "b"]`) with their offsets, or undefined when it holds anything else. */
function stringList(attr: AlloyAttribute): { value: string; start: number; end: number }[] | undefined {
  const inner = attr.value.trim();
  if (!inner.startsWith('[') || !inner.endsWith(']')) return undefined;
  const items: { value: string; start: number; end: number }[] = [];
  for (const m of attr.value.matchAll(STRING)) items.push({ value: stringValue(m[0])!, start: attr.valueStart + m.index, end: attr.valueStart + m.index + m[0].length });
  // Only literals, commas and blanks between the brackets (no function calls, no variables).
  const rest = attr.value.replace(STRING, '').replace(/\/\/[^\n]*/g, '');
  return /^\s*\[[\s,]*\]\s*$/.test(rest) ? items : undefined;
}

function keepsOnlyReady(rule: AlloyBlock): boolean {
  const sources = attribute(rule, 'source_labels');
  const list = sources && stringList(sources);
  const only = list?.length === 1 && list[0].value === READY_LABEL;
  const action = (stringValue(attribute(rule, 'action')?.value ?? '"replace"') ?? '').toLowerCase();
  const regex = stringValue(attribute(rule, 'regex')?.value ?? '');
  return only && ((action === 'keep' && regex === 'true') || (action === 'drop' && regex === 'false'));
}

/** Renames the endpoints meta labels the `rule` blocks of a component name, all or none (then the reason). */
export function renameRuleLabels(component: AlloyBlock, where: string): RuleRenames | { reason: string } {
  const edits: Edit[] = [];
  const renames = new Map<string, MetaLabelRename>();
  let readyKept = false;
  for (const rule of component.blocks.filter((b) => b.name === 'rule')) {
    readyKept ||= keepsOnlyReady(rule);
    for (const attr of rule.attributes) {
      const labels = [...attr.value.matchAll(ENDPOINTS_META_LABEL)].map((m) => m[0]);
      if (labels.length === 0) continue;
      if (attr.name !== 'source_labels' && attr.name !== 'target_label') {
        return { reason: `${where} names ${labels[0]} inside ${attr.name}, which slicefix cannot map to the endpointslice role` };
      }
      const items = attr.name === 'source_labels' ? stringList(attr) : stringValue(attr.value) !== undefined ? [{ value: stringValue(attr.value)!, start: attr.valueStart, end: attr.valueEnd }] : undefined;
      if (!items) return { reason: `${where} computes its ${attr.name}, which slicefix cannot follow` };
      for (const item of items) {
        if (!WHOLE_LABEL.test(item.value)) {
          if (/__meta_kubernetes_endpoints?_/.test(item.value)) return { reason: `${where} names an endpoints meta label inside ${JSON.stringify(item.value)}` };
          continue;
        }
        const rename = renameOf(item.value);
        if (!rename) return { reason: `${where} reads ${item.value}, which has no exact counterpart in the endpointslice role` };
        renames.set(rename.from, rename);
        edits.push({ start: item.start, end: item.end, text: JSON.stringify(rename.to) });
      }
    }
  }
  return { edits, renames: [...renames.values()], readyKept };
}

const DROP_COMMENT = '// v1 Endpoints never listed terminating pods; the endpointslice role does (slicefix)';

/**
 * A `rule` block dropping terminating endpoints, inserted before the component's first rule (so it runs first), or
 * after its `targets` argument when it has none.
 */
export function insertDropRule(text: string, component: AlloyBlock): Edit | string {
  const firstRule = component.blocks.find((b) => b.name === 'rule');
  const anchor = firstRule?.start ?? attribute(component, 'targets')?.start;
  if (anchor === undefined) return `${component.name} has neither a rule block nor a targets argument`;
  const lineStart = lineStartOf(text, anchor);
  const indent = text.slice(lineStart, anchor);
  if (!/^[ \t]*$/.test(indent)) return `${component.name} does not start its rule blocks on lines of their own`;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const rule = [
    DROP_COMMENT,
    'rule {',
    `  source_labels = [${JSON.stringify(TERMINATING_LABEL)}]`,
    '  regex         = "true"',
    '  action        = "drop"',
    '}',
  ].map((line, i) => (i === 0 ? line : `${indent}${line}`));
  if (firstRule) return { start: anchor, end: anchor, text: `${rule.join(eol)}${eol}${eol}${indent}` };
  const targets = attribute(component, 'targets')!;
  return { start: targets.valueEnd, end: targets.valueEnd, text: `${eol}${eol}${indent}${rule.join(eol)}` };
}
