/**
 * endpoints-go-informer: shared informers, listers and hand-made list-watches of core v1 Endpoints.
 *
 * An informer, its lister and the types that hold them change together: a struct field of type
 * `EndpointsLister` in one file is filled from `Core().V1().Endpoints().Lister()` in another. So fixes are all or
 * nothing across the repository: the collect pass notes every site that cannot be rewritten, and while one
 * exists, no informer finding carries a fix.
 */
import type { Node } from 'web-tree-sitter';
import { listerGetToListSlices } from '../codemods/go-lister-get.js';
import { mayImportKubernetes, RBAC_NOTE, reportUnusedImports, UNUSED_IMPORT_MESSAGE, wordThenWord } from '../src/go/common.js';
import { ensureImport, PKG } from '../src/go/imports.js';
import { callOn, callsNamed, children, descendants, fileNames, isPackageMember, lineOf, methodCall, qualified, qualifiedNamed, snippet } from '../src/go/syntax.js';
import type { GoAst } from '../src/languages/go.js';
import type { CollectContext, Edit, RepoFacts, Rule, RuleContext } from '../src/types.js';
import { pushAll } from '../src/push-all.js';

const LISTER_NAMES = 'endpoints-go-informer/lister-names';
const BLOCKED = 'endpoints-go-informer/blocked';
const LISTER_CALLS = 'endpoints-go-informer/lister-calls';

interface Blocked {
  where: string;
  reason: string;
}
interface ListerCall {
  receiver: string;
  where: string;
  reason?: string;
}

const TYPE_TWINS: Record<string, { path: string; alias: string; name: string }> = {
  [`${PKG.coreListers}.EndpointsLister`]: { path: PKG.discoveryListers, alias: 'discoverylisters', name: 'EndpointSliceLister' },
  [`${PKG.coreListers}.EndpointsNamespaceLister`]: { path: PKG.discoveryListers, alias: 'discoverylisters', name: 'EndpointSliceNamespaceLister' },
  [`${PKG.coreInformers}.EndpointsInformer`]: { path: PKG.discoveryInformers, alias: 'discoveryinformers', name: 'EndpointSliceInformer' },
};

/** Hand-made informers of `k8s.io/client-go/tools/cache`. */
const INFORMER_CONSTRUCTORS = ['NewInformer', 'NewIndexerInformer', 'NewSharedInformer', 'NewSharedIndexInformer', 'NewInformerWithOptions'];
/** The names of the calls a site can be: `...Endpoints()`, `....Endpoints(ns)` and the list-watch constructors. */
const CALL_NAMES = ['Endpoints', 'NewListWatchFromClient', ...INFORMER_CONSTRUCTORS];

/** `EndpointsLister`, ...: the names of the types above. */
const TYPE_NAMES = Object.keys(TYPE_TWINS).map((t) => t.slice(t.lastIndexOf('.') + 1));

type Site =
  | { kind: 'factory'; node: Node; fix?: Edit[]; reason?: string }
  | { kind: 'type'; node: Node; twin: string; fix?: Edit[]; reason?: string }
  | { kind: 'lister'; node: Node; receiver: string; fix?: Edit[]; reason?: string }
  | { kind: 'listwatch'; node: Node; what: string };

/** The last name of a receiver expression: `c.epLister` → `epLister`. */
function lastName(node: Node): string {
  if (node.type === 'selector_expression') return node.childForFieldName('field')?.text ?? '';
  return node.text;
}

function isEndpointsLiteral(ast: GoAst, node: Node): boolean {
  const inner = node.type === 'unary_expression' ? node.childForFieldName('operand') : node;
  return inner?.type === 'composite_literal' && isPackageMember(ast, inner.childForFieldName('type'), PKG.core, ['Endpoints', 'EndpointsList']);
}

/** The sites of a tree: the collect pass and the check of a file see the same tree, and need not search twice. */
const sitesOf = new WeakMap<GoAst, { sites: Site[]; listerNames: string[] }>();

function findSites(ast: GoAst): { sites: Site[]; listerNames: string[] } {
  let found = sitesOf.get(ast);
  if (!found) sitesOf.set(ast, (found = searchSites(ast)));
  return found;
}

