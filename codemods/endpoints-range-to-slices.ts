/**
 * Helm templates whose Endpoints addresses come from a values list, the shape of kube-prometheus-stack's exporters
 * (and the many charts copied from them):
 *
 *   subsets:
 *     - addresses:
 *         {{- range .Values.kubeEtcd.endpoints }}
 *         - ip: {{ . }}
 *         {{- end }}
 *       ports:
 *         - name: {{ .Values.kubeEtcd.serviceMonitor.port }}
 *           port: {{ .Values.kubeEtcd.service.port }}
 *
 * One slice holds one address family, and the family of `{{ . }}` is only known when the chart is rendered. So the
 * template gets two slices, an IPv4 one whose range keeps the elements without a ":" and an IPv6 one (name + `-ipv6`)
 * with the others, and each slice is rendered only when its family occurs in the list: a slice without endpoints is
 * never written. The range, the item's other fields (`hostname`, `nodeName`, as templates), the ports block
 * (with its `{{- $x := ... }}` assignments) and the metadata's directives are copied as written; nothing else is.
 * test/endpoints-manifest-helm-range.test.ts renders such charts with helm before and after the fix and compares
 * the endpoints.
 *
 * Anything else under `subsets` (several subsets, static addresses next to a range, other directives, targetRef,
 * comments) is refused with the reason: the rendering proof covers this shape only.
 */
import type { Node, YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isScalar, isSeq } from '../src/languages/yaml-nodes.js';
import { directivesIn, type TemplateDirective, type YamlAst } from '../src/languages/helm.js';
import { mapGet, mapPair, type ManifestObject } from '../src/manifests.js';
import { blockAfterKey, lineStartOf } from '../src/k8s/yaml-blocks.js';
import { RAW_BLOCK_KEY_PREFIX, type Layout } from '../src/k8s/render.js';
import { RawBlock, Template, nodeToValue, type ValueContext } from '../src/k8s/values.js';
import { sliceProblems } from '../src/k8s/validate-slice.js';
import type { AddressFamily } from '../src/k8s/ip.js';
import type { Settings } from '../src/types.js';
import { concrete, convertPort, refusalOf, refuse, sliceMetadata, suffixed, type SlicePort } from './endpoints-to-slices.js';
import { pushAll } from '../src/push-all.js';

/** An `addresses:` or `notReadyAddresses:` list written as one `{{- range }}` over one item. */
export interface RangedAddresses {
  ready: boolean;
  /** The range's pipeline as written, e.g. `.Values.kubeEtcd.endpoints` or `$i, $ip := .Values.ips`. */
  pipeline: string;
  /** The pipeline of the ip's action (`.`, `.ip`, `$ip`): what the family filter tests. */
  ipPipeline: string;
  /** The ip scalar as written (`{{ . }}`, `"{{ .ip }}"`). */
  ipSource: string;
  /** The item's other fields as written: `hostname: {{ .hostname }}`. */
  fields: { key: string; source: string }[];
  /** What makes two elements one endpoint for the mirroring controller (ip, and hostname when the item has one). */
  identity: string;
}


export interface RangedSubset {
  dialect: Dialect;
  lists: RangedAddresses[];
  /** The `ports:` block's lines as written (key line first, at column `portsColumn`); undefined without ports. */
  portsLines?: string[];
  portsColumn: number;
  ports: SlicePort[];
  /** The whole-line directives of the subset, which the rewrite carries over. */
  directives: TemplateDirective[];
}

const ACTION = /^\{\{-?\s*([\s\S]*?)\s*-?\}\}$/;

/**
 * What differs between Helm (Go templates with sprig) and Jinja (Ansible) templates: how a loop is written, and the
 * directives the rewrite generates. Jinja's block tags are written at column 0, because Ansible renders with
 * trim_blocks (the line break after a tag goes) but without lstrip_blocks (the spaces before it stay).
 */
