/**
 * endpoints-ts-type: client-node's v1 Endpoints types (`V1Endpoints`, `V1EndpointsList`, `V1EndpointSubset`,
 * `V1EndpointAddress`, `CoreV1EndpointPort`) used in TS/JS code, where the two rules above did not already report
 * the value they describe. A type alone says little about what the code does, so this is a warning without a
 * fix: the client and watch rules retype annotations when they rewrite the value.
 */
import type { TsAst } from '../src/languages/typescript.js';
import { typescriptTools } from '../src/ts/lazy.js';
import type { Rule } from '../src/types.js';

const TWINS: Record<string, string> = {
  V1Endpoints: 'V1EndpointSlice (one of the slices labelled kubernetes.io/service-name=<service>)',
  V1EndpointsList: 'V1EndpointSliceList',
  V1EndpointSubset: 'V1EndpointSlice (its endpoints[] and ports[])',
  V1EndpointAddress: 'V1Endpoint (addresses[], conditions.ready undefined meaning ready)',
  CoreV1EndpointPort: 'DiscoveryV1EndpointPort (port may be undefined)',
};

export const rule: Rule<TsAst> = {
  meta: {
    id: 'endpoints-ts-type',
    severity: 'warning',
    description: 'client-node v1 Endpoints type in TS/JS code',
    help:
      'Types such as V1Endpoints and V1EndpointSubset describe the deprecated v1 Endpoints API. Code that holds ' +
      'them reads Endpoints somewhere: move it to EndpointSlice (discovery.k8s.io/v1) types, V1EndpointSlice, ' +
      'V1Endpoint and DiscoveryV1EndpointPort.',
    docs: 'rules/endpoints-ts-type.md',
    languages: ['typescript'],
    // Its own type names: `V1Endpoint` alone would also let in discovery's V1EndpointSlice.
    triggers: Object.keys(TWINS),
    fixable: false,
    messages: {
      type: '{{type}} is a deprecated v1 Endpoints type of @kubernetes/client-node: use {{twin}} from discovery.k8s.io/v1',
    },
    collect: { languages: ['typescript'], triggers: ['@kubernetes/client-node'] },
  },

  collect(ctx) {
    typescriptTools().collectClientNodeModule(ctx.ast, ctx.file.absPath, ctx.facts);
  },

  check(ctx) {
    const tools = typescriptTools();
    const { ts } = tools;
    const sf = ctx.ast.sourceFile;
    const { clientNode, calls } = tools.analyze(ctx.ast, ctx.file.absPath, ctx.facts);
    if (clientNode.imports.length === 0) return;
    // What the client and watch rules report or rewrite is theirs; do not report it twice.
    const claimed: [number, number][] = [];
    const claimNode = (node: import('ts-morph').ts.Node) => {
      claimed.push([node.getStart(sf), node.end]);
      let up = node.parent;
      while (ts.isAwaitExpression(up) || ts.isParenthesizedExpression(up) || ts.isPropertyAccessExpression(up)) up = up.parent;
      if (ts.isVariableDeclaration(up)) claimed.push([up.getStart(sf), up.end]);
    };
    for (const found of calls) {
      claimNode(found.call);
      if (found.kind !== 'write') {
        const result = tools.rewriteEndpointsCall(sf, clientNode, found, ctx.file.absPath);
        if ('edits' in result) for (const e of result.edits) claimed.push([e.start, e.end]);
      }
    }
    for (const found of tools.findEndpointsPaths(sf)) {
      const call = found.node.parent;
      claimNode(ts.isCallExpression(call) || ts.isNewExpression(call) ? call : found.node);
      const result = tools.rewriteWatchPath(sf, clientNode, found, ctx.file.absPath);
      if ('edits' in result) for (const e of result.edits) claimed.push([e.start, e.end]);
    }
    const isClaimed = (start: number, end: number) => claimed.some(([s, e]) => start < e && s < end);
    const visit = (node: import('ts-morph').ts.Node): void => {
      let target: import('ts-morph').ts.Node | undefined;
      if (ts.isTypeReferenceNode(node)) target = node.typeName;
      else if (ts.isExpressionWithTypeArguments(node)) target = node.expression;
      else if (ts.isNewExpression(node)) target = node.expression;
      const name = target ? tools.clientNodeName(target, clientNode) : undefined;
      if (target && name && TWINS[name]) {
        const start = node.getStart(sf);
        if (!isClaimed(start, node.end)) ctx.report({ start, end: node.end, messageId: 'type', data: { type: name, twin: TWINS[name] } });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  },
};
