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
import { FAMILY_NOTE, mayImportKubernetes, RBAC_NOTE, reportUnusedImports, UNUSED_IMPORT_MESSAGE, wordThenWord } from '../src/go/common.js';
import { ensureImport, PKG } from '../src/go/imports.js';
import {
  callOn,
  callsNamed,
  children,
  descendants,
  enclosingFunctionBody,
  fileNames,
  identifiersNamed,
  isPackageMember,
  lineOf,
  methodCall,
  qualified,
  qualifiedNamed,
  same,
  snippet,
} from '../src/go/syntax.js';
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
  | { kind: 'lister'; node: Node; receiver: string; fromLister: boolean; fix?: Edit[]; reason?: string; source?: boolean }
  | { kind: 'listwatch'; node: Node; what: string };

/** `X.Core().V1().Endpoints()`, or a variable of the function declared `v := X.Core().V1().Endpoints()`. */
function isFactoryInformer(node: Node): boolean {
  const chain = (n: Node | null | undefined): boolean => {
    const m = methodCall(n ?? null);
    const v1 = m?.method === 'Endpoints' && m.args.length === 0 ? methodCall(m.receiver) : undefined;
    const core = v1?.method === 'V1' && v1.args.length === 0 ? methodCall(v1.receiver) : undefined;
    return core?.method === 'Core' && core.args.length === 0;
  };
  if (chain(node)) return true;
  const body = node.type === 'identifier' ? enclosingFunctionBody(node) : undefined;
  if (!body) return false;
  return identifiersNamed(body, node.text).some((id) => {
    const list = id.parent;
    const statement = list?.type === 'expression_list' ? list.parent : undefined;
    if (statement?.type !== 'short_var_declaration' || !same(statement.childForFieldName('left'), list)) return false;
    const values = children(statement.childForFieldName('right')!);
    return values.length === 1 && chain(values[0]);
  });
}

/** `X.Group().Version().Resource()` of another resource than core Endpoints (`Discovery().V1().EndpointSlices()`). */
function isOtherFactoryInformer(node: Node): boolean {
  const resource = methodCall(node);
  const version = resource && resource.args.length === 0 ? methodCall(resource.receiver) : undefined;
  const group = version && version.args.length === 0 ? methodCall(version.receiver) : undefined;
  return !!group && group.args.length === 0 && !(group.method === 'Core' && resource!.method === 'Endpoints');
}

/** The function declaration (or method) around `node`, if it is not inside a function literal. */
function enclosingFunction(node: Node): Node | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'func_literal') return undefined;
    if (n.type === 'function_declaration' || n.type === 'method_declaration') return n;
  }
  return undefined;
}

