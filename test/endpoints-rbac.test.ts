import path from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { rule } from '../rules/endpoints-rbac.js';
import { fixturesDir, goldenPairs, itReportsNothingIn, lint } from './helpers.js';

const invalid = goldenPairs('endpoints-rbac/invalid');
const validDir = path.join(fixturesDir, 'endpoints-rbac/valid');

/** The only rule --fix may add: exactly what a reader of endpoints needs on slices, no more. */
const READER_GRANT = { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] };
const GRANT = String.raw`apiGroups \["discovery\.k8s\.io"\], resources \["endpointslices"\]`;
const READS = String.raw`verbs \["get", "list", "watch"\]`;
const NOT_ONLY_GET = String.raw`migrated code finds a Service's slices by listing them by the label kubernetes\.io/service-name and watches them`;
const LOCK = String.raw`which looks like a leader-election lock \(`;
const NOT_WIDENED_LOCK = String.raw`not fixed, because a lock does not move to EndpointSlice, and the same verbs on "endpointslices" would reach every slice`;
const CLUSTER = 'in every namespace it is bound in, or cluster-wide through a ClusterRoleBinding';

interface Expected {
  fixable: boolean;
  message: RegExp;
}
const fixed = (message: string): Expected => ({ fixable: true, message: new RegExp(message) });
const reported = (message: string): Expected => ({ fixable: false, message: new RegExp(message) });

