/**
 * Rewrites the code that consumes an Endpoints object read from the API (`ep`), once the read itself has been
 * turned into a list of EndpointSlices. Only the common idioms are rewritten:
 *
 *   for _, subset := range ep.Subsets {            for _, slice := range ep.Items {
 *       for _, addr := range subset.Addresses {  →     for _, endpoint := range slice.Endpoints {
 *           use(addr.IP)                                    if endpoint.Conditions.Ready != nil && !*endpoint.Conditions.Ready { continue }
 *       }                                                   addr := endpoint.Addresses[0]
 *   }                                                       key := addr (+ "/" + the target's UID, when it has one)
 *                                                           if seen[key] { continue }; seen[key] = true
 *                                                           use(addr)
 *
 * What each list held, read from the Endpoints and EndpointSlice controllers (see /work/shared/ENDPOINTSLICE.md):
 * `Addresses` are the endpoints whose `Ready` is not false (nil is ready); `NotReadyAddresses` those whose `Ready`
 * is false and that are not terminating (the Endpoints controller leaves terminating pods out of both lists). The
 * same endpoint can be in two slices for a moment, so the loops de-duplicate by the endpoint's identity: its
 * address and the UID of its target, so that two hostNetwork pods on one IP stay two, as they were two addresses
 * of two subsets. The slices hold every address family of the Service, where Endpoints held the primary one: a
 * difference the rules' messages and pages declare. Any other use of `ep` makes the whole rewrite fail with a
 * reason naming that use. `keepNotFound` keeps the NotFound of a Service without slices.
 */
import type { Node } from 'web-tree-sitter';
import type { GoAst } from '../languages/go.js';
import type { Edit } from '../types.js';
import { ensureImport, PKG } from './imports.js';
import {
  children,
  contains,
  declaredInFunction,
  descendants,
  enclosingFunctionBody,
  identifiersNamed,
  indentOf,
  lineOf,
  namesIn,
  same,
  snippet,
  statementsOf,
  type TakenNames,
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

/** An unlabelled `break` that ends the loop whose body is `body` (not one of a nested for, switch or select). */
function loopBreaks(body: Node): Node | undefined {
  return descendants(body, 'break_statement').find((b) => {
    if (children(b).some((c) => c.type === 'label_name')) return false;
    for (let n = b.parent; n && !same(n, body); n = n.parent) {
      if (['for_statement', 'expression_switch_statement', 'type_switch_statement', 'select_statement', 'func_literal'].includes(n.type)) return false;
    }
    return true;
  });
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
    const inside = identifiersNamed(outer.childForFieldName('body')!, spec.variable)[0];
    if (inside) return fail(ast, inside.parent ?? inside, `\`${spec.variable}\` is used inside the loop over its subsets, where it is no longer one object`);
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
      const breaks = loopBreaks(innerBody);
      if (breaks) {
        return fail(ast, breaks, '`break` ends the addresses of one subset, and a Service\'s subset is spread over several slices (and one slice is one address family)');
      }
      if (descendants(innerBody, 'raw_string_literal').some((r) => r.text.includes('\n'))) {
        return fail(ast, innerBody, 'a multi-line raw string would be re-indented');
      }
      loops.push({ loop: statement, ready: field === 'Addresses', addr, body: innerBody });
    }
    seenLoops.push(outer);
    const indent = indentOf(text, outer.startIndex);
    const sliceName = uniqueName('slice', taken);
    const endpointName = uniqueName('endpoint', taken);
    const keyName = uniqueName('key', new Set([...taken, ...loops.map((l) => l.addr)]));
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
      const conditions = `${endpointName}.Conditions`;
      const skip = loop.ready
        ? `\n${i2}if ${conditions}.Ready != nil && !*${conditions}.Ready {\n${i3}continue\n${i2}}`
        : `\n${i2}if ${conditions}.Ready == nil || *${conditions}.Ready {\n${i3}continue\n${i2}}` +
          `\n${i2}if ${conditions}.Terminating != nil && *${conditions}.Terminating {\n${i3}continue\n${i2}}`;
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
        skip +
        `\n${i2}${loop.addr} := ${endpointName}.Addresses[0]` +
        `\n${i2}${keyName} := ${loop.addr}` +
        `\n${i2}if ${endpointName}.TargetRef != nil {\n${i3}${keyName} += "/" + string(${endpointName}.TargetRef.UID)\n${i2}}` +
        `\n${i2}if ${seen}[${keyName}] {\n${i3}continue\n${i2}}` +
        `\n${i2}${seen}[${keyName}] = true` +
        (rewritten.trim() === '' ? `\n${i1}` : rewritten) +
        `}`;
    }
    out += `\n${indent}}`;
    // The maps are declared in the function's scope: a second loop over the same result needs other names.
    for (const name of seenNames) taken.add(name);
    edits.push({ start: outer.startIndex, end: outer.endIndex, text: out });
  }
  return edits;
}

