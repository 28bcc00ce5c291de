/**
 * endpointslice-v1beta1: `discovery.k8s.io/v1beta1` EndpointSlices, which API servers stopped serving in
 * Kubernetes 1.25. The fix edits as little as possible: the apiVersion scalar, and only the endpoints that carry
 * a `topology` are rewritten (codemods/endpointslice-v1beta1-to-v1.ts). Comments and formatting elsewhere stay.
 */
import type { YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq } from '../src/languages/yaml-nodes.js';
import { loadManifestRuntime } from '../src/k8s/runtime.js';
import { concrete } from '../codemods/endpoints-to-slices.js';
import { convertEndpoint, endpointComments } from '../codemods/endpointslice-v1beta1-to-v1.js';
import { commentsInObject, type NodeComment } from '../src/k8s/comments.js';
import { detectLayout, RenderError, replaceObject } from '../src/k8s/render.js';
import { sliceProblems } from '../src/k8s/validate-slice.js';
import { nodeToValue, ValueError, type ValueContext } from '../src/k8s/values.js';
import { directivesIn, type YamlAst } from '../src/languages/helm.js';
import { manifestObjects, mapGet, mapPair, objectName } from '../src/manifests.js';
import type { Edit, Rule, RuleContext } from '../src/types.js';

const V1BETA1 = 'discovery.k8s.io/v1beta1';
const V1 = 'discovery.k8s.io/v1';

export const endpointsliceV1beta1: Rule<YamlAst> = {
  meta: {
    id: 'endpointslice-v1beta1',
    severity: 'error',
    description: 'discovery.k8s.io/v1beta1 EndpointSlices (API removed in Kubernetes 1.25)',
    help:
      'The discovery.k8s.io/v1beta1 EndpointSlice API is no longer served since Kubernetes 1.25. Use discovery.k8s.io/v1: ' +
      'topology kubernetes.io/hostname becomes nodeName, topology.kubernetes.io/zone becomes zone; other topology keys have ' +
      'no v1 field (the API server drops deprecatedTopology on v1 writes); conditions and hints keep their shape.',
    docs: 'rules/endpointslice-v1beta1.md',
    languages: ['yaml', 'json'],
    triggers: [V1BETA1],
    fixable: true,
    codemod: 'endpointslice-v1beta1-to-v1',
    messages: {
      migrate:
        'EndpointSlice {{name}} uses discovery.k8s.io/v1beta1, which Kubernetes 1.25 removed: use discovery.k8s.io/v1 ' +
        '(topology becomes nodeName and zone)',
      notFixable:
        'EndpointSlice {{name}} uses discovery.k8s.io/v1beta1, which Kubernetes 1.25 removed; not fixed automatically because ' +
        '{{reason}}: set apiVersion: discovery.k8s.io/v1 and move each endpoint\'s topology to nodeName (kubernetes.io/hostname), ' +
        'zone (topology.kubernetes.io/zone); other topology keys have no v1 field (the API server drops deprecatedTopology on v1 writes)',
    },
  },

  prepare: loadManifestRuntime,
  check(context: RuleContext<YamlAst>) {
    const { ast, file } = context;
    const text = file.text;
    for (const object of manifestObjects(ast)) {
      if (object.apiVersion !== V1BETA1 || object.kind !== 'EndpointSlice') continue;
      const name = objectName(object).name ?? '(unnamed)';
      const at = { start: object.start, end: object.end };
      const notFixable = (reason: string) => context.report({ ...at, messageId: 'notFixable', data: { name, reason } });
      const cx: ValueContext = { text, ast };
      const json = file.language === 'json';

      const edits: Edit[] = [];
      const apiVersion = mapGet(object.node, 'apiVersion');
      if (!isScalar(apiVersion) || !apiVersion.range) continue;
      const [vStart, vEnd] = apiVersion.range;
      const written = text.slice(vStart, vEnd);
      edits.push({ start: vStart, end: vEnd, text: written.replace(V1BETA1, V1) });

      let value: Record<string, unknown>;
      let failure: string | undefined;
      try {
        value = nodeToValue(object.node, cx) as Record<string, unknown>;
        value.apiVersion = V1;
        const endpoints = mapGet(object.node, 'endpoints');
        const convertedEndpoints: unknown[] = [];
        if (isSeq(endpoints)) {
          for (const [index, item] of endpoints.items.entries()) {
            const itemValue = nodeToValue(item, cx) as Record<string, unknown>;
            if (!isMap(item) || !mapPair(item as YAMLMap, 'topology')) {
              convertedEndpoints.push(itemValue);
              continue;
            }
            const [start, end] = item.range ?? [0, 0];
            const standalone = directivesIn(ast, start, end).find((d) => d.standalone);
            if (standalone) {
              failure = `the template directive ${standalone.text} shapes an endpoint with a topology`;
              break;
            }
            const converted = convertEndpoint(itemValue);
            if (!converted.ok) {
              failure = `endpoints[${index}] ${converted.reason}`;
              break;
            }
            // Comments inside the rewritten endpoint go with what they describe, or the endpoint is not rewritten.
            const found = commentsInObject(item, ast.masked, start, end);
            const comments = endpointComments(found.placed);
            const lost = found.unattached[0] ?? (comments.ok ? undefined : comments.comment);
            if (lost) {
              failure = `the comment "#${lost.text}" (line ${lost.line}) inside endpoints[${index}] has no place in its v1 form and would be lost`;
              break;
            }
            convertedEndpoints.push(converted.endpoint);
            const layout = detectLayout(text, item as YAMLMap, json);
            const placement = { text, start, end, inList: true, jsonFile: json };
            edits.push(replaceObject([converted.endpoint], layout, placement, [(comments as { comments: NodeComment[] }).comments]));
          }
        }
        value.endpoints = convertedEndpoints;
      } catch (error) {
        if (!(error instanceof ValueError || error instanceof RenderError)) throw error;
        failure = error.message;
      }
      if (failure) {
        notFixable(failure);
        continue;
      }
      const problems = sliceProblems(concrete(value!), { generated: false });
      if (problems.length) {
        notFixable(`the v1 object would be invalid: ${problems[0]}`);
        continue;
      }
      context.report({ ...at, messageId: 'migrate', data: { name }, fix: edits });
    }
  },
};
