/**
 * Differential harness for the TS/JS rewrites (issue 15): every function of the TypeScript fixture projects that
 * `--fix` rewrites runs, before and after the fix, on every cluster state of test/differential/cluster-states.ts,
 * served by a local API server to the real client-node 1.x or 0.22. Answers must be equal the way a caller can
 * test them (values; errors by class, a 404 of the client's own error type; crashes), except for the differences a
 * rule page declares with its reason (section "Differences from v1 Endpoints"), listed here by name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rule as clientRule } from '../rules/endpoints-ts-client.js';
import { rule as typeRule } from '../rules/endpoints-ts-type.js';
import { rule as watchRule } from '../rules/endpoints-ts-watch.js';
import { clusterStates, type ClusterState } from './differential/cluster-states.js';
import { startApiServer, type ApiServer } from './differential/api-server.js';
import {
  buildProject,
  describeOutcome,
  kubeConfigFor,
  loadModule,
  observe,
  pointClientsAt,
  tempDir,
  type Contract,
  type Generation,
  type Outcome,
} from './differential/ts-harness.js';
import { lint, repoRoot } from './helpers.js';
import { fixtureProjects, type FixtureProject } from './ts-project.js';

type Module = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Env {
  server: ApiServer;
  kubeConfig: unknown;
}

/** One function of a fixture project, how a caller calls it, and what its contract is. */
interface Callable {
  project: string;
  file: string;
  name: string;
  /** `set`: the function's contract is a set (order and repeats carry no meaning); see each entry's reason. */
  contract: Contract;
  /** Watches stay open (an informer's watch, which would list again when it ends) instead of ending. */
  watch?: 'open';
  call(mod: Module, state: ClusterState, env: Env): Promise<unknown>;
}

const ns = (s: ClusterState) => s.namespace;
const svc = (s: ClusterState) => s.serviceName;

/** Runs a watch-style function until its stream ends, collecting what it hands to its callback. */
async function collected(run: (push: (...args: unknown[]) => void) => Promise<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  await run((...args) => seen.push(args));
  return seen;
}

