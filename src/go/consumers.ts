/**
 * Rewrites the code that consumes an Endpoints object read from the API (`ep`), once the read itself has been
 * turned into a list of EndpointSlices. Only the common idioms are rewritten:
 *
 *   for _, subset := range ep.Subsets {            for _, slice := range ep.Items {
 *       for _, addr := range subset.Addresses {  →     for _, endpoint := range slice.Endpoints {
 *           use(addr.IP)                                    if endpoint.Conditions.Ready != nil && !*endpoint.Conditions.Ready { continue }
 *       }                                                   addr := endpoint.Addresses[0]
 *   }                                                       if seen[addr] { continue }; seen[addr] = true
 *                                                           use(addr)
 *
 * (a nil `Ready` counts as ready; `NotReadyAddresses` loops keep the endpoints whose `Ready` is false), and the
 * `IsNotFound(err)` check, which becomes an empty-list check because a Service without endpoints has no slices
 * rather than a NotFound error. The same endpoint can be in two slices for a moment, so the rewritten loops
 * de-duplicate by address. Any other use of `ep` makes the whole rewrite fail with a reason naming that use.
 */
import type { Node } from 'web-tree-sitter';
import type { GoAst } from '../languages/go.js';
import type { Edit } from '../types.js';
import { PKG } from './imports.js';
import {
  children,
  contains,
  descendants,
  enclosingFunctionBody,
  identifiersNamed,
  indentOf,
  isPackageMember,
  lineOf,
  lineStart,
  namesIn,
  same,
  snippet,
  statementsOf,
  uniqueName,
  unparen,
} from './syntax.js';

export interface ConsumerRewrite {
  /** The variable that held the Endpoints object and now holds the slices. */
  variable: string;
  /** The error variable of the read, when the read returns one. */
  errVar?: string;
  /** The statement that declares the variable (uses are looked for after it). */
  declaration: Node;
  /** Occurrences of the variable that the caller rewrites itself (the read, the declaration). */
  handled: Node[];
  /** How to reach the slices from the variable: `ep.Items` for a list, `ep` for a lister's result. */
  items: string;
}

function fail(ast: GoAst, node: Node, why: string): string {
  return `${why} at line ${lineOf(ast.text, node.startIndex)} (\`${snippet(node)}\`)`;
}

/** Names of a range clause's `_, x` (only the value form is rewritten). */
function rangeValue(forStatement: Node): { value: Node; right: Node } | undefined {
  const clause = children(forStatement).find((c) => c.type === 'range_clause');
  if (!clause) return undefined;
  const left = clause.childForFieldName('left');
  const right = clause.childForFieldName('right');
  if (!left || !right) return undefined;
  const names = children(left);
  if (names.length !== 2 || names[0].text !== '_' || names[1].type !== 'identifier') return undefined;
  return { value: names[1], right };
}

function blockContent(text: string, block: Node): string {
  // Everything between the braces, including the newline after `{` and the indentation before `}`.
  return text.slice(block.startIndex + 1, block.endIndex - 1);
}

function jumpsOut(body: Node): Node | undefined {
  return descendants(body, ['goto_statement', 'break_statement', 'continue_statement']).find(
    (n) => n.type === 'goto_statement' || children(n).some((c) => c.type === 'label_name'),
  );
}

/**
 * The fields of a core `EndpointAddress` that an address loop may read, and what each becomes inside the loop over
 * a slice's endpoints: `IP` is the endpoint's address (a string), `NodeName` (`*string`) and `TargetRef`
 * (`*corev1.ObjectReference`) have the same type on `discoveryv1.Endpoint`. `Hostname` is a string on one and a
 * `*string` on the other, so it is not rewritten.
 */
const ADDRESS_FIELDS: Record<string, (addr: string, endpoint: string) => string> = {
  IP: (addr) => addr,
  NodeName: (_addr, endpoint) => `${endpoint}.NodeName`,
  TargetRef: (_addr, endpoint) => `${endpoint}.TargetRef`,
};

