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
import type { Node, Scalar, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq } from '../src/languages/yaml-nodes.js';
import { mapGet, mapPair, scalarString } from '../src/manifests.js';
import { ENDPOINTS_META_LABEL, READY_LABEL, renameOf, TERMINATING_LABEL, type MetaLabelRename } from '../src/prometheus/meta-labels.js';
import type { Edit } from '../src/types.js';
import { lineStartOf } from '../src/edits.js';
import { pushAll } from '../src/push-all.js';

export interface JobRewrite {
  /** Edits in the coordinates of the job's text. */
  edits: Edit[];
  renames: MetaLabelRename[];
  /** A relabel rule dropping terminating endpoints was added. */
  dropsTerminating: boolean;
}

type Outcome = { rewrite: JobRewrite } | { reason: string };

/**
 * How a configuration spells a scrape job's keys and roles: Prometheus's own configuration (`kubernetes_sd_configs`,
 * `relabel_configs`, `role: endpoints`), or prometheus-operator's CRDs (a ScrapeConfig's `kubernetesSDConfigs`,
 * `relabelings`, `role: Endpoints`; a ServiceMonitor's `relabelings`), whose relabel rules are the same rules in
 * camelCase.
 */
export interface ScrapeDialect {
  sdConfigs: string;
  relabelConfigs: string;
  sourceLabels: string;
  targetLabel: string;
  /** The endpoints role as this dialect writes it, and its endpointslice role. */
  endpointsRole: string;
  sliceRole: string;
}

export const PROMETHEUS_CONFIG: ScrapeDialect = {
  sdConfigs: 'kubernetes_sd_configs',
  relabelConfigs: 'relabel_configs',
  sourceLabels: 'source_labels',
  targetLabel: 'target_label',
  endpointsRole: 'endpoints',
  sliceRole: 'endpointslice',
};

/** prometheus-operator's monitoring.coreos.com types (KubernetesRole enum: `Endpoints`, `EndpointSlice`). */
export const OPERATOR_CRD: ScrapeDialect = {
  sdConfigs: 'kubernetesSDConfigs',
  relabelConfigs: 'relabelings',
  sourceLabels: 'sourceLabels',
  targetLabel: 'targetLabel',
  endpointsRole: 'Endpoints',
  sliceRole: 'EndpointSlice',
};

function sdConfigs(job: YAMLMap, dialect: ScrapeDialect): YAMLMap[] {
  const seq = mapGet(job, dialect.sdConfigs);
  return isSeq(seq) ? seq.items.filter(isMap) : [];
}

export function roleScalar(sd: YAMLMap): Scalar | undefined {
  const role = mapGet(sd, 'role');
  return isScalar(role) ? role : undefined;
}

/** The job's sd configs with `role: endpoints`. */
export function endpointsRoles(job: YAMLMap, dialect: ScrapeDialect = PROMETHEUS_CONFIG): Scalar[] {
  return sdConfigs(job, dialect)
    .map(roleScalar)
    .filter((r): r is Scalar => r !== undefined && r.value === dialect.endpointsRole);
}

function replaceWord(text: string, node: Node, word: string, replacement: string): Edit | undefined {
  if (!node.range) return undefined;
  const at = text.slice(node.range[0], node.range[1]).indexOf(word);
  return at === -1 ? undefined : { start: node.range[0] + at, end: node.range[0] + at + word.length, text: replacement };
}

/** Does a relabel rule already drop every endpoint that is not ready (and so every terminating one)? */
function keepsOnlyReady(rule: YAMLMap, dialect: ScrapeDialect): boolean {
  const sources = mapGet(rule, dialect.sourceLabels);
  const only = isSeq(sources) && sources.items.length === 1 && scalarString(sources.items[0]) === READY_LABEL;
  // The operator accepts `Keep` as well as `keep`.
  const action = (scalarString(mapGet(rule, 'action')) ?? 'replace').toLowerCase();
  const regex = scalarString(mapGet(rule, 'regex'));
  return only && ((action === 'keep' && regex === 'true') || (action === 'drop' && regex === 'false'));
}


const DROP_COMMENT = '# v1 Endpoints never listed terminating pods; the endpointslice role does (slicefix)';

/** A relabel rule dropping terminating endpoints: a block sequence item at `column`, from its comment to its last line. */
function dropItem(column: number, dialect: ScrapeDialect): string {
  const pad = ' '.repeat(column);
  return `${DROP_COMMENT}\n${pad}- ${dialect.sourceLabels}: [${TERMINATING_LABEL}]\n${pad}  regex: "true"\n${pad}  action: drop\n`;
}

function insertDrop(text: string, job: YAMLMap, relabel: Node | undefined, dialect: ScrapeDialect): Edit | string {
  if (relabel !== undefined) {
    if (!isSeq(relabel) || relabel.flow || relabel.items.length === 0 || !isMap(relabel.items[0])) {
      return `its ${dialect.relabelConfigs} is not a block sequence of rules, so slicefix cannot add the rule that drops terminating endpoints`;
    }
    const first = relabel.items[0] as YAMLMap;
    const start = first.range![0];
    const lineStart = lineStartOf(text, start);
    const prefix = text.slice(lineStart, start);
    if (!/^ *- +$/.test(prefix)) return 'its first relabel rule does not start its own line';
    const column = prefix.indexOf('-');
    return { start: lineStart + column, end: lineStart + column, text: dropItem(column, dialect) + ' '.repeat(column) };
  }
  const key = mapPair(job, dialect.sdConfigs)!.key as Node;
  const start = key.range![0];
  const lineStart = lineStartOf(text, start);
  const prefix = text.slice(lineStart, start);
  if (!/^ *(- +)?$/.test(prefix)) return `its ${dialect.sdConfigs} key does not start its own line`;
  const pad = ' '.repeat(prefix.length);
  return { start, end: start, text: `${dialect.relabelConfigs}:\n${pad}  ${dropItem(pad.length + 2, dialect)}${pad}` };
}

