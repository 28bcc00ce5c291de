/**
 * Finds the v1 Endpoints calls, REST paths and types of one TS/JS file, once per parsed file (the three
 * `endpoints-ts-*` rules share the result through a WeakMap keyed by the AST).
 */
import { ts } from './compiler.js';
import type { RepoFacts } from '../types.js';
import type { TsAst } from '../languages/typescript.js';
import {
  findClientNodeImports,
  importsClientNode,
  packageGeneration,
  relativeImports,
  stripExtension,
  type ClientNodeFile,
  type Generation,
} from './client-node.js';

export type CallKind = 'read' | 'list' | 'write';

export const ENDPOINTS_METHODS: Record<string, CallKind> = {
  readNamespacedEndpoints: 'read',
  listNamespacedEndpoints: 'list',
  listEndpointsForAllNamespaces: 'list',
  createNamespacedEndpoints: 'write',
  replaceNamespacedEndpoints: 'write',
  patchNamespacedEndpoints: 'write',
  deleteNamespacedEndpoints: 'write',
  deleteCollectionNamespacedEndpoints: 'write',
};

/** The EndpointSlice method each read/list method becomes. */
export const SLICE_METHOD: Record<string, string> = {
  readNamespacedEndpoints: 'listNamespacedEndpointSlice',
  listNamespacedEndpoints: 'listNamespacedEndpointSlice',
  listEndpointsForAllNamespaces: 'listEndpointSliceForAllNamespaces',
};

export const ENDPOINTS_TYPES = ['V1Endpoints', 'V1EndpointsList', 'V1EndpointSubset', 'V1EndpointAddress', 'CoreV1EndpointPort'];

export interface EndpointsCall {
  call: ts.CallExpression;
  method: string;
  kind: CallKind;
  receiver: ts.Expression;
  nameNode: ts.Identifier | ts.PrivateIdentifier;
  generation: Generation;
}

export interface FileAnalysis {
  clientNode: ClientNodeFile;
  /** The file imports client-node, or imports a local module that does (and so may hand it a client). */
  trusted: boolean;
  calls: EndpointsCall[];
}

/** Facts key under which every rule's collect pass records the modules that import client-node. */
export const CLIENT_NODE_MODULES = 'endpoints-ts:client-node-modules';

export function collectClientNodeModule(ast: TsAst, absPath: string, facts: RepoFacts): void {
  if (importsClientNode(findClientNodeImports(ast.sourceFile))) facts.add(CLIENT_NODE_MODULES, stripExtension(absPath));
}

const cache = new WeakMap<ts.SourceFile, FileAnalysis>();

export function analyze(ast: TsAst, absPath: string, facts: RepoFacts): FileAnalysis {
  const sf = ast.sourceFile;
  const hit = cache.get(sf);
  if (hit) return hit;
  const clientNode = findClientNodeImports(sf);
  let trusted = importsClientNode(clientNode);
  if (!trusted) {
    const known = new Set(facts.get<string>(CLIENT_NODE_MODULES));
    for (const target of relativeImports(sf, absPath).keys()) if (known.has(target)) trusted = true;
  }
  const calls: EndpointsCall[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      // hasOwn: `x.toString()` must not find Object.prototype's toString in the table.
      if ((ts.isPropertyAccessExpression(callee) || ts.isPropertyAccessChain(callee)) && Object.hasOwn(ENDPOINTS_METHODS, callee.name.text)) {
        const method = callee.name.text;
        const verdict = ast.checker ? receiverIsCoreV1Api(ast.checker, callee.expression) : undefined;
        if (verdict ?? trusted) {
          calls.push({
            call: node,
            method,
            kind: ENDPOINTS_METHODS[method],
            receiver: callee.expression,
            nameNode: callee.name,
            generation: generationOf(node, method, absPath),
          });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  const result = { clientNode, trusted, calls };
  cache.set(sf, result);
  return result;
}

/**
 * With a type checker: true when the receiver is client-node's CoreV1Api (1.x names it ObjectCoreV1Api), false
 * when it is some other known type, undefined when the type is unknown (`any`, unresolved import) and the
 * syntactic rule decides.
 */
function receiverIsCoreV1Api(checker: ts.TypeChecker, receiver: ts.Expression): boolean | undefined {
  const type = checker.getTypeAtLocation(receiver);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
  const symbol = type.getSymbol() ?? type.aliasSymbol;
  if (!symbol) return undefined;
  const fromClientNode = (symbol.declarations ?? []).some((d) =>
    /[\\/](@kubernetes[\\/]client-node|client-node-0)[\\/]/.test(d.getSourceFile().fileName),
  );
  return fromClientNode && /^(Object|Promise)?CoreV1Api$/.test(symbol.getName());
}

/**
 * 1.x takes one object (`read({ name, namespace })`), 0.x positional arguments. A call without arguments, or with
 * one that is neither, is decided by the nearest package.json; without one, the current generation (1.x).
 */
export function generationOf(call: ts.CallExpression, method: string, absPath: string): Generation {
  const args = call.arguments;
  if (args.length === 1 && ts.isObjectLiteralExpression(args[0])) return 1;
  if (args.length >= 2) return 0;
  if (args.length === 1 && (ts.isStringLiteralLike(args[0]) || ts.isTemplateExpression(args[0]))) return 0;
  if (args.length === 1 && method === 'readNamespacedEndpoints') return 1;
  return packageGeneration(absPath) ?? 1;
}
