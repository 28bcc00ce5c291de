/**
 * endpoints-ts-watch: watches, informers and raw REST calls on core v1 Endpoints paths in TS/JS code.
 * The path alone is specific enough when it names a namespace (`/api/v1/namespaces/x/endpoints`); the bare
 * `/api/v1/endpoints` counts only in files that use client-node (directly or through a local module) or that
 * hand it to a watch or an informer, so an unrelated app's own `/api/v1/endpoints` route is not flagged.
 */
import type { TsAst } from '../src/languages/typescript.js';
import { typescriptTools } from '../src/ts/lazy.js';
import type { Rule } from '../src/types.js';

/**
 * The `api` of `/api/v1/` as a file writes it: in one literal (`'/api/v1/...'`), or at the edge of a literal that a
 * `+` or a template joins (`'/' + 'api/v1'`, `${base}/api/v1`). `/apis/discovery.k8s.io/...`, UI routes
 * (`'/settings/endpoints'`) and words that contain the letters (`rapid`, `apiVersion`) do not pass.
 */
const CORE_API_SEGMENT = /(?<=[/'"`}])api(?=[/'"`$])/;

const REPLACEMENT =
  'use /apis/discovery.k8s.io/v1/namespaces/<ns>/endpointslices with labelSelector ' +
  'kubernetes.io/service-name=<service> (a Service may have several slices: merge them, de-duplicate by address and target pod, ' +
  'ready undefined means ready) and grant list/watch on endpointslices in API group discovery.k8s.io';

export const rule: Rule<TsAst> = {
  meta: {
    id: 'endpoints-ts-watch',
    severity: 'error',
    description: 'Watch, informer or REST path on deprecated core v1 Endpoints',
    help:
      'Paths under /api/v1/.../endpoints reach the deprecated v1 Endpoints API. Watch and list EndpointSlices ' +
      'instead: /apis/discovery.k8s.io/v1/namespaces/<ns>/endpointslices, selecting a Service\'s slices with the ' +
      'label kubernetes.io/service-name=<service>. The fix moves client-node watches and informers (path, list ' +
      'function, handlers) when every use of the received objects can be carried over.',
    docs: 'rules/endpoints-ts-watch.md',
    languages: ['typescript'],
    triggers: ['/endpoints'],
    // Every path it reports starts `/api/v1/` once its literals are joined (see rest-paths.ts).
    mayReport: (text) => CORE_API_SEGMENT.test(text),
    fixable: true,
    codemod: 'ts-endpoints-watch',
    messages: {
      path: 'core v1 Endpoints path {{path}}: {{replacement}}',
      pathManual: 'core v1 Endpoints path {{path}}: {{replacement}}. Not rewritten: {{reason}}',
    },
    collect: { languages: ['typescript'], triggers: ['@kubernetes/client-node'] },
  },

  collect(ctx) {
    typescriptTools().collectClientNodeModule(ctx.ast, ctx.file.absPath, ctx.facts);
  },

  check(ctx) {
    const { analyze, findEndpointsPaths, rewriteWatchPath, ts } = typescriptTools();
    const sf = ctx.ast.sourceFile;
    const { clientNode, trusted } = analyze(ctx.ast, ctx.file.absPath, ctx.facts);
    for (const found of findEndpointsPaths(sf)) {
      const parent = found.node.parent;
      const callee = ts.isCallExpression(parent) || ts.isNewExpression(parent) ? parent.expression.getText(sf) : '';
      const handedToWatch = /(^|\.)(watch|makeInformer|ListWatch)$/.test(callee);
      if (!trusted && !found.namespaced && !handedToWatch) continue;
      const start = found.node.getStart(sf);
      const end = found.node.end;
      const data = { path: found.node.getText(sf), replacement: REPLACEMENT };
      const result = rewriteWatchPath(sf, clientNode, found, ctx.file.absPath);
      if ('edits' in result) ctx.report({ start, end, messageId: 'path', data, fix: result.edits });
      else ctx.report({ start, end, messageId: 'pathManual', data: { ...data, reason: result.reason } });
    }
  },
};
