/**
 * endpoints-ts-client: `@kubernetes/client-node` CoreV1Api calls on v1 Endpoints. Reads and lists are rewritten
 * to DiscoveryV1Api EndpointSlice lists (codemod `ts-endpoints-client`) when every consumer of the result can be
 * carried over; writes get guidance only, since who owns a slice (its managed-by label, its name) is a decision.
 */
import type { TsAst } from '../src/languages/typescript.js';
import { typescriptTools } from '../src/ts/lazy.js';
import type { Rule } from '../src/types.js';

const MIGRATION =
  'list its EndpointSlices with DiscoveryV1Api.listNamespacedEndpointSlice and labelSelector ' +
  'kubernetes.io/service-name=<service>, merge the slices and de-duplicate them (ready undefined means ready; ' +
  'terminating endpoints are not "not ready"), ' +
  'and grant list/watch on endpointslices in API group discovery.k8s.io';
const LIST_MIGRATION =
  'list EndpointSlices with DiscoveryV1Api.{{replacement}} (a Service\'s slices carry the label ' +
  'kubernetes.io/service-name=<service>; one Service may have several), treat ready undefined as ready, and grant ' +
  'list/watch on endpointslices in API group discovery.k8s.io';

/** What --fix changes in what the code answers (rules/endpoints-ts-client.md, "Differences from v1 Endpoints"). */
const FIX_NOTE =
  '; --fix reads the slices and rebuilds the old answer from them, except that a dual-stack Service now lists the ' +
  'addresses of both IP families (bracket IPv6 in host:port)';

export const rule: Rule<TsAst> = {
  meta: {
    id: 'endpoints-ts-client',
    severity: 'error',
    description: '@kubernetes/client-node CoreV1Api call on deprecated v1 Endpoints',
    help:
      'v1 Endpoints is deprecated since Kubernetes 1.33; the API server answers every such call with a warning. ' +
      'Read a Service\'s endpoints from its EndpointSlices (discovery.k8s.io/v1), found by the label ' +
      'kubernetes.io/service-name=<service>: DiscoveryV1Api.listNamespacedEndpointSlice. A Service may have several ' +
      'slices: merge them, de-duplicate them and treat conditions.ready undefined as ready. The fix rewrites ' +
      'reads and lists in 1.x and 0.x style and rebuilds the old answer from the slices, so the code that uses it ' +
      'keeps its meaning (a dual-stack Service lists both IP families).',
    docs: 'rules/endpoints-ts-client.md',
    languages: ['typescript'],
    triggers: ['NamespacedEndpoints', 'EndpointsForAllNamespaces'],
    fixable: true,
    codemod: 'ts-endpoints-client',
    messages: {
      read: `{{method}} reads the deprecated v1 Endpoints of a Service: ${MIGRATION}${FIX_NOTE}`,
      readManual: `{{method}} reads the deprecated v1 Endpoints of a Service: ${MIGRATION}. Not rewritten: {{reason}}`,
      list: `{{method}} lists deprecated v1 Endpoints: ${LIST_MIGRATION}${FIX_NOTE}`,
      listManual: `{{method}} lists deprecated v1 Endpoints: ${LIST_MIGRATION}. Not rewritten: {{reason}}`,
      write:
        '{{method}} writes deprecated v1 Endpoints: write an EndpointSlice instead (DiscoveryV1Api, ' +
        'discovery.k8s.io/v1) with addressType, labels kubernetes.io/service-name=<service> and ' +
        'endpointslice.kubernetes.io/managed-by=<your controller>, and grant create/update/delete on endpointslices; ' +
        'not rewritten automatically',
    },
    collect: { languages: ['typescript'], triggers: ['@kubernetes/client-node'] },
  },

  collect(ctx) {
    typescriptTools().collectClientNodeModule(ctx.ast, ctx.file.absPath, ctx.facts);
  },

  check(ctx) {
    const { analyze, informerOwning, rewriteEndpointsCall, SLICE_METHOD } = typescriptTools();
    const { clientNode, calls } = analyze(ctx.ast, ctx.file.absPath, ctx.facts);
    for (const found of calls) {
      const start = found.call.getStart(ctx.ast.sourceFile);
      const end = found.call.end;
      const data = { method: found.method, replacement: SLICE_METHOD[found.method] ?? 'listNamespacedEndpointSlice' };
      if (found.kind === 'write') {
        ctx.report({ start, end, messageId: 'write', data });
        continue;
      }
      if (informerOwning(found.call)) {
        ctx.report({
          start,
          end,
          messageId: `${found.kind}Manual`,
          data: { ...data, reason: 'it is the list function of an informer; endpoints-ts-watch rewrites it with the informer path' },
        });
        continue;
      }
      const result = rewriteEndpointsCall(ctx.ast.sourceFile, clientNode, found, ctx.file.absPath);
      if ('edits' in result) ctx.report({ start, end, messageId: found.kind, data, fix: result.edits });
      else ctx.report({ start, end, messageId: `${found.kind}Manual`, data: { ...data, reason: result.reason } });
    }
  },
};
