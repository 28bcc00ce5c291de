/**
 * endpoints-manifest: core v1 `Endpoints` objects in YAML/JSON manifests and Helm templates. The fix replaces
 * each one with the EndpointSlices that carry the same endpoints (codemods/endpoints-to-slices.ts), but only when
 * that is provably safe; otherwise the finding says why and what to write instead.
 */
import type { Node, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq } from '../src/languages/yaml-nodes.js';
import { lineIndexOf, lineStartOf } from '../src/edits.js';
import { loadManifestRuntime } from '../src/k8s/runtime.js';
import { endpointsToSlices, type Origins } from '../codemods/endpoints-to-slices.js';
import { placeComments } from '../codemods/endpoints-comments.js';
import { commentsInObject } from '../src/k8s/comments.js';
import { detectLayout, RenderError, renderYaml, replaceObject, type PlacedComment } from '../src/k8s/render.js';
import { nodeToValue, RawBlock, Template, ValueError, type ValueContext } from '../src/k8s/values.js';
import { directivesIn, type TemplateDirective, type YamlAst } from '../src/languages/helm.js';
import { findRangedSubset, rangedSlices, rangedTemplate, type RangedSubset } from '../codemods/endpoints-range-to-slices.js';
import { blockAfterKey } from '../src/k8s/yaml-blocks.js';
import { isJinjaTemplate } from '../src/languages/index.js';
import { manifestObjects, mapGet, mapGetMap, mapGetString, mapPair, objectName, type ManifestObject } from '../src/manifests.js';
import type { CollectContext, Rule, RuleContext, Settings } from '../src/types.js';

/** Facts key: Services with a selector, gathered from every manifest of the scan. */
export const SERVICES_WITH_SELECTOR = 'endpoints-manifest/services-with-selector';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
export const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

/** Facts key: Endpoints names that glusterfs volumes (PersistentVolumes, Pod templates) read by name. */
export const GLUSTERFS_ENDPOINTS = 'endpoints-manifest/glusterfs-endpoints';

interface GlusterfsFact {
  name: string;
  file: string;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

/** Every `glusterfs: { endpoints: <name> }` volume source inside `node`. */
function glusterfsEndpoints(node: unknown, out: string[] = []): string[] {
  if (isSeq(node)) for (const item of node.items) glusterfsEndpoints(item, out);
  if (isMap(node)) {
    for (const pair of node.items) {
      const value = pair.value;
      if (isScalar(pair.key) && pair.key.value === 'glusterfs' && isMap(value)) {
        const name = mapGetString(value, 'endpoints');
        if (name) out.push(name);
      }
      glusterfsEndpoints(value, out);
    }
  }
  return out;
}

interface ServiceFact {
  name: string;
  namespace?: string;
  file: string;
}

const WHAT_TO_WRITE =
  'write discovery.k8s.io/v1 EndpointSlice objects instead: labels kubernetes.io/service-name: {{name}} and ' +
  'endpointslice.kubernetes.io/managed-by: {{managedBy}}, addressType IPv4 or IPv6 (one slice per address family ' +
  'and port set), one endpoint per address with conditions.ready (false for notReadyAddresses), and the ports of ' +
  'the subset; then delete the Endpoints';

/** A scalar's value as written: the source text when it holds Helm directives, so templates compare as text. */
function scalarText(node: unknown, ast: YamlAst, text: string): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  const [start, end] = node.range ?? [0, 0];
  return directivesIn(ast, start, end).length ? text.slice(start, end) : String(node.value);
}

function nameOf(object: ManifestObject, ast: YamlAst, text: string): { name?: string; namespace?: string } {
  const metadata = mapGetMap(object.node, 'metadata');
  if (!metadata) return {};
  return { name: scalarText(mapGet(metadata, 'name'), ast, text), namespace: scalarText(mapGet(metadata, 'namespace'), ast, text) };
}