/** What each invalid fixture reports, in order of position: the rule's behaviour in one table. */
const EXPECTED: Record<string, Expected[]> = {
  'block-indented-sequences': [
    reported(
      String.raw`^Role "ingress" grants \[get, create, update\] on core v1 "endpoints" and nothing on "endpointslices": not fixed, because --fix never widens write access\. If the migrated code writes EndpointSlices, add a rule with ${GRANT}, verbs \["get", "list", "watch", "create", "update"\] \(it reaches every slice in its namespace\); if it only reads them, ${READS}$`,
    ),
  ],
  'block-role': [fixed(String.raw`^Role "lb-controller" grants \[get, list, watch\] on core v1 "endpoints" but nothing on "endpointslices": add a rule with ${GRANT}, ${READS}$`)],
  'block-sequences': [fixed(String.raw`^ClusterRole "dns" grants \[list, watch\] on core v1 "endpoints" but nothing on "endpointslices": add a rule with ${GRANT}, ${READS}$`)],
  'flow-rules': [fixed(String.raw`^ClusterRole "watcher" grants \[get, watch\] .* ${READS} \(not only \[get, watch\]: ${NOT_ONLY_GET}\)$`)],
  'helm-conditional': [fixed(String.raw`^ClusterRole "\{\{ include "lb\.fullname" \. \}\}" grants \[get, list, watch\]`)],
  'helm-included-rules': [reported(String.raw`not fixed because the rules also come from a template \(\{\{- include "chart\.extraRules" \. \| nindent 2 \}\}\)\. If it is not granted there, add a rule with ${GRANT}, ${READS}$`)],
  'helm-lock': [
    reported(
      String.raw`^Role "\{\{ include "chart\.fullname" \. \}\}" grants \[get, update\] on core v1 "endpoints" \(resourceNames \["\{\{ include "chart\.fullname" \. \}\}"\]\), ${LOCK}write verbs on resourceNames .*\): ${NOT_WIDENED_LOCK} in namespace "\{\{ \.Release\.Namespace \}\}"\. Grant nothing on endpointslices for the lock`,
    ),
  ],
  'helm-templated-api-version': [fixed(String.raw`grants \[get, list\] .* \(not only \[get, list\]: ${NOT_ONLY_GET}\)$`)],
  'helm-templated-verbs': [reported(String.raw`grants \[\{\{ toJson \.Values\.endpointVerbs \}\}\] on core v1 "endpoints" .*not fixed because the rule is partly written by template directives`)],
  'jinja-role.yml': [fixed(String.raw`^ClusterRole "\{\{ controller_name \}\}-role" grants \[get, list, watch\]`)],
  'lock-and-reader-list': [
    reported(String.raw`^Role "ingress" grants \[get, update, create\] on core v1 "endpoints" \(resourceNames \[ingress-controller\]\), ${LOCK}write verbs on resourceNames \[ingress-controller\], writable configmaps beside it\): ${NOT_WIDENED_LOCK} in namespace "ingress"`),
    fixed(String.raw`^ClusterRole "ingress" grants \[get, list, watch\] on core v1 "endpoints" but nothing on "endpointslices": add a rule with ${GRANT}, ${READS}$`),
  ],
  'lock-by-comment': [reported(String.raw`^Role "dns-controller" grants \[get, create, update\] on core v1 "endpoints", ${LOCK}"leader" in the rule's comment\): ${NOT_WIDENED_LOCK} in namespace "dns"`)],
  'lock-by-name': [reported(String.raw`^Role "operator-leader-election-role" grants \[get, list, watch, create, update, patch, delete\] on core v1 "endpoints", ${LOCK}"leader" in the role's name\)`)],
  'lock-in-list': [reported(String.raw`^Role "agent" grants \[get, update\] on core v1 "endpoints" \(resourceNames \[agent-leader\]\), ${LOCK}write verbs on resourceNames \[agent-leader\], "leader" in its resourceNames\)`)],
  'machine-controller-lock': [
    reported(
      String.raw`^Role "node-controller" grants \[\*, create\] on core v1 "endpoints" \(resourceNames \[node-controller\]\), ${LOCK}write verbs on resourceNames \[node-controller\], a coordination\.k8s\.io Lease grant beside it, writable configmaps beside it\): ${NOT_WIDENED_LOCK} in namespace "kube-system"\. Grant nothing on endpointslices for the lock; client-go elects leaders with a coordination\.k8s\.io Lease: remove this grant once nothing locks on Endpoints$`,
    ),
    fixed(String.raw`^Role "node-controller" grants \[get, watch, list\] on core v1 "endpoints" but nothing on "endpointslices": add a rule with ${GRANT}, ${READS}$`),
  ],
  'named-after-old-fix': [reported(String.raw`^Role "os-manager" grants \[get\] on core v1 "endpoints" only for resourceNames \[kubernetes\] and only \[get\] on "endpointslices": not fixed`)],
  'named-reader': [
    reported(
      String.raw`^Role "os-manager" grants \[get\] on core v1 "endpoints" only for resourceNames \[kubernetes\] and nothing on "endpointslices": not fixed, because no grant on slices keeps that limit \(slices are found by the label kubernetes\.io/service-name, not by name, and resourceNames cannot limit list or watch\)\. Migrated code needs a rule with ${GRANT}, ${READS} \(get alone fails: it lists by label and watches\), which reads every EndpointSlice in namespace "default": add it by hand if that is acceptable$`,
    ),
  ],
  'partial-slices': [fixed(String.raw`^ClusterRole "proxy" grants \[get, list, watch\] on core v1 "endpoints" but only \[get\] on "endpointslices": add a rule with ${GRANT}, ${READS}$`)],
  'reader-and-lock': [
    fixed(String.raw`^ClusterRole "balancer" grants \[list, watch\] on core v1 "endpoints" but nothing on "endpointslices"`),
    reported(String.raw`^ClusterRole "balancer" grants \[get, update, create\] on core v1 "endpoints" \(resourceNames \[balancer\]\), ${LOCK}write verbs on resourceNames \[balancer\]\): ${NOT_WIDENED_LOCK} ${CLUSTER}\.`),
  ],
  'reader-beside-lease-comment': [fixed(String.raw`^Role "router" grants \[watch, list\] on core v1 "endpoints" but nothing on "endpointslices": add a rule with ${GRANT}, ${READS}$`)],
  'reader-and-writer': [
    fixed(String.raw`^Role "janitor" grants \[get, list, watch\] on core v1 "endpoints" but nothing on "endpointslices"`),
    reported(String.raw`^Role "janitor" grants \[delete\] on core v1 "endpoints" and nothing on "endpointslices": not fixed.* verbs \["delete"\] \(it reaches every slice in namespace "ops"\)`),
  ],
  'role-list': [fixed(String.raw`^Role "a" grants \[get, list\] .* \(not only \[get, list\]: `)],
  role: [fixed(String.raw`^Role "reader" grants \[get\] on core v1 "endpoints" but nothing on "endpointslices": add a rule with ${GRANT}, ${READS} \(not only \[get\]: ${NOT_ONLY_GET}\)$`)],
  'wildcard-core-resources': [fixed(String.raw`^ClusterRole "core-viewer" grants \[get, list, watch\] on core v1 "endpoints" but nothing`)],
  'wildcard-groups': [fixed(String.raw`^ClusterRole "any-group-endpoints" grants \[list, watch\] on core v1 "endpoints" but nothing`)],
  'writer-star': [
    reported(String.raw`^Role "endpoints-admin" grants \[\*\] on core v1 "endpoints" and nothing .* verbs \["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"\] \(it reaches every slice in namespace "shop"\)`),
  ],
  writer: [reported(String.raw`^ClusterRole "external-backends" grants \[get, list, watch, create, update, patch, delete\] .* verbs \["get", "list", "watch", "create", "update", "patch", "delete"\] \(it reaches every slice ${CLUSTER}\)`)],
};