function searchSites(ast: GoAst): { sites: Site[]; listerNames: string[] } {
  const sites: Site[] = [];
  const listerNames: string[] = [];
  const taken = fileNames(ast);
  // The receivers of `.AddEventHandler*(...)` calls, asked for only once a shared informer of Endpoints is found.
  let handlers: string[] | undefined;
  const handlerText = () =>
    (handlers ??= callsNamed(ast, ['AddEventHandler'], true)
      .map((c) => methodCall(c))
      .filter((m) => m && m.method.startsWith('AddEventHandler'))
      .map((m) => m!.receiver.text));
  for (const call of callsNamed(ast, CALL_NAMES)) {
    const m = methodCall(call);
    if (m?.method === 'Endpoints' && m.args.length === 0) {
      const v1 = methodCall(m.receiver);
      const core = v1?.method === 'V1' && v1.args.length === 0 ? methodCall(v1.receiver) : undefined;
      if (core?.method === 'Core' && core.args.length === 0) {
        // Event handlers would receive slices instead of Endpoints and enqueue slice names: a person must map them.
        const stored = call.parent?.type === 'expression_list' ? children(call.parent.parent?.childForFieldName('left') ?? call.parent).map((n) => n.text) : [];
        const handled = handlerText().find((r) => r.includes(call.text) || stored.some((s) => s && r.split(/\W+/).includes(s)));
        const reason = handled
          ? `event handlers are added at \`${handled}\`: they would receive *discoveryv1.EndpointSlice and must map each slice to its Service through the \`kubernetes.io/service-name\` label`
          : undefined;
        sites.push({
          kind: 'factory',
          node: call,
          reason,
          fix: reason
            ? undefined
            : [
                { start: core.field.startIndex, end: core.field.endIndex, text: 'Discovery' },
                { start: m.field.startIndex, end: m.field.endIndex, text: 'EndpointSlices' },
              ],
        });
        continue;
      }
    }
    if (m?.method === 'Endpoints' && m.args.length === 1) {
      const use = callOn(call);
      if (use && use.method === 'Get' && use.args.length === 1) {
        const fix = listerGetToListSlices(ast, call, use.call);
        sites.push({
          kind: 'lister',
          node: use.call,
          receiver: lastName(m.receiver),
          fix: typeof fix === 'string' ? undefined : fix,
          reason: typeof fix === 'string' ? fix : undefined,
        });
      } else if (use && use.method === 'List' && use.args.length === 1) {
        sites.push({
          kind: 'lister',
          node: use.call,
          receiver: lastName(m.receiver),
          reason: 'each listed item would be one slice of a Service instead of one Service\'s endpoints',
        });
      }
      continue;
    }
    const fn = call.childForFieldName('function');
    if (isPackageMember(ast, fn, PKG.cache, 'NewListWatchFromClient')) {
      const args = children(call.childForFieldName('arguments')!);
      if (args[1] && /^"endpoints"$/.test(args[1].text)) sites.push({ kind: 'listwatch', node: call, what: snippet(call) });
      continue;
    }
    if (isPackageMember(ast, fn, PKG.cache, INFORMER_CONSTRUCTORS)) {
      const args = children(call.childForFieldName('arguments')!);
      if (args.some((a) => isEndpointsLiteral(ast, a) || (a.type === 'literal_value' && false))) sites.push({ kind: 'listwatch', node: call, what: snippet(call) });
      else if (args[0]?.type === 'composite_literal' && descendants(args[0], ['unary_expression', 'composite_literal']).some((a) => isEndpointsLiteral(ast, a))) {
        sites.push({ kind: 'listwatch', node: call, what: snippet(call) });
      }
    }
  }
  for (const node of qualifiedNamed(ast, TYPE_NAMES, ['qualified_type'])) {
    const q = qualified(node)!;
    const path = ast.imports.list.find((i) => i.name === q.pkg)?.path;
    const twin = path ? TYPE_TWINS[`${path}.${q.name}`] : undefined;
    if (!twin) continue;
    if (q.name === 'EndpointsLister') {
      // Field, variable or parameter names declared with the lister type: their `.Endpoints(ns).Get` calls are ours.
      const decl = node.parent;
      const nameNodes = decl ? children(decl).filter((c) => c.type === 'field_identifier' || c.type === 'identifier') : [];
      pushAll(listerNames, nameNodes.map((n) => n.text));
    }
    const plan = ensureImport(ast.text, ast.imports, twin.path, twin.alias, taken);
    if (typeof plan === 'string') sites.push({ kind: 'type', node, twin: `${twin.alias}.${twin.name}`, reason: plan });
    else sites.push({ kind: 'type', node, twin: `${plan.name}.${twin.name}`, fix: [{ start: node.startIndex, end: node.endIndex, text: `${plan.name}.${twin.name}` }, ...plan.edits] });
  }
  return { sites, listerNames };
}

/**
 * Whether a file's text may hold a site (see searchSites): a factory's `Core().V1().Endpoints()`, a lister's
 * `Endpoints(ns).Get|List(...)`, or what names a k8s.io package (list-watches, informer constructors, types).
 * Checked files and collected files alike: facts come from the same sites.
 */
function mayHoldSites(text: string): boolean {
  return mayImportKubernetes(text) || /\bCore\b/.test(text) || wordThenWord(text, 'Endpoints', ['Get', 'List']);
}

