/**
 * Rewrites the consumers of a v1 Endpoints value into the EndpointSlice shape.
 *
 * The value we follow becomes either a slice list (a Service's Endpoints read by name becomes the list of its
 * slices, `mode: 'list'`) or a single slice (one element of a list, one watch event object, `mode: 'single'`).
 * Only consumers whose meaning we can carry over exactly are rewritten:
 * - `E.subsets?.flatMap(s => s.addresses ?? [])` (optionally `.map(a => a.ip)`), ready or not-ready addresses;
 * - loops over `E.subsets` (`for...of`, `.forEach`) whose subset variable is used only through `addresses`,
 *   `notReadyAddresses` and `ports`;
 * - `E.metadata.namespace` of a single object (a slice lives in its Service's namespace).
 * Anything else throws CannotFix with the reason, and the finding is reported without a fix.
 *
 * Every rewritten address list keeps every address of every endpoint (`endpoints[].addresses` may hold more than
 * one) and the readiness rule of the API: `conditions.ready` undefined means ready. Lists merged from several
 * slices are de-duplicated by address, since an endpoint may sit in two slices while the controller moves it; so is
 * a loop over a Service's subsets that uses only addresses, which then runs once over all its slices.
 * Address objects keep the fields of `V1EndpointAddress` (`ip`, `hostname`, `nodeName`, `targetRef`), so code
 * reading them is unchanged.
 */
import { ts } from './compiler.js';
import type { Edit } from '../types.js';
import { CannotFix, describeUse, referencesOf } from './scope.js';

/**
 * `list`: the value becomes a slice list (all slices of a Service at once); `single`: one slice among all the
 * slices being processed (an item of a list); `event`: one slice delivered by a watch or informer event, where
 * the other slices of the same Service are not at hand.
 */
export type ValueMode = 'list' | 'single' | 'event';

const READY = '(ep) => ep.conditions?.ready !== false';
const NOT_READY = '(ep) => ep.conditions?.ready === false';
const ADDRESS_OBJECTS = '(ep) => ep.addresses.map((ip) => ({ ...ep, ip }))';
const ADDRESS_STRINGS = '(ep) => ep.addresses';
const DEDUPE_OBJECTS = '.filter((a, i, all) => all.findIndex((b) => b.ip === a.ip) === i)';

/** Strips `!`, `?? []`, `|| []` and parentheses around `node`, returning the outermost wrapper. */
function unwrapFallback(node: ts.Node): ts.Node {
  let u = node;
  for (;;) {
    const p = u.parent;
    if (ts.isNonNullExpression(p)) u = p;
    else if (
      ts.isBinaryExpression(p) &&
      p.left === u &&
      (p.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || p.operatorToken.kind === ts.SyntaxKind.BarBarToken) &&
      ts.isArrayLiteralExpression(p.right) &&
      p.right.elements.length === 0
    )
      u = p;
    else if (ts.isParenthesizedExpression(p)) u = p;
    else return u;
  }
}

