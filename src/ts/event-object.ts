/**
 * What a rewritten watch or informer handler may do with the object it receives. Each event now carries one
 * EndpointSlice of a Service, not the Service's Endpoints: the slice's namespace is the Service's, but its
 * subsets have no per-event equivalent (the Service's other slices are not in the event) and its name is a
 * slice's own. Anything else is refused with the reason, and the watch is reported without a fix.
 */
import { ts } from './compiler.js';
import { CannotFix, describeUse } from './scope.js';

function lineOf(node: ts.Node): number {
  return node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1;
}

/** Checks one use of the event object `E`: only `E.metadata.namespace` keeps its meaning. */
export function eventObjectUse(E: ts.Expression): void {
  let e: ts.Expression = E;
  while (ts.isNonNullExpression(e.parent)) e = e.parent;
  const p = e.parent;
  if (ts.isPropertyAccessExpression(p) && p.expression === e) {
    if (p.name.text === 'subsets') {
      throw new CannotFix(
        `the handler reads \`${p.getText()}\` (line ${lineOf(p)}) from one event; with EndpointSlices each event carries one slice of a Service, so its addresses must be merged across slices (for example from the informer's list())`,
        p,
      );
    }
    if (p.name.text === 'metadata') {
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