/** Every RBAC object's rules, per object (List items included). */
function rulesPerObject(text: string, json: boolean): any[][] {
  const objects = json ? [JSON.parse(text)] : parseAllDocuments(text).map((d) => d.toJS());
  return objects.filter(Boolean).flatMap((o: any) => (o.items ?? [o])).map((o: any) => o.rules ?? []);
}

/** `before` is `after` with some rules taken out, in order; returns the rules that were added. */
function addedRules(before: any[], after: any[]): any[] {
  const added: any[] = [];
  let i = 0;
  for (const r of after) {
    if (i < before.length && JSON.stringify(r) === JSON.stringify(before[i])) i++;
    else added.push(r);
  }
  expect(i, 'every original rule is kept, in order').toBe(before.length);
  return added;
}

describe('endpoints-rbac', () => {
  it('has an expectation for every invalid fixture', () => {
    expect(invalid.map((p) => p.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const pair of invalid) {
    describe(pair.file, () => {
      const expected = EXPECTED[pair.name] ?? [];

      it('is reported as the table says', async () => {
        const { result } = await lint({ [pair.file]: pair.input }, [rule]);
        expect(result.errors).toEqual([]);
        expect(result.findings.map((f) => f.message)).toHaveLength(expected.length);
        result.findings.forEach((finding, i) => {
          expect(finding.ruleId).toBe('endpoints-rbac');
          expect(finding.severity).toBe('warning');
          expect(finding.message).toMatch(expected[i].message);
          expect(finding.fixable, finding.message).toBe(expected[i].fixable);
          // The range covers a rule that grants endpoints.
          const lines = pair.input.split('\n').slice(finding.line - 1, finding.endLine).join('\n');
          expect(lines).toMatch(/endpoints|"\*"/);
        });
        expect(pair.expected !== pair.input).toBe(expected.some((e) => e.fixable));
      });

      it('is fixed as expected, once; what cannot be fixed stays reported', async () => {
        const first = await lint({ [pair.file]: pair.input }, [rule], { fix: true });
        expect(first.files[pair.file]).toBe(pair.expected);
        expect(first.result.summary.fixed).toBe(pair.expected === pair.input ? 0 : 1);
        const second = await lint(first.dir, [rule], { fix: true });
        expect(second.files[pair.file]).toBe(pair.expected);
        expect(second.result.summary.fixed).toBe(0);
        expect(second.result.findings.map((f) => f.fixable)).toEqual(expected.filter((e) => !e.fixable).map(() => false));
      });

      if (!pair.input.includes('{{')) {
        it('output parses, keeps every original grant, and adds only get/list/watch on endpointslices', () => {
          const json = pair.file.endsWith('.json');
          if (json) JSON.parse(pair.expected);
          for (const doc of parseAllDocuments(pair.expected)) expect(doc.errors).toEqual([]);
          const before = rulesPerObject(pair.input, json);
          const after = rulesPerObject(pair.expected, json);
          expect(after).toHaveLength(before.length);
          const added = before.flatMap((rules, i) => addedRules(rules, after[i]));
          expect(added).toEqual(expected.filter((e) => e.fixable).map(() => READER_GRANT));
        });
      }
    });
  }

  it('keeps CRLF line endings and a BOM', async () => {
    const pair = invalid.find((p) => p.name === 'block-role')!;
    const crlf = '\uFEFF' + pair.input.replace(/\n/g, '\r\n');
    const { files } = await lint({ 'role.yaml': crlf }, [rule], { fix: true });
    expect(files['role.yaml']).toBe('\uFEFF' + pair.expected.replace(/\n/g, '\r\n'));
  });

  itReportsNothingIn(validDir, rule);
});

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', '*'];
const roleCase = fc.record({
  kind: fc.constantFrom('Role', 'ClusterRole'),
  name: fc.constantFrom('web', 'proxy', 'controller-leader-election'),
  verbs: fc.subarray(VERBS, { minLength: 1 }),
  resourceNames: fc.constantFrom([], ['kubernetes'], ['my-controller']),
  leases: fc.boolean(),
  flow: fc.boolean(),
});
type RoleCase = typeof roleCase extends fc.Arbitrary<infer T> ? T : never;

function roleText(c: RoleCase): string {
  const seq = (values: string[], indent: string) => (c.flow ? ` [${values.map((v) => JSON.stringify(v)).join(', ')}]` : values.map((v) => `\n${indent}- ${JSON.stringify(v)}`).join(''));
  const item = (fields: [string, string[]][]) => fields.map(([k, v], i) => `${i === 0 ? '- ' : '  '}${k}:${seq(v, '  ')}`).join('\n');
  const rules = [item([['apiGroups', ['']], ['resources', ['endpoints']], ...(c.resourceNames.length ? [['resourceNames', c.resourceNames] as [string, string[]]] : []), ['verbs', c.verbs]])];
  if (c.leases) rules.push(item([['apiGroups', ['coordination.k8s.io']], ['resources', ['leases']], ['verbs', ['get', 'create', 'update']]]));
  return `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${c.kind}\nmetadata:\n  name: ${c.name}\n  namespace: apps\nrules:\n${rules.join('\n')}\n`;
}

describe('endpoints-rbac on generated roles', () => {
  it('grants exactly get/list/watch to unnamed readers, and nothing to named, lock or write grants', async () => {
    await fc.assert(
      fc.asyncProperty(roleCase, async (c) => {
        const input = roleText(c);
        const first = await lint({ 'role.yaml': input }, [rule], { fix: true });
        const output = first.files['role.yaml'];
        for (const doc of parseAllDocuments(output)) expect(doc.errors, output).toEqual([]);
        const added = addedRules(rulesPerObject(input, false)[0], rulesPerObject(output, false)[0]);
        // The spec, independently of the rule's code: only a role that reads every endpoints object (no
        // resourceNames, only get/list/watch) and is no leader-election role gets a grant on slices.
        const reader = c.resourceNames.length === 0 && c.verbs.every((v) => ['get', 'list', 'watch'].includes(v)) && !c.name.includes('leader');
        expect(added, output).toEqual(reader ? [READER_GRANT] : []);
        // What --fix leaves is reported: everything but a reader's missing grant.
        expect(first.result.findings.length > 0, input).toBe(!reader);
        const second = await lint(first.dir, [rule], { fix: true });
        expect(second.result.summary.fixed).toBe(0);
        expect(second.files['role.yaml']).toBe(output);
        expect(second.result.findings.every((f) => !f.fixable)).toBe(true);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