function isConditionContext(node: ts.Node): boolean {
  const p = node.parent;
  return (
    (ts.isIfStatement(p) && p.expression === node) ||
    (ts.isConditionalExpression(p) && p.condition === node) ||
    (ts.isPrefixUnaryExpression(p) && p.operator === ts.SyntaxKind.ExclamationToken) ||
    (ts.isBinaryExpression(p) &&
      [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(
        p.operatorToken.kind,
      )) ||
    ((ts.isWhileStatement(p) || ts.isDoStatement(p)) && p.expression === node)
  );
}

/** `(s) => s.addresses ?? []` or `({ addresses }) => addresses || []`: which field the callback takes, if that's all. */
function addressFieldOfCallback(fn: ts.Node): 'addresses' | 'notReadyAddresses' | undefined {
  if (!ts.isArrowFunction(fn) || fn.parameters.length !== 1) return undefined;
  let body: ts.Node = fn.body;
  while (ts.isParenthesizedExpression(body)) body = body.expression;
  if (ts.isBlock(body)) {
    if (body.statements.length !== 1 || !ts.isReturnStatement(body.statements[0]) || !body.statements[0].expression) return undefined;
    body = body.statements[0].expression;
  }
  if (ts.isBinaryExpression(body) && ts.isArrayLiteralExpression(body.right) && body.right.elements.length === 0 &&
    (body.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || body.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    body = body.left;
  }
  if (ts.isNonNullExpression(body)) body = body.expression;
  const param = fn.parameters[0].name;
  let field: string | undefined;
  if (ts.isIdentifier(param) && ts.isPropertyAccessExpression(body) && ts.isIdentifier(body.expression) && body.expression.text === param.text) {
    field = body.name.text;
  } else if (ts.isObjectBindingPattern(param) && param.elements.length === 1 && ts.isIdentifier(body)) {
    const el = param.elements[0];
    if (ts.isIdentifier(el.name) && el.name.text === body.text && !el.initializer) {
      field = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
    }
  }
  return field === 'addresses' || field === 'notReadyAddresses' ? field : undefined;
}

/** `.map((a) => a.ip)` or `.map(({ ip }) => ip)` */
function isIpProjection(call: ts.Node): boolean {
  if (!ts.isCallExpression(call) || call.arguments.length !== 1) return false;
  const fn = call.arguments[0];
  if (!ts.isArrowFunction(fn) || fn.parameters.length !== 1) return false;
  const param = fn.parameters[0].name;
  const body = fn.body;
  if (ts.isIdentifier(param)) {
    return ts.isPropertyAccessExpression(body) && ts.isIdentifier(body.expression) && body.expression.text === param.text && body.name.text === 'ip';
  }
  return (
    ts.isObjectBindingPattern(param) &&
    param.elements.length === 1 &&
    ts.isIdentifier(param.elements[0].name) &&
    param.elements[0].name.text === 'ip' &&
    !param.elements[0].propertyName &&
    ts.isIdentifier(body) &&
    body.text === 'ip'
  );
}

export class SliceShapeRewriter {
  readonly edits: Edit[] = [];

  constructor(
    /** Called for a type annotation of a variable that now holds a slice (`V1EndpointSubset` → `V1EndpointSlice`). */
    private readonly retype: (type: ts.TypeNode, now: 'V1EndpointSlice') => void,
  ) {}

  private replace(start: number, end: number, text: string): void {
    if (start === end && text === '') return;
    this.edits.push({ start, end, text });
  }

  /** Rewrites every use of an Endpoints value `E` (a reference or an expression). */
  endpointsValue(E: ts.Expression, mode: ValueMode): void {
    let e: ts.Expression = E;
    while (ts.isNonNullExpression(e.parent)) e = e.parent;
    const p = e.parent;
    if (ts.isPropertyAccessExpression(p) && p.expression === e) {
      if (p.name.text === 'subsets' && mode !== 'event') return this.subsets(e, p, mode);
      if (p.name.text === 'subsets') {
        throw new CannotFix(
          `the handler reads \`${p.getText()}\` (line ${lineOf(p)}) from one event; with EndpointSlices each event carries one slice of a Service, so its addresses must be merged across slices (for example from the informer's list())`,
          p,
        );
      }
      if (p.name.text === 'metadata' && mode !== 'list') {
        let m: ts.Node = p;
        while (ts.isNonNullExpression(m.parent)) m = m.parent;
        if (ts.isPropertyAccessExpression(m.parent) && m.parent.name.text === 'namespace') return;
        if (ts.isPropertyAccessExpression(m.parent) && m.parent.name.text === 'name') {
          throw new CannotFix(
            `\`${m.parent.getText()}\` (line ${lineOf(m.parent)}) would be a slice's own name, not its Service's, and a Service may have several slices; group them by the label kubernetes.io/service-name instead`,
            m.parent,
          );
        }
      }
    }
    throw new CannotFix(`the Endpoints value ${describeUse(e)}`, e);
  }

  /** `E.subsets` and what is done with it. */
  private subsets(E: ts.Expression, access: ts.PropertyAccessExpression, mode: 'list' | 'single'): void {
    const U = unwrapFallback(access);
    const up = U.parent;
    const iterable = (merged = false) => {
      // The collection of slices: `E.items` for a list, `[E]` for one slice (a slice is one subset: endpoints × ports).
      // `[E.items]` (merged): the loop runs once over all the slices, so that their addresses can be de-duplicated.
      if (merged) {
        this.replace(U.getStart(), E.getStart(), `${asiGuard(U)}[`);
        this.replace(E.end, U.end, '.items]');
      } else if (mode === 'list') {
        this.replace(U.getStart(), E.getStart(), '');
        this.replace(E.end, U.end, '.items');
      } else {
        this.replace(U.getStart(), E.getStart(), `${asiGuard(U)}[`);
        this.replace(E.end, U.end, ']');
      }
      // `E.subsets?.forEach(...)`: the collection is never undefined now.
      if (ts.isPropertyAccessExpression(up) && up.expression === U && up.questionDotToken) {
        this.replace(up.questionDotToken.getStart(), up.questionDotToken.end, '.');
      }
    };
    if (ts.isForOfStatement(up) && up.expression === U) {
      const decl = up.initializer;
      if (!ts.isVariableDeclarationList(decl) || decl.declarations.length !== 1 || !ts.isIdentifier(decl.declarations[0].name)) {
        throw new CannotFix('the loop over `subsets` destructures its variable', up.initializer);
      }
      const merged = mode === 'list' && !usesPorts(decl.declarations[0].name);
      iterable(merged);
      this.sliceVariable(decl.declarations[0].name, merged);
      return;
    }
    if (ts.isPropertyAccessExpression(up) && up.expression === U && ts.isCallExpression(up.parent) && up.parent.expression === up) {
      const call = up.parent;
      const method = up.name.text;
      if (method === 'forEach' && call.arguments.length === 1) {
        const fn = call.arguments[0];
        if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.parameters.length === 1 && ts.isIdentifier(fn.parameters[0].name)) {
          const merged = mode === 'list' && !fn.parameters[0].type && !usesPorts(fn.parameters[0].name);
          iterable(merged);
          if (fn.parameters[0].type) this.retype(fn.parameters[0].type, 'V1EndpointSlice');
          this.sliceVariable(fn.parameters[0].name, merged);
          return;
        }
      }
      if (method === 'flatMap' && call.arguments.length === 1) {
        const field = addressFieldOfCallback(call.arguments[0]);
        if (field) {
          const cond = field === 'addresses' ? READY : NOT_READY;
          let end: ts.Node = call;
          const next = call.parent;
          const ipOnly =
            ts.isPropertyAccessExpression(next) && next.name.text === 'map' && next.expression === call && isIpProjection(next.parent);
          if (ipOnly) end = next.parent;
          const perSlice = `.endpoints.filter(${cond}).flatMap(${ipOnly ? ADDRESS_STRINGS : ADDRESS_OBJECTS})`;
          if (mode === 'single') {
            this.replace(U.getStart(), E.getStart(), '');
            this.replace(E.end, end.end, perSlice);
          } else if (ipOnly) {
            this.replace(U.getStart(), E.getStart(), 'Array.from(new Set(');
            this.replace(E.end, end.end, `.items.flatMap((slice) => slice${perSlice})))`);
          } else {
            this.replace(U.getStart(), E.getStart(), '');
            this.replace(E.end, end.end, `.items.flatMap((slice) => slice${perSlice})${DEDUPE_OBJECTS}`);
          }
          return;
        }
      }
    }
    throw new CannotFix(`\`${access.getText()}\` ${describeUse(U).replace(/^line \d+ /, '')} (line ${lineOf(U)}), which has no EndpointSlice equivalent slicefix can prove`, U);
  }

  /**
   * A variable that held one subset and now holds one slice, or (`merged`) all the slices of the Service, whose
   * addresses are then read de-duplicated: an endpoint may sit in two slices while the controller moves it, and a
   * loop over the slices one by one would count or use it twice. Ports belong to one slice, so a loop that reads
   * them goes slice by slice.
   */
  private sliceVariable(name: ts.Identifier, merged = false): void {
    for (const ref of referencesOf(name)) {
      const p = ref.parent;
      if (ts.isPropertyAccessExpression(p) && p.expression === ref) {
        const field = p.name.text;
        if (field === 'ports') continue; // same field, same shape: name, port, protocol, appProtocol
        if (field === 'addresses' || field === 'notReadyAddresses') {
          const W = unwrapFallback(p);
          if (isConditionContext(W)) {
            throw new CannotFix(`\`${W.getText()}\` is tested as a condition (line ${lineOf(W)}); a slice's endpoints are never undefined`, W);
          }
          const cond = field === 'addresses' ? READY : NOT_READY;
          this.replace(W.getStart(), ref.getStart(), '');
          this.replace(
            ref.end,
            W.end,
            merged
              ? `.flatMap((slice) => slice.endpoints.filter(${cond}).flatMap(${ADDRESS_OBJECTS}))${DEDUPE_OBJECTS}`
              : `.endpoints.filter(${cond}).flatMap(${ADDRESS_OBJECTS})`,
          );
          continue;
        }
      }
      throw new CannotFix(`the subset \`${name.text}\` ${describeUse(ref)}; only its addresses, notReadyAddresses and ports have slice equivalents`, ref);
    }
  }
}

/**
 * `;` when `node` will start with `[` at the start of a statement that follows one without a semicolon: in code
 * written without semicolons, `x = []\n[a].forEach(f)` would read as `x = [][a].forEach(f)`.
 */
function asiGuard(node: ts.Node): string {
  let n: ts.Node = node;
  while (!ts.isExpressionStatement(n)) {
    if (n.parent.getStart() !== node.getStart() || !(ts.isExpression(n.parent) || ts.isExpressionStatement(n.parent))) return '';
    n = n.parent;
  }
  const before = node.getSourceFile().text.slice(0, node.getStart()).replace(/(\/\/[^\n]*|\/\*[\s\S]*?\*\/|\s)+$/, '');
  return before === '' || /[;{}]$/.test(before) ? '' : ';';
}

/** Whether the subset variable's `ports` are read. */
function usesPorts(name: ts.Identifier): boolean {
  return referencesOf(name).some((ref) => ts.isPropertyAccessExpression(ref.parent) && ref.parent.expression === ref && ref.parent.name.text === 'ports');
}

export function lineOf(node: ts.Node): number {
  return node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1;
}
