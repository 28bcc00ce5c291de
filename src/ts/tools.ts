/**
 * Everything the `endpoints-ts-*` rules need at check time, in one module that imports the TypeScript compiler.
 * Rule modules are imported at start-up (rules/index.ts), so they must not import this statically: they reach it
 * through `typescriptTools()`, which the TypeScript language module registers when it is loaded — that is, only
 * once a TS/JS file has passed the pre-filter. A scan of manifests never loads the compiler.
 */
export { ts } from './compiler.js';
export { analyze, collectClientNodeModule, SLICE_METHOD, ENDPOINTS_TYPES } from './analysis.js';
export { clientNodeName } from './client-node.js';
export { findEndpointsPaths } from './rest-paths.js';
export { informerOwning, rewriteEndpointsCall } from '../../codemods/ts-endpoints-client.js';
export { rewriteWatchPath } from '../../codemods/ts-endpoints-watch.js';