export interface Dialect {
  /** How the loop is named in messages. */
  loopName: string;
  /** The loop a whole-line directive opens (`range <loop>` / `for <loop>`), if it is a loop. */
  loop: RegExp;
  end: RegExp;
  /** A variable assignment, which renders nothing (kube-scheduler's port block declares its default ports so). */
  assignment: RegExp;
  /** Quoting the ip's action may add (YAML's quotes, not the address's). */
  quoting: RegExp;
  forEach(loop: string): string;
  endFor: string;
  if(condition: string): string;
  else: string;
  endIf: string;
  /** The test that the element's ip (an expression) is IPv6 (has a ":"), or IPv4 (has none). */
  family(ip: string, family: AddressFamily): string;
  and(a: string, b: string): string;
  /** The mirroring controller's identity of an element: ip and hostname (a missing hostname is ""). */
  identity(ip: string, hostname?: string): string;
  declareFamilies: string;
  setFamily(family: AddressFamily): string;
  hasFamily(family: AddressFamily): string;
  declareSeen: string;
  unseen(identity: string): string;
  see(identity: string): string;
  /** Indentation of generated tag lines inside the endpoints block, given that of its items. */
  tagIndent(itemIndent: string): string;
}

const HELM: Dialect = {
  loopName: '{{- range }}',
  loop: /^\{\{-?\s*range\s+([\s\S]*?)\s*-?\}\}$/,
  end: /^\{\{-?\s*end\s*-?\}\}$/,
  assignment: /^\{\{-?\s*\$\w+\s*:?=[^{}]*-?\}\}$/,
  quoting: /\s*\|\s*s?quote$|^s?quote\s+(?=\S+$)/,
  forEach: (loop) => `{{- range ${loop} }}`,
  endFor: '{{- end }}',
  if: (condition) => `{{- if ${condition} }}`,
  else: '{{- else }}',
  endIf: '{{- end }}',
  family: (ip, family) => (family === 'IPv6' ? `contains ":" (${ip} | toString)` : `not (contains ":" (${ip} | toString))`),
  and: (a, b) => `and (${a}) (${b})`,
  identity: (ip, hostname) => (hostname ? `(printf "%s/%s" (${ip} | toString) (${hostname} | default "" | toString))` : `(printf "%s/" (${ip} | toString))`),
  declareFamilies: '{{- $slicefixHasIPv4 := false }}{{- $slicefixHasIPv6 := false }}',
  setFamily: (family) => `{{- $slicefixHas${family} = true }}`,
  hasFamily: (family) => `$slicefixHas${family}`,
  declareSeen: '{{- $slicefixSeen := dict }}',
  unseen: (identity) => `not (hasKey $slicefixSeen ${identity})`,
  see: (identity) => `{{- $_ := set $slicefixSeen ${identity} true }}`,
  tagIndent: (itemIndent) => itemIndent,
};

const JINJA: Dialect = {
  loopName: '{% for %}',
  loop: /^\{%[-+]?\s*for\s+((?:(?!\s(?:if|recursive)\s)[\s\S])*?)\s*[-+]?%\}$/,
  end: /^\{%[-+]?\s*endfor\s*[-+]?%\}$/,
  assignment: /^\{%[-+]?\s*set\s+\w+\s*=[^%]*[-+]?%\}$/,
  quoting: /\s*\|\s*(?:to_json|tojson)$/,
  forEach: (loop) => `{% for ${loop} %}`,
  endFor: '{% endfor %}',
  if: (condition) => `{% if ${condition} %}`,
  else: '{% else %}',
  endIf: '{% endif %}',
  family: (ip, family) => `':' ${family === 'IPv6' ? 'in' : 'not in'} (${ip} | string)`,
  and: (a, b) => `(${a}) and (${b})`,
  identity: (ip, hostname) => (hostname ? `((${ip} | string) ~ '/' ~ (${hostname} | default('', true) | string))` : `((${ip} | string) ~ '/')`),
  declareFamilies: '{% set slicefix_has = namespace(IPv4=false, IPv6=false) %}',
  setFamily: (family) => `{% set slicefix_has.${family} = true %}`,
  hasFamily: (family) => `slicefix_has.${family}`,
  declareSeen: '{% set slicefix_seen = namespace(keys=[]) %}',
  unseen: (identity) => `${identity} not in slicefix_seen.keys`,
  see: (identity) => `{% set slicefix_seen.keys = slicefix_seen.keys + [${identity}] %}`,
  tagIndent: () => '',
};
const ITEM_FIELDS = ['ip', 'hostname', 'nodeName'];

