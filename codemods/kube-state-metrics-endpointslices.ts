/**
 * Moves kube-state-metrics from its `endpoints` collector to `endpointslices`, in the two places its resource list
 * is written: the container flag `--resources=a,endpoints,b` and the chart's `collectors:` list. `endpoints` becomes
 * `endpointslices`; when `endpointslices` is already listed, `endpoints` is removed instead (a resource listed twice
 * is a flag error).
 *
 * This changes which metrics exist (kube_endpoint_* go, kube_endpointslice_* come), which is why the rule names the
 * readers of kube_endpoint_*; the edit itself only touches the list.
 */
import type { Scalar, YAMLSeq } from 'yaml';
import { isScalar } from '../src/languages/yaml-nodes.js';
import { scalarString } from '../src/manifests.js';
import type { Edit } from '../src/types.js';
import { lineStartOf } from '../src/edits.js';

const FLAG = '--resources=';

/** The resources of a `--resources=` argument, or undefined when the scalar is not one. */
export function resourcesOf(value: string): string[] | undefined {
  return value.startsWith(FLAG) ? value.slice(FLAG.length).split(',') : undefined;
}

/** The edit to a `--resources=` argument, or the reason it cannot be written (an escaped or multi-line scalar). */
export function rewriteResourcesFlag(text: string, arg: Scalar): Edit | string {
  const value = String(arg.value);
  const resources = resourcesOf(value)!;
  const replaced = resources.includes('endpointslices')
    ? resources.filter((r) => r !== 'endpoints')
    : resources.map((r) => (r === 'endpoints' ? 'endpointslices' : r));
  const [start, end] = arg.range!;
  const at = text.slice(start, end).indexOf(value);
  // Plain and simply quoted scalars hold their value verbatim; anything else (escapes, folding) is left to a person.
  if (at === -1) return 'the argument is not written verbatim (escapes or line folding)';
  return { start: start + at, end: start + at + value.length, text: `${FLAG}${replaced.join(',')}` };
}


/** The edit to a chart's `collectors:` list item `endpoints`. */
export function rewriteCollector(text: string, list: YAMLSeq, item: Scalar): Edit | string {
  const [start, end] = item.range!;
  const hasSlices = list.items.some((i) => scalarString(i) === 'endpointslices');
  if (!hasSlices) {
    const at = text.slice(start, end).indexOf('endpoints');
    return { start: start + at, end: start + at + 'endpoints'.length, text: 'endpointslices' };
  }
  if (list.flow) return 'the list is written in flow style and already holds endpointslices';
  // Remove the item's whole line (`  - endpoints` and its line break).
  const lineStart = lineStartOf(text, start);
  if (!/^\s*-\s*$/.test(text.slice(lineStart, start))) return 'the item does not stand on its own line';
  const nl = text.indexOf('\n', end);
  return { start: lineStart, end: nl === -1 ? text.length : nl + 1, text: '' };
}

export const isCollectorItem = (node: unknown): node is Scalar => isScalar(node) && node.value === 'endpoints' && node.range !== undefined;