interface AddressLoop {
  loop: Node;
  ready: boolean;
  addr: string;
  body: Node;
}

/** Rewrites every use of the variable; returns the edits, or why the uses cannot be rewritten. */
export function rewriteConsumers(ast: GoAst, spec: ConsumerRewrite): Edit[] | string {
  const { text } = ast;
  const body = enclosingFunctionBody(spec.declaration);
  if (!body) return 'the read is not inside a function';
  const uses = identifiersNamed(body, spec.variable).filter(
    (n) => n.startIndex >= spec.declaration.startIndex && !spec.handled.some((h) => same(h, n) || contains(h, n)),
  );
  const taken = namesIn(body);
  const edits: Edit[] = [];
  const seenLoops: Node[] = [];
  for (const use of uses) {
    if (seenLoops.some((l) => contains(l, use))) continue;
    const selector = use.parent;
    if (selector?.type !== 'selector_expression' || !same(selector.childForFieldName('operand'), use)) {
      return fail(ast, use.parent ?? use, `\`${spec.variable}\` is used as a whole`);
    }
    if (selector.childForFieldName('field')?.text !== 'Subsets') return fail(ast, selector, `\`${selector.text}\` has no EndpointSlice equivalent`);
    const clause = unparen(selector).parent;
    const outer = clause?.type === 'range_clause' ? clause.parent : null;
    if (!outer || outer.type !== 'for_statement' || outer.parent?.type === 'labeled_statement') {
      return fail(ast, selector, `\`${selector.text}\` is used other than in \`for _, subset := range ${selector.text}\``);
    }
    const outerRange = rangeValue(outer);
    if (!outerRange) return fail(ast, outer, 'only `for _, subset := range ...Subsets` loops are rewritten');
    const subset = outerRange.value.text;
    const outerBody = outer.childForFieldName('body')!;
    const loops: AddressLoop[] = [];
    for (const statement of statementsOf(outerBody)) {
      const inner = statement.type === 'for_statement' ? rangeValue(statement) : undefined;
      const field = inner?.right.type === 'selector_expression' ? inner.right.childForFieldName('field')?.text : undefined;
      const operand = inner?.right.type === 'selector_expression' ? inner.right.childForFieldName('operand')?.text : undefined;
      if (!inner || operand !== subset || (field !== 'Addresses' && field !== 'NotReadyAddresses')) {
        return fail(ast, statement, `the loop over \`${selector.text}\` does more than range over \`${subset}.Addresses\` or \`${subset}.NotReadyAddresses\``);
      }
      const addr = inner.value.text;
      const innerBody = statement.childForFieldName('body')!;
      for (const ref of identifiersNamed(innerBody, addr)) {
        const p = ref.parent;
        const field = p?.type === 'selector_expression' && same(p.childForFieldName('operand'), ref) ? p.childForFieldName('field')?.text : undefined;
        if (field === 'Hostname') {
          return fail(ast, p!, `\`${addr}.Hostname\` is a string, but an EndpointSlice endpoint's \`Hostname\` is a \`*string\` (nil when unset)`);
        }
        if (!field || !Object.hasOwn(ADDRESS_FIELDS, field)) {
          return fail(ast, p ?? ref, `\`${addr}\` is used as a whole, not through \`IP\`, \`NodeName\` or \`TargetRef\` (an EndpointSlice endpoint is a \`discoveryv1.Endpoint\`, not an \`EndpointAddress\`)`);
        }
      }
      if (identifiersNamed(innerBody, subset).length) return fail(ast, innerBody, `\`${subset}\` is used inside the address loop`);
      const jump = jumpsOut(innerBody);
      if (jump) return fail(ast, jump, 'a labelled jump leaves the address loop');
      if (descendants(innerBody, 'raw_string_literal').some((r) => r.text.includes('\n'))) {
        return fail(ast, innerBody, 'a multi-line raw string would be re-indented');
      }
      loops.push({ loop: statement, ready: field === 'Addresses', addr, body: innerBody });
    }
    seenLoops.push(outer);
    const indent = indentOf(text, outer.startIndex);
    const sliceName = uniqueName('slice', taken);
    const endpointName = uniqueName('endpoint', taken);
    let out = '';
    const seenNames: string[] = [];
    for (const loop of loops) {
      const seen = uniqueName(loop.ready ? 'seen' : 'seenNotReady', new Set([...taken, ...seenNames]));
      seenNames.push(seen);
      out += `${seen} := map[string]bool{}\n${indent}`;
    }
    out += `for _, ${sliceName} := range ${spec.items} {`;
    for (const loop of loops) {
      const seen = seenNames[loops.indexOf(loop)];
      const i1 = `${indent}\t`;
      const i2 = `${indent}\t\t`;
      const i3 = `${indent}\t\t\t`;
      const condition = loop.ready
        ? `${endpointName}.Conditions.Ready != nil && !*${endpointName}.Conditions.Ready`
        : `${endpointName}.Conditions.Ready == nil || *${endpointName}.Conditions.Ready`;
      // Rename `addr.IP` to `addr` in the loop body (the address is now a plain string), and `addr.NodeName` /
      // `addr.TargetRef` to the endpoint's fields of the same type.
      const content = blockContent(text, loop.body);
      const renames = identifiersNamed(loop.body, loop.addr)
        .map((ref) => ref.parent!)
        .sort((a, b) => b.startIndex - a.startIndex);
      let rewritten = content;
      const base = loop.body.startIndex + 1;
      for (const r of renames) {
        const replacement = ADDRESS_FIELDS[r.childForFieldName('field')!.text](loop.addr, endpointName);
        rewritten = rewritten.slice(0, r.startIndex - base) + replacement + rewritten.slice(r.endIndex - base);
      }
      out +=
        `\n${i1}for _, ${endpointName} := range ${sliceName}.Endpoints {` +
        `\n${i2}if ${condition} {\n${i3}continue\n${i2}}` +
        `\n${i2}${loop.addr} := ${endpointName}.Addresses[0]` +
        `\n${i2}if ${seen}[${loop.addr}] {\n${i3}continue\n${i2}}` +
        `\n${i2}${seen}[${loop.addr}] = true` +
        (rewritten.trim() === '' ? `\n${i1}` : rewritten) +
        `}`;
    }
    out += `\n${indent}}`;
    edits.push({ start: outer.startIndex, end: outer.endIndex, text: out });
  }
  return edits;
}