export interface LabelRenames {
  edits: Edit[];
  renames: MetaLabelRename[];
  /** Some rule already keeps only ready endpoints (so none that is terminating). */
  readyKept: boolean;
}

/**
 * Renames every endpoints-role meta label that a list of relabel rules reads (source labels) or writes (target
 * label) to its endpointslice-role counterpart, or says why it cannot: a label without an exact counterpart, or a
 * label named inside another field (a regex of labelmap or labeldrop), which no rename can follow.
 */
export function renameRelabelLabels(text: string, relabel: Node | undefined, dialect: ScrapeDialect): LabelRenames | { reason: string } {
  const labelKeys = new Set([dialect.sourceLabels, dialect.targetLabel]);
  const what = dialect.relabelConfigs;
  const edits: Edit[] = [];
  const renames = new Map<string, MetaLabelRename>();
  let readyKept = false;
  for (const rule of isSeq(relabel) ? relabel.items : []) {
    if (!isMap(rule)) continue;
    readyKept ||= keepsOnlyReady(rule, dialect);
    for (const pair of rule.items) {
      const key = scalarString(pair.key) ?? '';
      const values = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const value of values) {
        if (!isScalar(value) || typeof value.value !== 'string' || !value.range) continue;
        for (const match of value.value.matchAll(ENDPOINTS_META_LABEL)) {
          const label = match[0];
          const rename = renameOf(label);
          if (!labelKeys.has(key) || value.value !== label) {
            return { reason: `its ${what} name ${label} inside ${key}, which slicefix cannot map to the endpointslice role` };
          }
          if (!rename) return { reason: `its ${what} read ${label}, which has no exact counterpart in the endpointslice role` };
          const edit = replaceWord(text, value, label, rename.to);
          if (!edit) return { reason: `its ${what} write ${label} in a way slicefix cannot edit` };
          renames.set(label, rename);
          edits.push(edit);
        }
      }
    }
  }
  return { edits, renames: [...renames.values()], readyKept };
}

export function rewriteJob(text: string, job: YAMLMap, dialect: ScrapeDialect = PROMETHEUS_CONFIG): Outcome {
  // Prometheus requires job_name: a mapping without it is part of a job that a chart assembles from its values
  // (`scrapeConfigs: {kubernetes-service-endpoints: {kubernetes_sd_configs: …}}`). Helm replaces lists when it
  // merges values, so adding relabel_configs there would replace the chart's own rules. (The operator's
  // ScrapeConfig names its job itself.)
  if (dialect === PROMETHEUS_CONFIG && scalarString(mapGet(job, 'job_name')) === undefined) {
    return { reason: 'it has no job_name: it is merged into a job the chart writes, whose relabel_configs slicefix cannot see' };
  }
  const others = sdConfigs(job, dialect)
    .map((sd) => scalarString(mapGet(sd, 'role')))
    .filter((role) => role !== dialect.endpointsRole);
  if (others.length > 0) {
    return { reason: `the job also discovers role: ${others[0]}, and one ${dialect.relabelConfigs} serves both roles` };
  }
  const edits: Edit[] = [];
  for (const role of endpointsRoles(job, dialect)) {
    const edit = replaceWord(text, role, dialect.endpointsRole, dialect.sliceRole);
    if (!edit) return { reason: 'its role is not written as plain text' };
    edits.push(edit);
  }
  // The endpointslice role accepts pod, service and endpointslice selectors only: an endpoints selector moves too.
  for (const sd of sdConfigs(job, dialect)) {
    const selectors = mapGet(sd, 'selectors');
    for (const selector of isSeq(selectors) ? selectors.items.filter(isMap) : []) {
      const role = roleScalar(selector);
      if (role?.value !== dialect.endpointsRole) continue;
      if (mapGet(selector, 'field') !== undefined) {
        // metadata.name of an Endpoints is its Service's name; a slice's is generated.
        return { reason: 'a selector of the endpoints role uses a field selector, which has no counterpart on EndpointSlices' };
      }
      const edit = replaceWord(text, role, dialect.endpointsRole, dialect.sliceRole);
      if (!edit) return { reason: 'its selector role is not written as plain text' };
      edits.push(edit);
    }
  }

  const relabel = mapGet(job, dialect.relabelConfigs);
  const labels = renameRelabelLabels(text, relabel, dialect);
  if ('reason' in labels) return labels;
  pushAll(edits, labels.edits);
  let dropsTerminating = false;
  if (!labels.readyKept) {
    const insert = insertDrop(text, job, relabel ?? undefined, dialect);
    if (typeof insert === 'string') return { reason: insert };
    edits.push(insert);
    dropsTerminating = true;
  }
  return { rewrite: { edits, renames: labels.renames, dropsTerminating } };
}