/** The last name of a receiver expression: `c.epLister` → `epLister`, `newLister(f)` → `newLister`. */
function lastName(node: Node): string {
  if (node.type === 'call_expression') return lastName(node.childForFieldName('function') ?? node);
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

/**
 * Why a shared informer of Endpoints (`factory.Core().V1().Endpoints()`, or a variable holding it) cannot change to
 * one of EndpointSlices, or undefined when every use is known: its lister stored in a field or variable (whose
 * type and `Endpoints(ns).Get` calls this rule rewrites together), or its `Informer().HasSynced`. Anything else
 * (event handlers, the store's keys, type assertions, the informer handed on) would see *discoveryv1.EndpointSlice
 * objects named after slices, not Services. A variable holding the lister becomes a lister name.
 */
function informerEscapes(informer: Node, listerNames: string[]): string | undefined {
  const use = callOn(informer);
  const parent = informer.parent;
  if (!use) {
    const statement = parent?.type === 'expression_list' ? parent.parent : undefined;
    const left = statement?.type === 'short_var_declaration' ? children(statement.childForFieldName('left')!) : [];
    const body = statement ? enclosingFunctionBody(statement) : undefined;
    if (left.length !== 1 || children(parent!).length !== 1 || !body) return `the informer is handed on (\`${snippet(parent ?? informer)}\`), where slicefix cannot follow its uses`;
    for (const ref of identifiersNamed(body, left[0].text)) {
      if (ref.startIndex <= left[0].startIndex) continue;
      const reason = informerEscapes(ref, listerNames);
      if (reason) return reason;
    }
    return undefined;
  }
  if (use.method === 'Lister' && use.args.length === 0) {
    // A field of a composite literal (`lister: f.Core().V1().Endpoints().Lister()`; tree-sitter-go wraps the value).
    const holder = use.call.parent?.type === 'literal_element' ? use.call.parent.parent : use.call.parent;
    if (holder?.type === 'keyed_element') return undefined;
    const statement = holder?.type === 'expression_list' ? holder.parent : undefined;
    if (statement?.type === 'assignment_statement' || statement?.type === 'short_var_declaration') {
      const left = children(statement.childForFieldName('left')!);
      if (left.length === 1) {
        listerNames.push(lastName(left[0]));
        return undefined;
      }
    }
    // `return f.Core().V1().Endpoints().Lister()` from a function declared to return an EndpointsLister: the
    // result type is rewritten with it, and calls of the function become lister receivers (`lister(f).Endpoints`).
    const fn = holder?.parent?.type === 'return_statement' ? enclosingFunction(holder.parent) : undefined;
    const result = fn?.childForFieldName('result');
    if (fn && result?.type === 'qualified_type' && qualified(result)?.name === 'EndpointsLister') {
      listerNames.push(fn.childForFieldName('name')!.text);
      return undefined;
    }
    return `the lister is handed on (\`${snippet(holder ?? use.call)}\`), where slicefix cannot follow its uses`;
  }
  if (use.method === 'Informer' && use.args.length === 0) {
    const selector = use.call.parent;
    const field = selector?.type === 'selector_expression' ? selector.childForFieldName('field')?.text : undefined;
    if (field === 'HasSynced') return undefined;
    if (field?.startsWith('AddEventHandler')) {
      return `event handlers are added at \`${snippet(selector!.parent ?? selector!)}\`: they would receive *discoveryv1.EndpointSlice and must map each slice to its Service through the \`kubernetes.io/service-name\` label`;
    }
  }
  return `the informer is used as \`${snippet(use.call.parent ?? use.call)}\`: its event handlers, store keys and type assertions would see *discoveryv1.EndpointSlice objects named after slices, not Services`;
}

function searchSites(ast: GoAst): { sites: Site[]; listerNames: string[] } {
  const sites: Site[] = [];
  const listerNames: string[] = [];
  const taken = fileNames(ast);
  for (const call of callsNamed(ast, CALL_NAMES)) {
    const m = methodCall(call);
    if (m?.method === 'Endpoints' && m.args.length === 0) {
      const v1 = methodCall(m.receiver);
      const core = v1?.method === 'V1' && v1.args.length === 0 ? methodCall(v1.receiver) : undefined;
      if (core?.method === 'Core' && core.args.length === 0) {
        const reason = informerEscapes(call, listerNames);
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
          fromLister: /\.Lister\(\)$/.test(m.receiver.text),
          fix: typeof fix === 'string' ? undefined : fix,
          reason: typeof fix === 'string' ? fix : undefined,
        });
      } else if (!use || (use.method !== 'List' && use.method !== 'Get')) {
        // `nsl := c.lister.Endpoints(ns)`: once the lister's type is rewritten, an EndpointSliceLister has no
        // Endpoints method. A site only when the receiver is a lister (see check).
        sites.push({
          kind: 'lister',
          node: call,
          receiver: lastName(m.receiver),
          fromLister: /\.Lister\(\)$/.test(m.receiver.text),
          reason: `the namespace lister \`${snippet(call)}\` is kept or handed on, where slicefix cannot follow its uses`,
        });
      } else if (use && use.method === 'List' && use.args.length === 1) {
        sites.push({
          kind: 'lister',
          node: use.call,
          receiver: lastName(m.receiver),
          fromLister: /\.Lister\(\)$/.test(m.receiver.text),
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
    if (q.name === 'EndpointsLister' && node.parent?.type === 'parameter_declaration') {
      // A lister handed in: what its callers pass (an informer of another library, a fake) is out of sight, and
      // would stay an Endpoints lister (knative net-kourier's NewProbeTargetLister, fed by an injection informer).
      const reason = 'a lister handed in as a parameter: what its callers pass would stay an Endpoints lister';
      sites.push({ kind: 'type', node, twin: `${twin.alias}.${twin.name}`, reason });
      continue;
    }
    if (q.name === 'EndpointsInformer') {
      // An informer handed around as a value: its holders' handlers, keys and store lookups are out of sight.
      const reason = 'an informer kept or handed on as a value: its event handlers, store keys and type assertions, wherever they are, would see *discoveryv1.EndpointSlice objects named after slices, not Services';
      sites.push({ kind: 'type', node, twin: `${twin.alias}.${twin.name}`, reason });
      continue;
    }
    const plan = ensureImport(ast.text, ast.imports, twin.path, twin.alias, taken);
    if (typeof plan === 'string') sites.push({ kind: 'type', node, twin: `${twin.alias}.${twin.name}`, reason: plan });
    else sites.push({ kind: 'type', node, twin: `${plan.name}.${twin.name}`, fix: [{ start: node.startIndex, end: node.endIndex, text: `${plan.name}.${twin.name}` }, ...plan.edits] });
  }
  // A lister stored in a field or variable must come from the factory's informer, which is rewritten with it; a
  // lister of another source (a library's informer, a fake) stored in a lister name blocks (see blockers).
  for (const call of callsNamed(ast, ['Lister'])) {
    const m = methodCall(call);
    if (m?.method !== 'Lister' || m.args.length !== 0 || isFactoryInformer(m.receiver) || isOtherFactoryInformer(m.receiver)) continue;
    const holder = call.parent?.type === 'literal_element' ? call.parent.parent : call.parent;
    let target: Node | undefined;
    if (holder?.type === 'keyed_element') target = children(holder)[0];
    else if (holder?.type === 'expression_list' && ['assignment_statement', 'short_var_declaration'].includes(holder.parent?.type ?? '')) {
      const left = children(holder.parent!.childForFieldName('left')!);
      if (left.length === 1) target = left[0];
    }
    if (!target) continue;
    const name = lastName(target.type === 'literal_element' ? children(target)[0] ?? target : target);
    sites.push({
      kind: 'lister',
      node: call,
      receiver: name,
      fromLister: false,
      reason: `the lister kept in \`${name}\` comes from \`${snippet(call)}\`, which slicefix does not rewrite`,
      source: true,
    });
  }
  // A lister built by hand (a fake in tests, an indexer of one's own) stays an Endpoints lister: the types it is
  // assigned to cannot change without it.
  for (const call of callsNamed(ast, ['NewEndpointsLister', 'NewEndpointsNamespaceLister'])) {
    if (!isPackageMember(ast, call.childForFieldName('function'), PKG.coreListers, ['NewEndpointsLister', 'NewEndpointsNamespaceLister'])) continue;
    const name = qualified(call.childForFieldName('function'))!.name.replace('Endpoints', 'EndpointSlice');
    sites.push({ kind: 'type', node: call, twin: `discoverylisters.${name}`, reason: 'a lister built from an indexer of Endpoints cannot be rewritten with the types it is assigned to' });
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
        '`{{code}}` reads a Service\'s v1 Endpoints from a lister: use `EndpointSlices(ns).List(labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: name}))` and merge the slices\' ready endpoints, de-duplicated by endpoint. ' +
        RBAC_NOTE +
        ' ' +
        FAMILY_NOTE +
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
      // Where a lister comes from only blocks (in blockers); it reads nothing itself.
      if (site.kind === 'lister' && (site.source || (!names.has(site.receiver) && !site.fromLister))) continue;
      let notFixed = '';
      if (site.reason) notFixed = ` Not fixed: ${site.reason}.`;
      else if (blocked.length) notFixed = ` Not fixed: informers, listers and their types change together, and ${blocked[0].where} cannot be rewritten (${blocked[0].reason}).`;
      const fix = notFixed ? undefined : site.fix;
      const data = { code, notFixed, twin: site.kind === 'type' ? site.twin : '' };
      ctx.report({ ...range, messageId: site.kind, data, fix });
    }
  },
};