/** The statements after `declaration` in its block up to (not including) the next assignment to `name`. */
function liveRange(declaration: Node, name: string): { start: number; end: number } {
  const body = enclosingFunctionBody(declaration);
  const end = body ? body.endIndex : declaration.endIndex;
  if (!body) return { start: declaration.endIndex, end };
  const assignments = descendants(body, ['assignment_statement', 'short_var_declaration']).filter(
    (a) => a.startIndex > declaration.endIndex && children(a.childForFieldName('left')!).some((n) => n.text === name),
  );
  return { start: declaration.startIndex, end: assignments.length ? assignments[0].startIndex : end };
}

function isErrNotNil(condition: Node | null, errVar: string): boolean {
  if (!condition || condition.type !== 'binary_expression') return false;
  const left = condition.childForFieldName('left');
  const right = condition.childForFieldName('right');
  const op = condition.childForFieldName('operator')?.text ?? condition.text.slice(left!.endIndex - condition.startIndex, right!.startIndex - condition.startIndex).trim();
  return left?.text === errVar && right?.type === 'nil' && op === '!=';
}

function terminates(block: Node): boolean {
  const statements = statementsOf(block);
  const last = statements[statements.length - 1];
  if (!last) return false;
  if (['return_statement', 'continue_statement', 'break_statement', 'goto_statement'].includes(last.type)) return true;
  return last.type === 'expression_statement' && /^(panic|log\.Fatal|klog\.Fatal)/.test(last.text);
}