/** The texts of mayHoldSites, for collectNeeds: a file without any of them adds no fact. */
const SITE_TEXTS = ['k8s.io/', 'Core', 'Get', 'List'];

function where(ctx: { file: { path: string } }, ast: GoAst, node: Node): string {
  return `${ctx.file.path}:${lineOf(ast.text, node.startIndex)}`;
}

function blockers(facts: RepoFacts): Blocked[] {
  const names = new Set(facts.get<string>(LISTER_NAMES));
  const blocked = [...facts.get<Blocked>(BLOCKED)];
  for (const call of facts.get<ListerCall>(LISTER_CALLS)) {
    if (call.reason && names.has(call.receiver)) blocked.push({ where: call.where, reason: call.reason });
  }
  return blocked;
}

export const rule: Rule<GoAst> = {
  meta: {
    id: 'endpoints-go-informer',
    severity: 'error',
    description: 'A shared informer, lister or list-watch of deprecated core v1 Endpoints',
    help:
      'Use `Discovery().V1().EndpointSlices()` and `discoverylisters.EndpointSliceLister`. A lister finds a Service\'s slices with ' +
      '`EndpointSlices(ns).List(labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: name}))`; event handlers receive ' +
      'slices and must map them to their Service through that label. Grant list/watch on `endpointslices` in `discovery.k8s.io`.',
    docs: 'rules/endpoints-go-informer.md',
    languages: ['go'],
    triggers: ['Endpoints', '"endpoints"'],
    fixable: true,
    codemod: 'go-lister-get',
    collect: { languages: ['go'], triggers: ['Endpoints'] },
    mayReport: mayHoldSites,
    messages: {
      factory:
        '`{{code}}` is a shared informer of deprecated v1 Endpoints: use `Discovery().V1().EndpointSlices()`; its lister then lists a Service\'s slices by the `kubernetes.io/service-name` label. ' +
        RBAC_NOTE +
        '{{notFixed}}',
      type: '`{{code}}` is a lister/informer type of deprecated v1 Endpoints: use `{{twin}}`.{{notFixed}}',
      lister:
        '`{{code}}` reads a Service\'s v1 Endpoints from a lister: use `EndpointSlices(ns).List(labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: name}))` and merge the slices\' ready endpoints, de-duplicated by address. ' +
        RBAC_NOTE +
        '{{notFixed}}',
      listwatch:
        '`{{code}}` lists and watches deprecated v1 Endpoints: list-watch `endpointslices` of `DiscoveryV1()` into `&discoveryv1.EndpointSlice{}` and map each slice to its Service through the `kubernetes.io/service-name` label. ' +
        RBAC_NOTE +
        ' Not rewritten automatically.',
      unusedImport: UNUSED_IMPORT_MESSAGE,
    },
  },
  collectNeeds: () => SITE_TEXTS,
  collect(ctx: CollectContext<GoAst>) {
    const { sites, listerNames } = findSites(ctx.ast);
    for (const name of listerNames) ctx.facts.add(LISTER_NAMES, name);
    for (const site of sites) {
      if (site.kind === 'lister') ctx.facts.add<ListerCall>(LISTER_CALLS, { receiver: site.receiver, where: where(ctx, ctx.ast, site.node), reason: site.reason });
      else if (site.kind === 'listwatch') continue;
      else if (site.reason) ctx.facts.add<Blocked>(BLOCKED, { where: where(ctx, ctx.ast, site.node), reason: site.reason });
    }
  },
  check(ctx: RuleContext<GoAst>) {
    const ast = ctx.ast;
    reportUnusedImports(ctx);
    const { sites, listerNames } = findSites(ast);
    const names = new Set([...ctx.facts.get<string>(LISTER_NAMES), ...listerNames]);
    const blocked = blockers(ctx.facts);
    for (const site of sites) {
      const range = { start: site.node.startIndex, end: site.node.endIndex };
      const code = snippet(site.node);
      if (site.kind === 'listwatch') {
        ctx.report({ ...range, messageId: 'listwatch', data: { code } });
        continue;
      }
      if (site.kind === 'lister' && !names.has(site.receiver) && !/\.Lister\(\)$/.test(methodCall(methodCall(site.node)!.receiver)!.receiver.text)) continue;
      let notFixed = '';
      if (site.reason) notFixed = ` Not fixed: ${site.reason}.`;
      else if (blocked.length) notFixed = ` Not fixed: informers, listers and their types change together, and ${blocked[0].where} cannot be rewritten (${blocked[0].reason}).`;
      const fix = notFixed ? undefined : site.fix;
      const data = { code, notFixed, twin: site.kind === 'type' ? site.twin : '' };
      ctx.report({ ...range, messageId: site.kind, data, fix });
    }
  },
};