type Found = { ok: true; subset: RangedSubset } | { ok: false; reason: string };

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/**
 * The ranged subset of `object`, or why its shape is not the one this rewrite proves; undefined when no `range`
 * shapes its subsets (the plain conversion applies).
 */
export function findRangedSubset(object: ManifestObject, ast: YamlAst, text: string, jinja = false): Found | undefined {
  const dialect = jinja ? JINJA : HELM;
  const subsetsPair = mapPair(object.node, 'subsets');
  const subsetsKey = subsetsPair?.key as Node | undefined;
  if (!subsetsKey?.range) return undefined;
  const inSubsets = directivesIn(ast, subsetsKey.range[0], object.end).filter((d) => d.standalone);
  if (!inSubsets.some((d) => dialect.loop.test(d.text))) return undefined;
  const cannot = (why: string): Found => ({ ok: false, reason: `its addresses come from a ${dialect.loopName} and ${why}; only one subset whose addresses and notReadyAddresses are each one loop over a list of IPs (or of maps with ip, hostname, nodeName) is rewritten` });

  const subsets = subsetsPair!.value;
  if (!isSeq(subsets) || subsets.items.length !== 1 || !isMap(subsets.items[0])) return cannot('subsets is not one subset');
  const subset = subsets.items[0] as YAMLMap;
  const around = inSubsets.find((d) => d.start < (subset.range?.[0] ?? 0) || d.start >= (subset.range?.[2] ?? object.end));
  if (around) return cannot(`the directive ${around.text} (line ${lineOf(text, around.start)}) shapes the subsets`);
  for (const pair of subset.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!['addresses', 'notReadyAddresses', 'ports'].includes(key)) return cannot(`the subset has the field ${JSON.stringify(key)}`);
  }
  const found: RangedSubset = { dialect, lists: [], portsColumn: 0, ports: [], directives: [] };
  for (const [field, ready] of [['addresses', true], ['notReadyAddresses', false]] as const) {
    if (!mapPair(subset, field)) continue;
    const list = rangedList(dialect, subset, field, ready, ast, text, object.end);
    if (typeof list === 'string') return cannot(list);
    found.lists.push(list.list);
    pushAll(found.directives, list.directives);
  }
  if (found.lists.length === 0) return cannot('the subset has no addresses');

  if (mapPair(subset, 'ports')) {
    const block = blockAfterKey(text, ast, subset, 'ports', object.end)!;
    const keyNode = mapPair(subset, 'ports')!.key as Node;
    const column = keyNode.range![0] - lineStartOf(text, keyNode.range![0]);
    const standalone = directivesIn(ast, block.start, block.end).filter((d) => d.standalone);
    const other = standalone.find((d) => !dialect.assignment.test(d.text));
    if (other) return cannot(`the ports hold the directive ${other.text} (line ${lineOf(text, other.start)}); only variable assignments are carried over there`);
    const lines = text.slice(block.start, block.end).replace(/\r?\n$/, '').split(/\r?\n/);
    const under = (line: string) => /^ */.exec(line)![0].length > column || (/^ */.exec(line)![0].length === column && /^-(\s|$)/.test(line.trim()));
    if (lines.some((line) => line.trim() !== '' && !line.trim().startsWith('{{') && !under(line))) return cannot('the ports block is not indented under its key');
    if (lines.some((line) => line.trim().startsWith('#'))) return cannot('the ports block holds a comment');
    // Whole-line directives keep their place relative to the entries (render.ts copies such lines as they are).
    const shifted = lines.map((line) => (line.trim().startsWith('{{') && line.startsWith(' '.repeat(column)) ? line.slice(column) : line));
    found.portsLines = [`${' '.repeat(column)}ports:`, ...shifted];
    found.portsColumn = column;
    pushAll(found.directives, standalone);
    const cx: ValueContext = { text, ast, jinja };
    const ports = refusalOf(() => {
      const value = nodeToValue(mapGet(subset, 'ports'), cx);
      if (!Array.isArray(value)) refuse('the ports are not a list');
      return value.map((p, j) => convertPort(p, `subsets[0].ports[${j}]`));
    });
    if (!ports.ok) return cannot(ports.reason);
    found.ports = ports.value;
  }
  const stray = inSubsets.find((d) => !found.directives.includes(d));
  if (stray) return cannot(`the directive ${stray.text} (line ${lineOf(text, stray.start)}) shapes the subsets`);
  return { ok: true, subset: found };
}

