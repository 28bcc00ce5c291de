/**
 * Moves one Prometheus scrape job from `role: endpoints` to `role: endpointslice`, keeping what it scrapes.
 *
 * - Every `role: endpoints` of the job becomes `role: endpointslice`.
 * - Every meta label of the endpoints role that its `relabel_configs` read (`source_labels`) or write
 *   (`target_label`) is renamed by the table in src/prometheus/meta-labels.ts. Meta labels never reach
 *   `metric_relabel_configs`, so those are left as they are.
 * - v1 Endpoints never listed a terminating pod, but the endpointslice role makes it a target (ready=false,
 *   terminating=true). Unless the job already keeps only ready endpoints, a first relabel rule drops terminating
 *   endpoints, so the job scrapes the pods it scraped before.
 *
 * It refuses (returns the reason) where the result could differ in a way it cannot express: a job mixing roles
 * (one relabel_configs serves both), a meta label without an exact counterpart, a label name inside a regex
 * (labelmap, labeldrop), a flow-style relabel_configs it would have to extend.
 */
import type { Node, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isScalar, isSeq } from '../src/languages/yaml-nodes.js';
import { mapGet, mapPair, scalarString } from '../src/manifests.js';
import { ENDPOINTS_META_LABEL, READY_LABEL, renameOf, TERMINATING_LABEL, type MetaLabelRename } from '../src/prometheus/meta-labels.js';
import type { Edit } from '../src/types.js';

export interface JobRewrite {
  /** Edits in the coordinates of the job's text. */
  edits: Edit[];
  renames: MetaLabelRename[];
  /** A relabel rule dropping terminating endpoints was added. */
  dropsTerminating: boolean;
}

type Outcome = { rewrite: JobRewrite } | { reason: string };

const LABEL_KEYS = new Set(['source_labels', 'target_label']);

function sdConfigs(job: YAMLMap): YAMLMap[] {
  const seq = mapGet(job, 'kubernetes_sd_configs') as YAMLSeq;
  return seq.items.filter(isMap);
}

export function roleScalar(sd: YAMLMap): Scalar | undefined {
  const role = mapGet(sd, 'role');
  return isScalar(role) ? role : undefined;
}

/** The job's sd configs with `role: endpoints`. */
export function endpointsRoles(job: YAMLMap): Scalar[] {
  return sdConfigs(job)
    .map(roleScalar)
    .filter((r): r is Scalar => r !== undefined && r.value === 'endpoints');
}

function replaceWord(text: string, node: Node, word: string, replacement: string): Edit | undefined {
  if (!node.range) return undefined;
  const at = text.slice(node.range[0], node.range[1]).indexOf(word);
  return at === -1 ? undefined : { start: node.range[0] + at, end: node.range[0] + at + word.length, text: replacement };
}