export const callables: Callable[] = [
  // v1-esm-namespace (1.x, ESM, `import * as k8s`)
  { project: 'v1-esm-namespace', file: 'src/discovery.ts', name: 'serviceAddresses', contract: 'exact', call: (m, s) => m.serviceAddresses(ns(s), svc(s)) },
  { project: 'v1-esm-namespace', file: 'src/discovery.ts', name: 'backends', contract: 'exact', call: (m, s) => m.backends(ns(s), svc(s)) },
  { project: 'v1-esm-namespace', file: 'src/discovery.ts', name: 'notReady', contract: 'exact', call: (m, s) => m.notReady(svc(s)) },
  { project: 'v1-esm-namespace', file: 'src/discovery.ts', name: 'namespaceAddresses', contract: 'exact', call: (m, s) => m.namespaceAddresses(ns(s)) },
  { project: 'v1-esm-namespace', file: 'src/discovery.ts', name: 'everyAddress', contract: 'exact', call: (m) => m.everyAddress() },
  // v1-class-named (1.x, named imports, clients as class members)
  { project: 'v1-class-named', file: 'src/controller.ts', name: 'Balancer.pool', contract: 'exact', call: (m, s) => new m.Balancer().pool(svc(s), ns(s)) },
  { project: 'v1-class-named', file: 'src/controller.ts', name: 'Balancer.isServing', contract: 'exact', call: (m, s) => new m.Balancer().isServing(svc(s), ns(s)) },
  { project: 'v1-class-named', file: 'src/controller.ts', name: 'Field.count', contract: 'exact', call: (m, s) => new m.Field().count(ns(s)) },
  // v0-ts-named (0.22, TypeScript)
  { project: 'v0-ts-named', file: 'src/upstreams.ts', name: 'upstreams', contract: 'exact', call: (m, s) => m.upstreams(svc(s), ns(s)) },
  { project: 'v0-ts-named', file: 'src/upstreams.ts', name: 'draining', contract: 'exact', call: (m, s) => m.draining(svc(s)) },
  // v0-cjs-js (0.22, CommonJS JavaScript, a client handed a KubeConfig)
  { project: 'v0-cjs-js', file: 'lib/endpoints.js', name: 'ServiceWatcher.readyIps', contract: 'exact', call: (m, s, e) => new m.ServiceWatcher(e.kubeConfig).readyIps(svc(s), ns(s)) },
  { project: 'v0-cjs-js', file: 'lib/endpoints.js', name: 'ServiceWatcher.targets', contract: 'exact', call: (m, s, e) => new m.ServiceWatcher(e.kubeConfig).targets(svc(s), ns(s)) },
  { project: 'v0-cjs-js', file: 'lib/endpoints.js', name: 'ServiceWatcher.byLabel', contract: 'exact', call: (m, s, e) => new m.ServiceWatcher(e.kubeConfig).byLabel(ns(s), '') },
  { project: 'v0-cjs-js', file: 'lib/endpoints.js', name: 'ServiceWatcher.byName', contract: 'exact', call: (m, s, e) => new m.ServiceWatcher(e.kubeConfig).byName(svc(s)) },
  // v1-readers (1.x): an existence check on the 404, host:port lists, one address per subset, copied address
  // objects, readiness counts per port, items by Service, and a watch.
  { project: 'v1-readers', file: 'src/readers.ts', name: 'serviceExists', contract: 'exact', call: (m, s) => m.serviceExists(ns(s), svc(s)) },
  { project: 'v1-readers', file: 'src/readers.ts', name: 'upstreams', contract: 'exact', call: (m, s) => m.upstreams(ns(s), svc(s)) },
  { project: 'v1-readers', file: 'src/readers.ts', name: 'primaries', contract: 'exact', call: (m, s) => m.primaries(ns(s), svc(s)) },
  { project: 'v1-readers', file: 'src/readers.ts', name: 'starting', contract: 'exact', call: (m, s) => m.starting(ns(s), svc(s)) },
  { project: 'v1-readers', file: 'src/readers.ts', name: 'readiness', contract: 'exact', call: (m, s) => m.readiness(ns(s), svc(s)) },
  { project: 'v1-readers', file: 'src/readers.ts', name: 'byService', contract: 'exact', call: (m, s) => m.byService(ns(s)) },
  // Its contract is "something changed in this namespace": a watch of slices tells once per slice, and the handler
  // (a resync) does not care how often; so the events are compared as a set.
  { project: 'v1-readers', file: 'src/readers.ts', name: 'changes', contract: 'set', call: (m, s) => collected((push) => m.changes(ns(s), svc(s), push)) },
  // An informer filled once: `add` per Endpoints object before, per slice after; the same "a Service with
  // endpoints in this namespace" notification, compared as a set for the same reason.
  { project: 'v1-readers', file: 'src/informed.ts', name: 'warmUp', contract: 'set', watch: 'open', call: (m, s) => collected((push) => m.warmUp(ns(s), push)) },
  // v0-readers-cjs (0.22, CommonJS, loadFromCluster): 404 checks on statusCode and response.statusCode.
  { project: 'v0-readers-cjs', file: 'lib/health.js', name: 'readyCount', contract: 'exact', call: (m, s) => m.readyCount(ns(s), svc(s)) },
  { project: 'v0-readers-cjs', file: 'lib/health.js', name: 'isGone', contract: 'exact', call: (m, s) => m.isGone(ns(s), svc(s)) },
  { project: 'v0-readers-cjs', file: 'lib/health.js', name: 'backends', contract: 'exact', call: (m, s) => m.backends(ns(s), svc(s)) },
];

/** A difference the rule pages declare: which function, which state, and the page that gives the reason. */
interface Declared {
  callable: string;
  state: string;
  page: string;
}

const CLIENT_PAGE = 'endpoints-ts-client.md';

/** The (function, state) pairs whose answers differ as `page` declares for `state`, for the reason given. */
function declare(page: string, state: string, reason: string, functions: string[]): Declared[] {
  expect(reason).not.toBe('');
  return functions.map((callable) => ({ callable, state, page }));
}