/** One `field:` list of the subset, written as exactly one `{{- range }}` around one item, or why not. */
function rangedList(dialect: Dialect, subset: YAMLMap, field: string, ready: boolean, ast: YamlAst, text: string, limit: number): { list: RangedAddresses; directives: TemplateDirective[] } | string {
  const block = blockAfterKey(text, ast, subset, field, limit);
  if (!block) return `${field} has no block`;
  const standalone = directivesIn(ast, block.start, block.end).filter((d) => d.standalone);
  const range = standalone[0] && dialect.loop.exec(standalone[0].text);
  if (standalone.length !== 2 || !range || !dialect.end.test(standalone[1].text)) {
    return `${field} is not written as one ${dialect.loopName} around one item (${standalone.map((d) => d.text).join(' ') || 'no directive'})`;
  }
  if (/\{\{|\}\}/.test(range[1])) return `${field}'s loop header holds a nested action`;
  // Nothing but the item between the range and its end (a static address next to the range is another shape).
  const outside = text.slice(block.start, standalone[0].start) + text.slice(standalone[1].end, block.end);
  if (outside.trim() !== '') {
    const comment = outside.split(/\r?\n/).find((line) => line.trim().startsWith('#'));
    if (comment) return `${field} holds the comment "${comment.trim()}", which has no place in the slices (move it above the object)`;
    return `${field} lists something outside its loop`;
  }
  const seq = mapGet(subset, field) as YAMLSeq | undefined;
  if (!isSeq(seq) || seq.items.length !== 1 || !isMap(seq.items[0])) return `the loop in ${field} does not make one list item`;
  const item = seq.items[0] as YAMLMap;
  let ipPipeline: string | undefined;
  let ipSource = '';
  const fields: { key: string; source: string }[] = [];
  for (const pair of item.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!ITEM_FIELDS.includes(key)) return `the loop's item has the field ${JSON.stringify(key)}`;
    const value = pair.value as Node | null;
    if (!isScalar(value) || !value.range) return `the loop's item's ${key} is not a scalar`;
    const source = text.slice(value.range[0], value.range[1]);
    if (source.includes('\n')) return `the loop's item's ${key} spans lines`;
    if (key !== 'ip') {
      fields.push({ key, source });
      continue;
    }
    const inside = directivesIn(ast, value.range[0], value.range[1]);
    const action = inside.length === 1 ? ACTION.exec(inside[0].text) : null;
    const bare = source === inside[0]?.text || source === `"${inside[0]?.text}"` || source === `'${inside[0]?.text}'`;
    if (!action || !bare || /\{\{|\}\}/.test(action[1])) {
      return `the loop's item's ip ${source} is not one {{ }} action (its address family could not be tested)`;
    }
    // The value the address is made of: quotes a quoting function adds are YAML's, not the address's.
    ipPipeline = action[1].replace(dialect.quoting, '');
    ipSource = source;
  }
  if (ipPipeline === undefined) return `the loop's item in ${field} has no ip`;
  // The mirroring controller's endpoint identity is (address, hostname, targetRef); a missing hostname is "".
  // Written the same way for every list, so that an element of one list matches the same element of the other.
  let identity = dialect.identity(ipPipeline);
  const hostname = fields.find((f) => f.key === 'hostname');
  if (hostname) {
    const action = ACTION.exec(hostname.source);
    if (!action || /\{\{|\}\}/.test(action[1])) return `the loop's item's hostname ${hostname.source} is not one {{ }} action`;
    identity = dialect.identity(ipPipeline, action[1]);
  }
  return { list: { ready, pipeline: range[1], ipPipeline, ipSource, fields, identity }, directives: standalone };
}

/**
 * The `endpoints:` block of one family's slice, as lines at column 0. As the mirroring controller does, an element
 * listed twice is one endpoint and "not ready wins": the not-ready lists come first, and an element whose identity
 * was already written is skipped.
 */