/**
 * Rewrites `IsNotFound(err)` checks of the read into empty-list checks. `empty` is the Go condition for "no
 * slices" (`len(ep.Items) == 0`).
 */
export function rewriteNotFound(ast: GoAst, declaration: Node, errVar: string, empty: string): Edit[] | string {
  const { text } = ast;
  const range = liveRange(declaration, errVar);
  const body = enclosingFunctionBody(declaration);
  if (!body) return [];
  const edits: Edit[] = [];
  const calls = descendants(body, 'call_expression').filter((call) => {
    if (call.startIndex < range.start || call.startIndex >= range.end) return false;
    const args = children(call.childForFieldName('arguments')!);
    return isPackageMember(ast, call.childForFieldName('function'), PKG.apierrors, 'IsNotFound') && args.length === 1 && args[0].text === errVar;
  });
  for (const call of calls) {
    const expr = unparen(call);
    // Inside `if err != nil { ... }`: the check must move after that block, as a List reports no error.
    let guard: Node | undefined;
    for (let n = expr.parent; n && contains(body, n); n = n.parent) {
      if (n.type === 'if_statement' && isErrNotNil(n.childForFieldName('condition'), errVar) && contains(n.childForFieldName('consequence')!, expr)) {
        guard = n;
        break;
      }
    }
    if (!guard) {
      const parent = expr.parent!;
      const negation = parent.type === 'unary_expression' && parent.text.startsWith('!') ? unparen(parent) : undefined;
      const conj = negation?.parent;
      if (conj?.type === 'binary_expression' && isErrNotNil(conj.childForFieldName('left'), errVar) && same(unparen(conj.childForFieldName('right')!), negation)) {
        // `err != nil && !IsNotFound(err)`: a List has no NotFound error to let through.
        edits.push({ start: conj.startIndex, end: conj.endIndex, text: `${errVar} != nil` });
        continue;
      }
      const bare = parent.type === 'if_statement' || parent.type === 'expression_list';
      const replacement = `${errVar} == nil && ${empty}`;
      edits.push({ start: expr.startIndex, end: expr.endIndex, text: bare ? replacement : `(${replacement})` });
      continue;
    }
    const inner = expr.parent;
    if (
      !inner ||
      inner.type !== 'if_statement' ||
      !same(unparen(inner.childForFieldName('condition')!), expr) ||
      inner.childForFieldName('alternative') ||
      inner.childForFieldName('initializer') ||
      !same(inner.parent, guard.childForFieldName('consequence')) ||
      guard.childForFieldName('alternative')
    ) {
      return fail(ast, expr, 'the NotFound check is not a plain `if IsNotFound(err) { ... }` inside `if err != nil`');
    }
    const consequence = inner.childForFieldName('consequence')!;
    if (!terminates(consequence)) return fail(ast, inner, 'the NotFound branch does not end in return, continue or break');
    if (descendants(consequence, 'raw_string_literal').some((r) => r.text.includes('\n'))) return fail(ast, inner, 'a multi-line raw string would be re-indented');
    const guardIndent = indentOf(text, guard.startIndex);
    const content = blockContent(text, consequence)
      .split('\n')
      .map((line) => (line.startsWith(`${guardIndent}\t\t`) || line === `${guardIndent}\t` ? line.slice(1) : line))
      .join('\n');
    const from = lineStart(text, inner.startIndex);
    let to = inner.endIndex;
    if (text[to] === '\n') to++;
    edits.push({ start: from, end: to, text: '' });
    edits.push({ start: guard.endIndex, end: guard.endIndex, text: `\n${guardIndent}if ${empty} {${content}}` });
  }
  return edits;
}