/** Readers of ready addresses, which each of the data differences below reaches. */
const READY_READERS = [
  'v1-esm-namespace:serviceAddresses',
  'v1-esm-namespace:backends',
  'v1-esm-namespace:namespaceAddresses',
  'v1-esm-namespace:everyAddress',
  'v1-class-named:Balancer.pool',
  'v1-class-named:Field.count',
  'v0-ts-named:upstreams',
  'v0-cjs-js:ServiceWatcher.readyIps',
  'v0-cjs-js:ServiceWatcher.targets',
  'v0-cjs-js:ServiceWatcher.byLabel',
  'v0-cjs-js:ServiceWatcher.byName',
  'v1-readers:upstreams',
  'v1-readers:readiness',
  'v1-readers:byService',
  'v0-readers-cjs:readyCount',
  'v0-readers-cjs:backends',
];

/** Differences of one (function, state) pair that rule pages declare, by the state they follow from. */
export const declared: Declared[] = [
  ...declare(CLIENT_PAGE, 'dual-stack', 'slices hold both IP families, v1 Endpoints the primary one', READY_READERS),
  ...declare(CLIENT_PAGE, 'over-capacity', 'v1 Endpoints stop at 1000 addresses, slices hold all', READY_READERS),
  ...declare(CLIENT_PAGE, 'orphan-endpoints', 'hand-written Endpoints without a Service are not mirrored', [
    ...READY_READERS,
    'v1-esm-namespace:notReady',
    'v1-class-named:Balancer.isServing',
    'v0-ts-named:draining',
    'v1-readers:serviceExists',
    'v1-readers:primaries',
    'v1-readers:starting',
    'v0-readers-cjs:isGone',
  ]),
  ...declare('endpoints-ts-watch.md', 'orphan-endpoints', 'no slice is mirrored, so the watch sees no event', [
    'v1-readers:changes',
    'v1-readers:warmUp',
  ]),
];

/** Differences known and not yet fixed (issue 15): listed so that a fix shows up here, never hidden. */
export const open: { callable: string; state: string; defect: string }[] = [];

const tsRules = [clientRule, watchRule, typeRule];

function tree(project: FixtureProject): Record<string, string> {
  const files: Record<string, string> = { ...project.others };
  for (const s of project.sources) files[s.file] = s.before;
  return files;
}

export interface PairResult {
  callable: string;
  state: string;
  before: Outcome;
  after: Outcome;
  equal: boolean;
}

/** Before and after `--fix` (as the engine writes it, optionally mutated), on every state. */
export async function runHarness(server: ApiServer, mutate: (project: string, file: string, text: string) => string = (_p, _f, t) => t): Promise<PairResult[]> {
  const projects = new Map(fixtureProjects().map((p) => [p.name, p]));
  const results: PairResult[] = [];
  const restore = pointClientsAt(server.url);
  try {
    for (const [name, project] of projects) {
      const mine = callables.filter((c) => c.project === name);
      if (mine.length === 0) continue;
      const beforeDir = await lint(tree(project), []).then((r) => r.dir);
      const fixed = await lint(tree(project), tsRules, { fix: true });
      for (const s of project.sources) fs.writeFileSync(path.join(fixed.dir, s.file), mutate(name, s.file, fixed.files[s.file]));
      const entries = [...new Set(mine.map((c) => c.file))];
      const out = tempDir('slicefix-diff-');
      const before = await buildProject(beforeDir, entries, project.generation, path.join(out, 'before'));
      const after = await buildProject(fixed.dir, entries, project.generation, path.join(out, 'after'));
      for (const c of mine) {
        const modBefore = await loadModule(before.get(c.file)!);
        const modAfter = await loadModule(after.get(c.file)!);
        for (const state of clusterStates) {
          const env = { server, kubeConfig: kubeConfigFor(project.generation as Generation, server.url) };
          server.watchMode = c.watch ?? 'end';
          server.serve(state);
          const b = await observe(() => c.call(modBefore, state, env), c.contract);
          server.serve(state);
          const a = await observe(() => c.call(modAfter, state, env), c.contract);
          server.watchMode = 'end';
          results.push({ callable: `${c.project}:${c.name}`, state: state.name, before: b, after: a, equal: JSON.stringify(a) === JSON.stringify(b) });
        }
      }
    }
  } finally {
    restore();
  }
  return results;
}