function endpointsLines(subset: RangedSubset, family: AddressFamily, layout: Layout): string[] {
  const step = ' '.repeat(layout.indent);
  const seq = layout.indentSeq ? step : '';
  const item = `${seq}  `;
  const d = subset.dialect;
  const tag = d.tagIndent(seq);
  const lines = ['endpoints:', `${tag}${d.declareSeen}`];
  const notReadyFirst = [...subset.lists.filter((l) => !l.ready), ...subset.lists.filter((l) => l.ready)];
  for (const list of notReadyFirst) {
    lines.push(
      `${tag}${d.forEach(list.pipeline)}`,
      `${tag}${d.if(d.and(d.family(list.ipPipeline, family), d.unseen(list.identity)))}`,
      `${tag}${d.see(list.identity)}`,
      `${seq}- addresses:`,
      `${item}${seq}- ${list.ipSource}`,
      `${item}conditions:`,
      `${item}${step}ready: ${list.ready}`,
      ...list.fields.map((f) => `${item}${f.key}: ${f.source}`),
      `${tag}${d.endIf}`,
      `${tag}${d.endFor}`,
    );
  }
  return lines;
}

/** A stand-in endpoint of `family` for validating everything else of a templated slice. */
function sampleEndpoint(list: RangedAddresses, family: AddressFamily): Record<string, unknown> {
  const endpoint: Record<string, unknown> = { addresses: [family === 'IPv4' ? '192.0.2.1' : '2001:db8::1'], conditions: { ready: list.ready } };
  for (const f of list.fields) endpoint[f.key] = 'tpl';
  return endpoint;
}

export interface RangedSlices {
  /** The two slices (IPv4, IPv6) as objects for render.ts: the endpoints and ports blocks are RawBlocks. */
  slices: Record<string, unknown>[];
  names: string[];
}

/** The IPv4 and IPv6 slices of a ranged subset, or why they would be invalid. */
export function rangedSlices(metadata: Record<string, unknown>, subset: RangedSubset, layout: Layout, settings: Settings): { ok: true; value: RangedSlices } | { ok: false; reason: string } {
  return refusalOf(() => {
    const slices: Record<string, unknown>[] = [];
    const names: string[] = [];
    for (const family of ['IPv4', 'IPv6'] as const) {
      const name = suffixed(metadata.name, family === 'IPv6' ? '-ipv6' : '');
      const sliceMeta = sliceMetadata(metadata, name, settings);
      const check = concrete({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: sliceMeta,
        addressType: family,
        endpoints: subset.lists.map((l) => sampleEndpoint(l, family)),
        ports: subset.ports,
      });
      const problems = sliceProblems(check);
      const shownName = name instanceof Template ? name.raw : String(name);
      if (problems.length) refuse(`the EndpointSlice ${shownName} would be invalid: ${problems[0]}`);
      const ports = subset.portsLines
        ? { [`${RAW_BLOCK_KEY_PREFIX}ports`]: new RawBlock(subset.portsLines, subset.portsColumn, {}) }
        : { ports: [] };
      slices.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: sliceMeta,
        addressType: family,
        [`${RAW_BLOCK_KEY_PREFIX}endpoints`]: new RawBlock(endpointsLines(subset, family, layout), 0, {}),
        ...ports,
      });
      names.push(shownName);
    }
    return { slices, names };
  });
}

/**
 * The template text that replaces the Endpoints: the family variables, computed by ranging over the lists once,
 * then each slice under `{{- if }}` its family variable. `rendered` are the two slices as YAML (IPv4, IPv6).
 */
export function rangedTemplate(subset: RangedSubset, rendered: string[]): string {
  const d = subset.dialect;
  const scans = subset.lists.map(
    (list) => `${d.forEach(list.pipeline)}${d.if(d.family(list.ipPipeline, 'IPv6'))}${d.setFamily('IPv6')}${d.else}${d.setFamily('IPv4')}${d.endIf}${d.endFor}`,
  );
  return [
    d.declareFamilies,
    ...scans,
    d.if(d.hasFamily('IPv4')),
    rendered[0],
    d.endIf,
    d.if(d.hasFamily('IPv6')),
    '---',
    rendered[1],
    d.endIf,
  ].join('\n');
}