function isErrNotNil(condition: Node | null, errVar: string): boolean {
  if (!condition || condition.type !== 'binary_expression') return false;
  const left = condition.childForFieldName('left');
  const right = condition.childForFieldName('right');
  const op = condition.childForFieldName('operator')?.text ?? condition.text.slice(left!.endIndex - condition.startIndex, right!.startIndex - condition.startIndex).trim();
  return left?.text === errVar && right?.type === 'nil' && op === '!=';
}

/** A name expression that can be read twice without changing what the code does. */
function readTwice(expression: string): boolean {
  return /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/.test(expression) || /^"[^"\\]*"$/.test(expression);
}

export interface NotFoundRead {
  /** The statement that reads the slices and sets the error: `ep, err := ...`, `err = ...`, or an if's initializer. */
  statement: Node;
  errVar: string;
  /** The Go condition for "no slice of the Service": `len(ep.Items) == 0`. */
  empty: string;
  /** The Service's name, as the original read named it. */
  name: string;
}

/**
 * Keeps the NotFound of the original read. A Get of a Service's Endpoints failed with NotFound when the Service
 * does not exist; a List of its slices then returns no slice and no error (an existing Service always has at least
 * one slice, a placeholder when it has no endpoints). So where the read's error is observed, "no slice" becomes
 * the same NotFound error the Get returned (`endpoints "<name>" not found`), right after the read: every later
 * `err != nil`, `IsNotFound(err)`, `client.IgnoreNotFound(err)` or `wait.Poll` condition answers as before,
 * untouched. In `if err := ...; err != nil {`, the error is set at the top of the branch, in its own scope.
 */
export function keepNotFound(ast: GoAst, read: NotFoundRead, taken: TakenNames): Edit[] | string {
  const { text } = ast;
  const { statement, errVar } = read;
  if (!readTwice(read.name)) return `the Service name \`${read.name}\` would be evaluated twice`;
  const apierrors = ensureImport(text, ast.imports, PKG.apierrors, 'apierrors', taken);
  if (typeof apierrors === 'string') return apierrors;
  const core = ensureImport(text, ast.imports, PKG.core, 'corev1', taken);
  if (typeof core === 'string') return core;
  for (const pkg of [apierrors.name, core.name]) {
    if (declaredInFunction(statement, pkg)) return `\`${pkg}\` is a variable of this function, which hides the package \`${pkg}\` the rewrite needs`;
  }
  const notFound = `${errVar} = ${apierrors.name}.NewNotFound(${core.name}.Resource("endpoints"), ${read.name})`;
  const imports = [...apierrors.edits, ...core.edits];
  const parent = statement.parent;
  if (parent?.type === 'if_statement' && same(parent.childForFieldName('initializer'), statement)) {
    const condition = parent.childForFieldName('condition')!;
    if (!isErrNotNil(condition, errVar)) return fail(ast, condition, `the error of the read is tested other than by \`${errVar} != nil\``);
    const branch = parent.childForFieldName('consequence')!;
    const indent = indentOf(text, parent.startIndex);
    return [
      { start: condition.endIndex, end: condition.endIndex, text: ` || ${read.empty}` },
      { start: branch.startIndex + 1, end: branch.startIndex + 1, text: `\n${indent}\tif ${errVar} == nil {\n${indent}\t\t${notFound}\n${indent}\t}` },
      ...imports,
    ];
  }
  if (parent?.type === 'statement_list' || parent?.type === 'block') {
    const indent = indentOf(text, statement.startIndex);
    const check = `\n${indent}if ${errVar} == nil && ${read.empty} {\n${indent}\t${notFound}\n${indent}}`;
    return [{ start: statement.endIndex, end: statement.endIndex, text: check }, ...imports];
  }
  return fail(ast, statement, 'the error of the read is not set by a statement of its own');
}