function report(results: PairResult[]): string {
  return results
    .filter((r) => !r.equal)
    .map((r) => `${r.callable} @ ${r.state}\n    before: ${describeOutcome(r.before)}\n    after:  ${describeOutcome(r.after)}`)
    .join('\n');
}

const key = (callable: string, state: string) => `${callable} @ ${state}`;

let server: ApiServer;
let results: PairResult[];

beforeAll(async () => {
  server = await startApiServer();
  results = await runHarness(server);
}, 240_000);

afterAll(async () => {
  await server?.close();
});

describe('TS/JS differential harness', () => {
  it('compares every rewritten fixture function on every cluster state', () => {
    expect(results.length).toBe(callables.length * clusterStates.length);
    const differing = results.filter((r) => !r.equal).length;
    console.info(`TS/JS differential: ${results.length} (function, state) pairs, ${differing} differ (${declared.length} declared, ${open.length} open)`);
    // A function no state tells apart from its rewrite in any way would be a weak probe; each one must at least
    // answer differently in two states.
    for (const c of callables) {
      const answers = new Set(results.filter((r) => r.callable === `${c.project}:${c.name}`).map((r) => JSON.stringify(r.before)));
      expect(answers.size, `${c.project}:${c.name}`).toBeGreaterThan(1);
    }
  });

  it('finds no difference that is not declared on a rule page or listed as open', () => {
    const allowed = new Set([...declared.map((d) => key(d.callable, d.state)), ...open.map((o) => key(o.callable, o.state))]);
    const unexplained = results.filter((r) => !r.equal && !allowed.has(key(r.callable, r.state)));
    expect(report(unexplained)).toBe('');
  });

  it('still sees every difference it declares or lists as open (nothing stale)', () => {
    const differing = new Set(results.filter((r) => !r.equal).map((r) => key(r.callable, r.state)));
    const stale = [...declared.map((d) => key(d.callable, d.state)), ...open.map((o) => key(o.callable, o.state))].filter((k) => !differing.has(k));
    expect(stale).toEqual([]);
  });
});

function declaredOnPage(page: string): string[] {
  const text = fs.readFileSync(path.join(repoRoot, 'rules', page), 'utf8');
  const section = /## Differences from v1 Endpoints\n([\s\S]*?)(\n## |$)/.exec(text)?.[1] ?? '';
  return [...section.matchAll(/^- `([a-z0-9-]+)`: \S/gm)].map((m) => m[1]);
}

describe('declared differences and the rule pages agree', () => {
  it('the states declared here are the states the pages declare, each with its reason', () => {
    for (const page of new Set(declared.map((d) => d.page))) {
      const here = [...new Set(declared.filter((d) => d.page === page).map((d) => d.state))].sort();
      expect(declaredOnPage(page).sort(), page).toEqual(here);
    }
    for (const d of declared) expect(clusterStates.map((s) => s.name)).toContain(d.state);
  });
});

/**
 * The harness must catch the mistakes a rewrite can make: each mutation of the code --fix wrote turns some
 * (function, state) pair that was equal into a difference.
 */
describe('the harness fails on broken rewrites', () => {
  const mutations: [string, RegExp, string][] = [
    ['an endpoint without a ready condition counted as not ready', /conditions\?\.ready !== false/g, 'conditions?.ready === true'],
    ['no de-duplication of an endpoint seen in two slices', /if \(seen\.has\(id\)\) continue;/g, ''],
    ['a missing Service answered with an empty result instead of a 404', /const \[endpoints\] = /g, 'const [endpoints = { metadata: {} }] = '],
    ['terminating endpoints listed as not ready', /if \(!ready && endpoint\.conditions\?\.terminating === true\) continue;/g, ''],
  ];
  for (const [what, pattern, replacement] of mutations) {
    it(`turns red when ${what}`, async () => {
      let applied = 0;
      const mutated = await runHarness(server, (_project, _file, text) => {
        applied += (text.match(pattern) ?? []).length;
        return text.replace(pattern, replacement);
      });
      expect(applied).toBeGreaterThan(0);
      const allowed = new Set(declared.map((d) => key(d.callable, d.state)));
      const caught = mutated.filter((r) => !r.equal && !allowed.has(key(r.callable, r.state)));
      expect(caught.length, what).toBeGreaterThan(0);
    }, 120_000);
  }
});

export { report };
