/**
 * REST paths to core v1 Endpoints written in string literals, template literals or `+` concatenations:
 * `/api/v1/endpoints`, `/api/v1/namespaces/${ns}/endpoints`, `/api/v1/namespaces/default/endpoints/kubernetes`,
 * `/api/v1/watch/...`. Not `/apis/discovery.k8s.io/...`, not `/api/v1/endpointslices` (no such core path), not a
 * UI route such as `/endpoints/:id` or `/api/endpoints`.
 */
import { ts } from './compiler.js';

/** Placeholder for an interpolated `${...}` or a concatenated non-literal part. */
const HOLE = '\u0000';

const CORE_ENDPOINTS = new RegExp(
  `^(?:[a-z]+://[^/]*|${HOLE})?/api/v1/(watch/)?(?:namespaces/([^/?]+)/)?endpoints(?:/([^/?]+))?/?(?:\\?.*)?$`,
);

export interface EndpointsPath {
  node: ts.Expression;
  namespaced: boolean;
  /** A single object by name (`.../endpoints/<name>`). */
  named: boolean;
  /** The deprecated `/api/v1/watch/` prefix. */
  watchPrefix: boolean;
}

function isStringConcat(node: ts.Node): node is ts.BinaryExpression {
  return ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken;
}

/** The text a string expression can have, with a HOLE for every part that is not a literal. */
function shapeOf(node: ts.Expression): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => HOLE + s.literal.text).join('');
  if (ts.isParenthesizedExpression(node)) return shapeOf(node.expression);
  if (isStringConcat(node)) {
    const left = shapeOf(node.left) ?? HOLE;
    const right = shapeOf(node.right) ?? HOLE;
    return left + right;
  }
  return undefined;
}

export function findEndpointsPaths(sf: ts.SourceFile): EndpointsPath[] {
  const out: EndpointsPath[] = [];
  const visit = (node: ts.Node): void => {
    const isString = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);
    // Look at a concatenation as a whole, once, from its outermost `+`.
    const outermostConcat = isStringConcat(node) && !isStringConcat(node.parent) && !ts.isParenthesizedExpression(node.parent);
    if ((isString && !isStringConcat(node.parent)) || outermostConcat) {
      const shape = shapeOf(node as ts.Expression);
      const m = shape !== undefined ? CORE_ENDPOINTS.exec(shape) : null;
      if (m && !ts.isImportDeclaration(node.parent) && !ts.isExternalModuleReference(node.parent)) {
        out.push({ node: node as ts.Expression, watchPrefix: !!m[1], namespaced: m[2] !== undefined, named: m[3] !== undefined });
      }
      if (isString) return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The same path for EndpointSlices: `/api/v1/` → `/apis/discovery.k8s.io/v1/`, `endpoints` → `endpointslices`. */
export function slicePathText(raw: string): string {
  return raw.replace('/api/v1/', '/apis/discovery.k8s.io/v1/').replace(/\/endpoints(?=$|[/?'"`])/, '/endpointslices');
}
