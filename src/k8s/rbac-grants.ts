/**
 * What an RBAC role's rules grant on core v1 `endpoints` and on `discovery.k8s.io` `endpointslices`, and which
 * grant on slices would replace an endpoints grant without widening it.
 *
 * Why a grant cannot simply be copied: a Service's EndpointSlices are found by the label
 * `kubernetes.io/service-name`, never by name, so a reader of slices lists and watches them; `resourceNames` cannot
 * limit list or watch. A grant limited to named Endpoints (often a leader-election lock) therefore has no slice
 * counterpart of the same scope, and write verbs copied onto slices would let a lock holder change every slice of
 * its namespace. Only readers have an equal counterpart: get/list/watch on endpoints reads every Endpoints object the
 * role reaches, and get/list/watch on endpointslices reads every slice of the same namespaces.
 *
 * Pure data in, data out: no YAML here, so the rules that read roles from any format can share it.
 */

export const READ_VERBS = ['get', 'list', 'watch'] as const;
/** What `*` means on endpointslices: every verb the resource serves. */
const ALL_SLICE_VERBS = [...READ_VERBS, 'create', 'update', 'patch', 'delete', 'deletecollection'];
/** A leader-election lock gets, creates and updates one object; it never lists, watches or deletes. */
const LOCK_VERBS = new Set(['get', 'create', 'update', 'patch']);
/** Words that name a leader-election lock in role names, comments and resourceNames. */
const LOCK_WORDS = /leader|election|\block/i;

export interface PolicyRuleView<N> {
  node: N;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  /** Empty when the rule is not limited to named objects (as an empty list means in the API). */
  resourceNames: string[];
  /** Text of the comments on the rule and right before it. */
  comments: string;
}

export interface RoleView<N> {
  name: string;
  /** Text of every comment of the role, including the ones right before it. */
  comments: string;
  rules: PolicyRuleView<N>[];
}

/**
 * - reader: only get/list/watch on every endpoints object it reaches: get/list/watch on slices is no wider.
 * - named: reads only named Endpoints: slices cannot keep the names.
 * - lock: serves a leader-election lock: a lock does not move to slices.
 * - writer: writes Endpoints: slicefix does not grant writes on its own.
 */
export type EndpointsGrantKind = 'reader' | 'named' | 'lock' | 'writer';

export interface EndpointsGrant<N> {
  rule: PolicyRuleView<N>;
  kind: EndpointsGrantKind;
  /** For `lock`: what makes it look like one, for the message. */
  evidence: string[];
}

const has = (values: string[], value: string) => values.includes(value);

/** The rule grants endpoints in the core API group (an apiGroups or resources `*` includes them). */
export function grantsCoreEndpoints(rule: PolicyRuleView<unknown>): boolean {
  return (has(rule.apiGroups, '') || has(rule.apiGroups, '*')) && (has(rule.resources, 'endpoints') || has(rule.resources, '*'));
}

function grantsCore(rule: PolicyRuleView<unknown>, resource: string): boolean {
  return (has(rule.apiGroups, '') || has(rule.apiGroups, '*')) && (has(rule.resources, resource) || has(rule.resources, '*'));
}

/**
 * The verbs the role grants on every endpointslice (rules limited by resourceNames do not count: they cannot serve
 * a list by label), with `*` spelled out.
 */
export function endpointSliceVerbs(rules: PolicyRuleView<unknown>[]): Set<string> {
  const verbs = new Set<string>();
  for (const rule of rules) {
    if (rule.resourceNames.length > 0) continue;
    if (!has(rule.apiGroups, 'discovery.k8s.io') && !has(rule.apiGroups, '*')) continue;
    if (!has(rule.resources, 'endpointslices') && !has(rule.resources, '*')) continue;
    for (const verb of rule.verbs) for (const v of verb === '*' ? ALL_SLICE_VERBS : [verb]) verbs.add(v);
  }
  return verbs;
}

const isRead = (verb: string) => (READ_VERBS as readonly string[]).includes(verb);

/** The verbs on endpointslices that do what `verbs` did on endpoints: reads become get/list/watch, writes stay. */
export function sliceVerbsFor(verbs: string[]): string[] {
  if (verbs.includes('*')) return ALL_SLICE_VERBS;
  const reads = verbs.some(isRead) ? [...READ_VERBS] : [];
  return [...reads, ...verbs.filter((v) => !isRead(v))];
}


const writes = (rule: PolicyRuleView<unknown>) => rule.verbs.some((v) => !isRead(v));

/** Which words of LOCK_WORDS occur in `text`, quoted, for a message. */
function lockWord(text: string): string | undefined {
  return text.match(LOCK_WORDS)?.[0].toLowerCase();
}

/**
 * Sorts each rule that grants core endpoints into reader, named, lock or writer.
 *
 * A rule serves a leader-election lock when it writes named Endpoints; when the role's name, the rule's comments
 * or its resourceNames say so (leader, election, lock); or when it only gets/creates/updates Endpoints beside
 * other signs of a lock: a named endpoints lock (create cannot be limited by name, so locks come with an unnamed
 * create), a coordination.k8s.io Lease, writable ConfigMaps, or lock words in the role's comments.
 */
export function classifyEndpointsGrants<N>(role: RoleView<N>): EndpointsGrant<N>[] {
  const endpointRules = role.rules.filter(grantsCoreEndpoints);
  const context: string[] = [];
  const namedLock = endpointRules.find((r) => r.resourceNames.length > 0 && writes(r));
  if (namedLock) context.push(`write verbs on resourceNames [${namedLock.resourceNames.join(', ')}]`);
  if (role.rules.some((r) => has(r.apiGroups, 'coordination.k8s.io') && (has(r.resources, 'leases') || has(r.resources, '*'))))
    context.push('a coordination.k8s.io Lease grant beside it');
  if (role.rules.some((r) => grantsCore(r, 'configmaps') && !has(r.resources, '*') && writes(r)))
    context.push('writable configmaps beside it');
  const roleComment = lockWord(role.comments);
  if (roleComment) context.push(`"${roleComment}" in a comment of the role`);

  return endpointRules.map((rule) => {
    const named = rule.resourceNames.length > 0;
    const strong: string[] = [];
    const inName = lockWord(role.name);
    if (inName) strong.push(`"${inName}" in the role's name`);
    const inComment = lockWord(rule.comments);
    if (inComment) strong.push(`"${inComment}" in the rule's comment`);
    const inNames = lockWord(rule.resourceNames.join(' '));
    if (inNames) strong.push(`"${inNames}" in its resourceNames`);

    if (named && writes(rule)) return { rule, kind: 'lock', evidence: [`write verbs on resourceNames [${rule.resourceNames.join(', ')}]`, ...strong] };
    if (strong.length > 0) return { rule, kind: 'lock', evidence: strong };
    if (named) return { rule, kind: 'named', evidence: [] };
    if (writes(rule) && rule.verbs.every((v) => LOCK_VERBS.has(v)) && context.length > 0) return { rule, kind: 'lock', evidence: context };
    return { rule, kind: writes(rule) ? 'writer' : 'reader', evidence: [] };
  });
}
