/**
 * `kubectl get|describe endpoints ...` → `kubectl get|describe endpointslices ...`.
 *
 * A Service has one Endpoints object of its own name but any number of EndpointSlices, found by the label
 * `kubernetes.io/service-name`, never by name. So names become a label selector:
 *   kubectl get endpoints web -n shop        → kubectl get endpointslices -l kubernetes.io/service-name=web -n shop
 *   kubectl get ep/web ep/api                → kubectl get endpointslices -l 'kubernetes.io/service-name in (web,api)'
 *   kubectl get svc,ep                       → kubectl get svc,endpointslices
 * Every other word (namespace, output, context flags) stays as written.
 */
import type { Edit } from '../src/types.js';
import type { ShellWord } from '../src/shell.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface KubectlRewrite {
  /** The word naming the resource type(s): `endpoints`, `svc,ep` or the first `ep/NAME`. */
  typeWord: ShellWord;
  /** Its replacement (`endpointslices`, `svc,endpointslices`). */
  newType: string;
  /** Words that only name Services (`web`, or further `ep/api` words); they are removed. */
  nameWords: ShellWord[];
  /** The Service names, as written (quotes removed only where that keeps their meaning). */
  names: string[];
  /** The word before each name word (its removal takes the whitespace between them). */
  before: Map<ShellWord, ShellWord>;
}

/** A plain label value, or a variable whose value is one (`$SVC`, `${SVC}`, `$(SVC)` in a Makefile). */
const LITERAL = /^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/;
const VARIABLE = /^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|\([A-Za-z_][A-Za-z0-9_]*\)|[A-Za-z_][A-Za-z0-9_]*|\{\{[^}'"]*\}\})$/;

/**
 * The `-l` selector for these Service names, as a shell word. One name: `kubernetes.io/service-name=NAME`, with
 * NAME as written (a shell word stays one word after a prefix). Several: the set-based form, quoted; undefined
 * when a name is neither a plain value nor a simple variable (it could not be quoted safely).
 */
export function serviceSelector(names: string[]): string | undefined {
  if (names.length === 1) return `${SERVICE_NAME_LABEL}=${names[0]}`;
  const unquoted = names.map((n) => n.replace(/^"(.*)"$/, '$1'));
  if (!unquoted.every((n) => LITERAL.test(n) || VARIABLE.test(n))) return undefined;
  const quote = unquoted.some((n) => n.startsWith('$')) ? '"' : "'";
  return `${quote}${SERVICE_NAME_LABEL} in (${unquoted.join(',')})${quote}`;
}

/** The edits of one rewrite; undefined when the names cannot become a selector. */
export function kubectlToEndpointSlices(rewrite: KubectlRewrite): Edit[] | undefined {
  const edits: Edit[] = [];
  let replacement = rewrite.newType;
  if (rewrite.names.length) {
    const selector = serviceSelector(rewrite.names);
    if (!selector) return undefined;
    replacement += ` -l ${selector}`;
  }
  edits.push({ start: rewrite.typeWord.start, end: rewrite.typeWord.end, text: replacement });
  for (const word of rewrite.nameWords) {
    const previous = rewrite.before.get(word);
    edits.push({ start: previous ? previous.end : word.start, end: word.end, text: '' });
  }
  return edits;
}