/** Does a relabel rule already drop every endpoint that is not ready (and so every terminating one)? */
function keepsOnlyReady(rule: YAMLMap): boolean {
  const sources = mapGet(rule, 'source_labels');
  const only = isSeq(sources) && sources.items.length === 1 && scalarString(sources.items[0]) === READY_LABEL;
  const action = scalarString(mapGet(rule, 'action')) ?? 'replace';
  const regex = scalarString(mapGet(rule, 'regex'));
  return only && ((action === 'keep' && regex === 'true') || (action === 'drop' && regex === 'false'));
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

const DROP_COMMENT = '# v1 Endpoints never listed terminating pods; the endpointslice role does (slicefix)';

/** A relabel rule dropping terminating endpoints: a block sequence item at `column`, from its comment to its last line. */
function dropItem(column: number): string {
  const pad = ' '.repeat(column);
  return `${DROP_COMMENT}\n${pad}- source_labels: [${TERMINATING_LABEL}]\n${pad}  regex: "true"\n${pad}  action: drop\n`;
}

function insertDrop(text: string, job: YAMLMap, relabel: Node | undefined): Edit | string {
  if (relabel !== undefined) {
    if (!isSeq(relabel) || relabel.flow || relabel.items.length === 0 || !isMap(relabel.items[0])) {
      return 'its relabel_configs is not a block sequence of rules, so slicefix cannot add the rule that drops terminating endpoints';
    }
    const first = relabel.items[0] as YAMLMap;
    const start = first.range![0];
    const lineStart = lineStartOf(text, start);
    const prefix = text.slice(lineStart, start);
    if (!/^ *- +$/.test(prefix)) return 'its first relabel rule does not start its own line';
    const column = prefix.indexOf('-');
    return { start: lineStart + column, end: lineStart + column, text: dropItem(column) + ' '.repeat(column) };
  }
  const key = mapPair(job, 'kubernetes_sd_configs')!.key as Node;
  const start = key.range![0];
  const lineStart = lineStartOf(text, start);
  const prefix = text.slice(lineStart, start);
  if (!/^ *(- +)?$/.test(prefix)) return 'its kubernetes_sd_configs key does not start its own line';
  const pad = ' '.repeat(prefix.length);
  return { start, end: start, text: `relabel_configs:\n${pad}  ${dropItem(pad.length + 2)}${pad}` };
}

export function rewriteJob(text: string, job: YAMLMap): Outcome {
  // Prometheus requires job_name: a mapping without it is part of a job that a chart assembles from its values
  // (`scrapeConfigs: {kubernetes-service-endpoints: {kubernetes_sd_configs: …}}`). Helm replaces lists when it
  // merges values, so adding relabel_configs there would replace the chart's own rules.
  if (scalarString(mapGet(job, 'job_name')) === undefined) {
    return { reason: 'it has no job_name: it is merged into a job the chart writes, whose relabel_configs slicefix cannot see' };
  }
  const others = sdConfigs(job)
    .map((sd) => scalarString(mapGet(sd, 'role')))
    .filter((role) => role !== 'endpoints');
  if (others.length > 0) {
    return { reason: `the job also discovers role: ${others[0]}, and one relabel_configs serves both roles` };
  }
  const edits: Edit[] = [];
  for (const role of endpointsRoles(job)) {
    const edit = replaceWord(text, role, 'endpoints', 'endpointslice');
    if (!edit) return { reason: 'its role is not written as plain text' };
    edits.push(edit);
  }

  const relabel = mapGet(job, 'relabel_configs');
  const renames = new Map<string, MetaLabelRename>();
  let readyKept = false;
  for (const rule of isSeq(relabel) ? relabel.items : []) {
    if (!isMap(rule)) continue;
    readyKept ||= keepsOnlyReady(rule);
    for (const pair of rule.items) {
      const key = scalarString(pair.key) ?? '';
      const values = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const value of values) {
        if (!isScalar(value) || typeof value.value !== 'string' || !value.range) continue;
        for (const match of value.value.matchAll(ENDPOINTS_META_LABEL)) {
          const label = match[0];
          const rename = renameOf(label);
          if (!LABEL_KEYS.has(key) || value.value !== label) {
            return { reason: `its relabel_configs name ${label} inside ${key}, which slicefix cannot map to the endpointslice role` };
          }
          if (!rename) return { reason: `its relabel_configs read ${label}, which has no exact counterpart in the endpointslice role` };
          const edit = replaceWord(text, value, label, rename.to);
          if (!edit) return { reason: `its relabel_configs write ${label} in a way slicefix cannot edit` };
          renames.set(label, rename);
          edits.push(edit);
        }
      }
    }
  }
  let dropsTerminating = false;
  if (!readyKept) {
    const insert = insertDrop(text, job, relabel ?? undefined);
    if (typeof insert === 'string') return { reason: insert };
    edits.push(insert);
    dropsTerminating = true;
  }
  return { rewrite: { edits, renames: [...renames.values()], dropsTerminating } };
}
