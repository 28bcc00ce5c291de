/** What the Go rules share: the RBAC note, and the clean-up of imports a rewrite left unused. */
import type { GoAst } from '../languages/go.js';
import type { RuleContext } from '../types.js';
import { namesOf, PKG, removeImport } from './imports.js';
import { leavesAt, qualified } from './syntax.js';

/** Said by every finding whose fix changes a read: the migration's most common outage is the missing grant. */
export const RBAC_NOTE =
  'The service account then needs get, list and watch on `endpointslices` in API group `discovery.k8s.io` (see the endpoints-rbac rule for the Role to change).';

/**
 * Said by every finding whose fix rewrites a read: the one difference a caller sees on a healthy cluster
 * (declared on the rule pages, shown by test/go-differential.test.ts in the dual-stack state).
 */
export const FAMILY_NOTE =
  'Difference: a dual-stack Service\'s slices hold both address families, where its Endpoints held the primary one only; the rewritten code reads both (filter on `slice.AddressType` to keep one).';

const SLICE_LABELS =
  'labelled `kubernetes.io/service-name: <service>` (discoveryv1.LabelServiceName) and `endpointslice.kubernetes.io/managed-by: <your controller>` (discoveryv1.LabelManagedBy), one slice per address family';

/** How to write slices instead, through a clientset. */
export const WRITE_ADVICE = `write EndpointSlices instead (\`DiscoveryV1().EndpointSlices(ns)\`), ${SLICE_LABELS}`;

/** How to write slices instead, through a controller-runtime client. */
export const CR_WRITE_ADVICE = `write \`&discoveryv1.EndpointSlice{...}\` objects with the same client instead, ${SLICE_LABELS}`;

export const UNUSED_IMPORT_MESSAGE = 'import "{{path}}" is no longer used after the EndpointSlice rewrite';

/** Packages a Go rewrite can leave unused. */
const REWRITTEN_AWAY = [PKG.core, PKG.apierrors, PKG.coreListers, PKG.coreInformers, PKG.typedCore];

const cleaned = new WeakSet<GoAst>();

/**
 * Whether a Go file's text may import a Kubernetes package (k8s.io/..., sigs.k8s.io/...): Go names every imported
 * path in each file that uses it, so a rule that reports only members of such packages (or imports a rewrite left
 * unused) has nothing to report in a file without the text. For the rules' `mayReport`.
 */
export function mayImportKubernetes(text: string): boolean {
  return text.includes('k8s.io/');
}

/**
 * Whether the identifier `name` occurs with one of `thenNames` somewhere after it: a call chain such as
 * `x.Endpoints(ns).Get(name)` may have spaces or comments between its words, never other order.
 */
export function wordThenWord(text: string, name: string, thenNames: string[]): boolean {
  const first = new RegExp(`\\b${name}\\b`).exec(text);
  if (!first) return false;
  const then = new RegExp(`\\b(?:${thenNames.join('|')})\\b`, 'g');
  then.lastIndex = first.index + name.length;
  return then.test(text);
}

/**
 * Reports (with a fix) imports that a rewrite left unused. Go refuses to compile a file with an unused import, so
 * a file that imports discovery/v1 (or its listers or informers) *and* has an unused core/v1 (or apierrors, ...) import is one slicefix rewrote
 * in an earlier pass. Only the first Go rule to see a parsed file reports them.
 */
export function reportUnusedImports(ctx: RuleContext<GoAst>): void {
  const ast = ctx.ast;
  if (cleaned.has(ast)) return;
  cleaned.add(ast);
  if ([PKG.discovery, PKG.discoveryListers, PKG.discoveryInformers].every((p) => namesOf(ast.imports, p).size === 0)) return;
  const candidates = ast.imports.list.filter(
    (spec) => REWRITTEN_AWAY.includes(spec.path as (typeof REWRITTEN_AWAY)[number]) && spec.name !== '_' && spec.name !== '.',
  );
  if (candidates.length === 0) return;
  // A package is used where its name is the package of a `pkg.Name`: look where the names stand in the text.
  const used = new Set<string>();
  for (const leaf of leavesAt(ast, [...new Set(candidates.map((spec) => spec.name))], { anyStart: true })) {
    const parent = leaf.parent;
    const q = parent && (parent.type === 'qualified_type' || parent.type === 'selector_expression') ? qualified(parent) : undefined;
    if (q) used.add(q.pkg);
  }
  for (const spec of candidates) {
    if (used.has(spec.name)) continue;
    ctx.report({
      start: spec.start,
      end: spec.end,
      messageId: 'unusedImport',
      data: { path: spec.path },
      fix: [removeImport(ast.text, ast.imports, spec)],
    });
  }
}