/** `{{- if }}`/`{{- range }}`/`{{- with }}` opened and closed within the same lines. */
function balancedControlFlow(directives: string[]): boolean {
  let depth = 0;
  for (const d of directives) {
    if (/^\{\{-?\s*(if|range|with|define|block)\b/.test(d)) depth++;
    else if (/^\{\{-?\s*end\b/.test(d)) depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

interface Prepared {
  value?: unknown;
  /** Why the object cannot be rewritten (Helm directives that shape it). */
  reason?: string;
}

/**
 * The object as a plain value. Whole-line directives are accepted only inside `metadata.labels` /
 * `metadata.annotations`, where they are copied verbatim; anywhere else they shape the object, and no rewrite
 * can keep them intact.
 */
function prepare(object: ManifestObject, ast: YamlAst, text: string, jinja: boolean, carried: TemplateDirective[] = []): Prepared {
  const directives = directivesIn(ast, object.start, object.end);
  const cx: ValueContext = { text, ast, jinja };
  let value: unknown;
  try {
    value = nodeToValue(object.node, cx);
  } catch (error) {
    if (error instanceof ValueError) return { reason: error.message };
    throw error;
  }
  const standalone = directives.filter((d) => d.standalone && !carried.includes(d));
  if (standalone.length === 0) return { value };
  const metadata = mapGetMap(object.node, 'metadata');
  const allowed = new Set<(typeof standalone)[number]>();
  if (metadata && !object.inList) {
    for (const key of ['labels', 'annotations'] as const) {
      const block = blockAfterKey(text, ast, metadata, key, object.end);
      if (!block) continue;
      const inside = standalone.filter((d) => d.start >= block.start && d.end <= block.end);
      if (inside.length === 0) continue;
      if (!balancedControlFlow(inside.map((d) => d.text))) continue;
      const lines = text.slice(block.start, block.end).replace(/\r?\n$/, '').split(/\r?\n/);
      const entries = mapGet(metadata, key);
      const parsed = isMap(entries) ? (nodeToValue(entries, cx) as Record<string, unknown>) : {};
      const blockIndent = block.indent === -1 ? 0 : block.indent;
      if (lines.some((line) => line.trim() !== '' && !line.trim().startsWith('{{') && /^ */.exec(line)![0].length < blockIndent)) continue;
      (value as { metadata: Record<string, unknown> }).metadata[key] = new RawBlock(lines, blockIndent, parsed);
      for (const d of inside) allowed.add(d);
    }
  }
  const blocking = standalone.find((d) => !allowed.has(d));
  if (blocking) {
    const line = lineIndexOf(text).position(blocking.start).line;
    return { reason: `the template directive ${blocking.text} (line ${line}) shapes the object; a rewrite cannot keep the template's logic intact` };
  }
  return { value };
}

/** Is `offset` inside template control flow (`{{- if }}`, `{{- with }}`, `{{- range }}`) opened after `from`? */
function insideControlFlow(ast: YamlAst, from: number, offset: number): boolean {
  let depth = 0;
  for (const d of directivesIn(ast, from, offset)) {
    if (/^\{\{-?\s*(if|range|with)\b/.test(d.text)) depth++;
    else if (/^\{\{-?\s*end\b/.test(d.text)) depth = Math.max(0, depth - 1);
  }
  return depth > 0;
}

/**
 * Does the Service certainly have a selector? A selector inside template control flow (kube-prometheus-stack
 * writes `{{- if .Values.x.endpoints }}{{- else }} selector: ...`) exists only in some renderings, typically the
 * ones without the hand-written Endpoints, so it does not count.
 */
function hasSelector(service: YAMLMap, ast: YamlAst, text: string, end: number): boolean {
  const spec = mapGetMap(service, 'spec');
  if (!spec) return false;
  const pair = mapPair(spec, 'selector');
  if (!pair) return false;
  const keyStart = (pair.key as Node | null)?.range?.[0] ?? 0;
  if (insideControlFlow(ast, service.range?.[0] ?? 0, keyStart)) return false;
  const value = pair.value as Node | null;
  if (isMap(value)) return value.items.length > 0;
  if (isScalar(value) && value.value !== null && value.value !== undefined && value.value !== '') return true;
  // `selector:` followed by whole-line directives (`{{- include "x.selectorLabels" . | nindent 4 }}`).
  const block = blockAfterKey(text, ast, spec, 'selector', end);
  return block !== undefined && directivesIn(ast, block.start, block.end).length > 0;
}

/**
 * The comments inside the Endpoints, placed on the slices where they correspond, or why the fix would lose one
 * (comments around the object stay where they are).
 */
function commentsFor(object: ManifestObject, ast: YamlAst, conversion: { slices: unknown[]; origins: Origins }, value: unknown): PlacedComment[][] | string {
  const found = commentsInObject(object.node, ast.masked, object.start, object.end);
  const placement = placeComments(found.placed, conversion.origins, conversion.slices.length, value);
  const lost = found.unattached[0] ?? (placement.ok ? undefined : placement.comment);
  if (!lost) return (placement as { perSlice: PlacedComment[][] }).perSlice;
  return (
    `the comment "#${lost.text}" (line ${lost.line}) has no corresponding place in the EndpointSlices and would be lost; ` +
    'move it above the object (comments there are kept) or delete it, and run --fix again'
  );
}

/**
 * The edit that replaces an Endpoints whose addresses come from a `{{- range }}` with its IPv4 and IPv6 slices
 * (codemods/endpoints-range-to-slices.ts), or why it cannot.
 */
function rangedFix(
  object: ManifestObject,
  ast: YamlAst,
  text: string,
  subset: RangedSubset,
  value: unknown,
  settings: Settings,
): { edit: { start: number; end: number; text: string }; names: string[] } | string {
  const loop = subset.dialect.loopName;
  if (object.inList || object.start !== lineStartOf(text, object.start)) return `its addresses come from a ${loop} and it is not a document of its own starting at column 0`;
  const found = commentsInObject(object.node, ast.masked, object.start, object.end);
  const comment = found.placed[0] ?? found.unattached[0];
  if (comment) return `the comment "#${comment.text}" (line ${comment.line}) is inside an Endpoints whose addresses come from a ${loop}, where slicefix does not place comments; move it above the object and run --fix again`;
  const metadata = (value as { metadata?: unknown }).metadata;
  if (metadata === null || typeof metadata !== 'object') return 'it has no metadata';
  const layout = detectLayout(text, object.node, false);
  const built = rangedSlices(metadata as Record<string, unknown>, subset, layout, settings);
  if (!built.ok) return built.reason;
  let rendered: string[];
  try {
    rendered = built.value.slices.map((slice) => renderYaml(slice, layout));
  } catch (error) {
    if (error instanceof RenderError) return error.message;
    throw error;
  }
  let end = object.end;
  while (end > object.start && /\s/.test(text[end - 1])) end--;
  return { edit: { start: object.start, end, text: rangedTemplate(subset, rendered) }, names: built.value.names };
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

export const endpointsManifest: Rule<YamlAst> = {
  meta: {
    id: 'endpoints-manifest',
    severity: 'error',
    description: 'core v1 Endpoints objects (deprecated in Kubernetes 1.33) in manifests and Helm templates',
    help:
      'The v1 Endpoints API is deprecated since Kubernetes 1.33. Replace hand-written Endpoints with discovery.k8s.io/v1 ' +
      'EndpointSlices labelled kubernetes.io/service-name=<service>; readers list slices by that label and need RBAC for ' +
      'endpointslices in discovery.k8s.io.',
    docs: 'rules/endpoints-manifest.md',
    languages: ['yaml', 'json'],
    // Every match has one of these (YAML block or flow style, JSON); a bare "Endpoints" would also parse every
    // chart that mentions kubeletEndpoints or EndpointSlices.
    triggers: ['kind: Endpoints', 'kind: "Endpoints"', "kind: 'Endpoints'", '"kind": "Endpoints"', '"kind":"Endpoints"'],
    fixable: true,
    codemod: 'endpoints-to-slices',
    messages: {
      convert:
        'v1 Endpoints {{name}} is deprecated since Kubernetes 1.33: use discovery.k8s.io/v1 EndpointSlice labelled ' +
        'kubernetes.io/service-name={{name}} (--fix writes {{slices}})',
      convertRanged:
        'v1 Endpoints {{name}} is deprecated since Kubernetes 1.33: use discovery.k8s.io/v1 EndpointSlice labelled ' +
        'kubernetes.io/service-name={{name}}. --fix writes {{slices}}, one per address family, each rendered only when ' +
        'the values list holds addresses of its family. The Service stays selector-less and the slices are yours ' +
        '(managed-by {{managedBy}}); ServiceMonitors select the Service and need no change, and readers of the slices need ' +
        'list/watch on endpointslices in discovery.k8s.io (rule endpoints-rbac). Whatever still reads v1 ' +
        'Endpoints no longer sees these addresses: a Prometheus with role: endpoints (the Prometheus Operator\'s ' +
        'default serviceDiscoveryRole) must move to EndpointSlice (rule prometheus-sd-endpoints-role)',
      notFixable: `v1 Endpoints {{name}} is deprecated since Kubernetes 1.33; not fixed automatically because {{reason}}: ${WHAT_TO_WRITE}`,
      controllerOwned:
        'Endpoints {{name}} belongs to Service {{name}} ({{serviceFile}}), which has a selector: the endpoints controller ' +
        'owns (and overwrites) it, and the EndpointSlice controller already publishes its slices. Delete this manifest instead of converting it',
      skipMirror:
        'v1 Endpoints {{name}} is labelled endpointslice.kubernetes.io/skip-mirror=true: its EndpointSlices are managed ' +
        'elsewhere. Delete it once nothing reads it (not converted)',
      glusterfs:
        'v1 Endpoints {{name}} is read by name by a glusterfs volume ({{file}}): the in-tree glusterfs plugin needs a v1 ' +
        'Endpoints object, so converting it would break the mount. Move the volume to a CSI driver first (the plugin was ' +
        'removed in Kubernetes 1.26), then delete the Endpoints (not converted)',
      leaderLock:
        'Endpoints {{name}} is a leader-election lock (annotation control-plane.alpha.kubernetes.io/leader), not a ' +
        'Service\'s endpoints: move the lock to a coordination.k8s.io/v1 Lease (client-go resourcelock "leases") and delete it (not converted)',
    },
    collect: {
      languages: ['yaml', 'json'],
      triggers: ['kind: Service', 'kind: "Service"', "kind: 'Service'", '"kind": "Service"', '"kind":"Service"', 'glusterfs'],
    },
  },

  collect(context: CollectContext<YamlAst>) {
    const { ast, file } = context;
    for (const object of manifestObjects(ast)) {
      for (const name of glusterfsEndpoints(object.node)) context.facts.add<GlusterfsFact>(GLUSTERFS_ENDPOINTS, { name, file: file.path });
      if (object.apiVersion !== 'v1' || object.kind !== 'Service') continue;
      if (!hasSelector(object.node, ast, file.text, object.end)) continue;
      const { name, namespace } = nameOf(object, ast, file.text);
      if (name) context.facts.add<ServiceFact>(SERVICES_WITH_SELECTOR, { name, namespace, file: file.path });
    }
  },

  // Only a Service or volume that names one of this file's Endpoints matters to it.
  collectNeeds(context: CollectContext<YamlAst>) {
    const names: string[] = [];
    for (const object of manifestObjects(context.ast)) {
      if (object.apiVersion !== 'v1' || object.kind !== 'Endpoints') continue;
      const { name } = nameOf(object, context.ast, context.file.text);
      if (!name) return undefined;
      names.push(name);
    }
    return names;
  },

  prepare: loadManifestRuntime,
  check(context: RuleContext<YamlAst>) {
    const { ast, file, settings } = context;
    const text = file.text;
    for (const object of manifestObjects(ast)) {
      if (object.apiVersion !== 'v1' || object.kind !== 'Endpoints') continue;
      const { name, namespace } = nameOf(object, ast, text);
      const shownName = name ?? objectName(object).name ?? '(unnamed)';
      const at = { start: object.start, end: object.end };
      const metadata = mapGetMap(object.node, 'metadata');
      const labels = metadata && mapGetMap(metadata, 'labels');
      const annotations = metadata && mapGetMap(metadata, 'annotations');

      if (annotations && mapPair(annotations, LEADER_ANNOTATION)) {
        context.report({ ...at, messageId: 'leaderLock', data: { name: shownName } });
        continue;
      }
      const service = context.facts
        .get<ServiceFact>(SERVICES_WITH_SELECTOR)
        .find((s) => s.name === name && s.namespace === namespace);
      if (service) {
        context.report({ ...at, messageId: 'controllerOwned', data: { name: shownName, serviceFile: service.file } });
        continue;
      }
      // Matched by name only (a Pod reads it in its own namespace, a PV where endpointsNamespace says): when in
      // doubt, do not convert. Show the reference nearest to this file.
      const volume = context.facts
        .get<GlusterfsFact>(GLUSTERFS_ENDPOINTS)
        .filter((g) => g.name === name)
        .sort((a, b) => commonPrefix(b.file, file.path) - commonPrefix(a.file, file.path))[0];
      if (volume) {
        context.report({ ...at, messageId: 'glusterfs', data: { name: shownName, file: volume.file } });
        continue;
      }
      if (labels && isTrue((mapGet(labels, SKIP_MIRROR_LABEL) as { value?: unknown } | undefined)?.value)) {
        context.report({ ...at, messageId: 'skipMirror', data: { name: shownName } });
        continue;
      }

      const notFixable = (reason: string) =>
        context.report({ ...at, messageId: 'notFixable', data: { name: shownName, reason, managedBy: settings.managedBy } });

      if (object.inList) {
        const wrapperKind = (ast.documents[object.documentIndex].contents as YAMLMap | null) && mapGet(ast.documents[object.documentIndex].contents as YAMLMap, 'kind');
        const kind = isScalar(wrapperKind) ? String(wrapperKind.value) : undefined;
        if (kind !== 'List') {
          notFixable(`it is an item of a ${kind ?? 'list'}, which cannot hold EndpointSlices (make it a kind: List first)`);
          continue;
        }
      }
      const jinja = isJinjaTemplate(file.path);
      const ranged = findRangedSubset(object, ast, text, jinja);
      if (ranged && !ranged.ok) {
        notFixable(ranged.reason);
        continue;
      }
      const prepared = prepare(object, ast, text, jinja, ranged?.subset.directives);
      if (prepared.reason !== undefined) {
        notFixable(prepared.reason);
        continue;
      }
      if (ranged) {
        const fix = rangedFix(object, ast, text, ranged.subset, prepared.value, settings);
        if (typeof fix === 'string') notFixable(fix);
        else context.report({ ...at, messageId: 'convertRanged', data: { name: shownName, slices: fix.names.join(' and '), managedBy: settings.managedBy }, fix: [fix.edit] });
        continue;
      }
      const conversion = endpointsToSlices(prepared.value, settings);
      if (!conversion.ok) {
        notFixable(conversion.reason);
        continue;
      }
      const comments = commentsFor(object, ast, conversion, prepared.value);
      if (typeof comments === 'string') {
        notFixable(comments);
        continue;
      }
      let edit;
      try {
        const layout = detectLayout(text, object.node, file.language === 'json');
        const placement = { text, start: object.start, end: object.end, inList: object.inList, jsonFile: file.language === 'json' };
        edit = replaceObject(conversion.slices, layout, placement, comments);
      } catch (error) {
        if (error instanceof RenderError) {
          notFixable(error.message);
          continue;
        }
        throw error;
      }
      const names = conversion.slices.map((s) => (s.metadata.name instanceof Template ? s.metadata.name.raw : String(s.metadata.name)));
      const slices = names.length === 1 ? `1 EndpointSlice, ${names[0]}` : `${names.length} EndpointSlices: ${names.join(', ')}`;
      context.report({ ...at, messageId: 'convert', data: { name: shownName, slices }, fix: [edit] });
    }
  },
};

