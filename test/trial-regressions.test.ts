/**
 * Shapes met when slicefix was tried on real controllers and Node services, each reduced to a minimal file. The
 * Go shapes that must also build live in fixtures/go/before/trial (built against the real client-go).
 */
import { describe, expect, test } from 'vitest';
import { rules } from '../rules/index.js';
import { lint } from './helpers.js';

const goRules = rules.filter((r) => r.meta.languages.includes('go'));

const goHeader = `package p

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)
`;

describe('Go address loops', () => {
  test('`addr.Hostname` is refused with the type difference that stops the rewrite', async () => {
    const text = `${goHeader}
func hosts(ctx context.Context, c client.Client, key types.NamespacedName) ([]string, error) {
	ep := &corev1.Endpoints{}
	if err := c.Get(ctx, key, ep); err != nil {
		return nil, err
	}
	var out []string
	for _, subset := range ep.Subsets {
		for _, addr := range subset.Addresses {
			out = append(out, addr.Hostname)
		}
	}
	return out, nil
}
`;
    const out = await lint({ 'x.go': text }, goRules, { fix: true });
    expect(out.files['x.go']).toBe(text);
    const messages = out.result.findings.map((f) => f.message);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(
      'Not fixed: `addr.Hostname` is a string, but an EndpointSlice endpoint\'s `Hostname` is a `*string` (nil when unset) at line 19',
    );
  });

  test('an address used as a whole is refused, naming the fields that are rewritten', async () => {
    const text = `${goHeader}
func all(ctx context.Context, c client.Client, key types.NamespacedName) ([]corev1.EndpointAddress, error) {
	var ep corev1.Endpoints
	if err := c.Get(ctx, key, &ep); err != nil {
		return nil, err
	}
	var out []corev1.EndpointAddress
	for _, subset := range ep.Subsets {
		for _, addr := range subset.Addresses {
			out = append(out, addr)
		}
	}
	return out, nil
}
`;
    const out = await lint({ 'x.go': text }, goRules, { fix: true });
    expect(out.files['x.go']).toBe(text);
    const get = out.result.findings.find((f) => f.ruleId === 'endpoints-go-controller-runtime');
    expect(get?.message).toContain('Not fixed: `addr` is used as a whole, not through `IP`, `NodeName` or `TargetRef`');
  });
});

describe('Go controller-runtime objects declared as values', () => {
  test('`ep := corev1.Endpoints{}` passed as `&ep` to Get and Delete is found (not only as a type)', async () => {
    const text = `${goHeader}
func get(ctx context.Context, c client.Client, svc *corev1.Service) (*corev1.Endpoints, error) {
	ep := corev1.Endpoints{}
	err := c.Get(ctx, types.NamespacedName{Namespace: svc.Namespace, Name: svc.Name}, &ep)
	return &ep, err
}

func remove(ctx context.Context, c client.Client) error {
	ep := corev1.Endpoints{}
	return c.Delete(ctx, &ep)
}
`;
    const out = await lint({ 'x.go': text }, goRules, { fix: true });
    expect(out.files['x.go']).toBe(text);
    const byRule = out.result.findings.filter((f) => f.ruleId === 'endpoints-go-controller-runtime').map((f) => f.message);
    expect(byRule).toHaveLength(2);
    expect(byRule[0]).toMatch(/^`Get\(ctx, types.NamespacedName\{.*gets a Service's v1 Endpoints.*Not fixed: `ep` is used as a whole at line 14/);
    expect(byRule[1]).toMatch(/^`Delete\(ctx, &ep\)` writes v1 Endpoints/);
    // A controller-runtime client writes slices through the same client, not through a clientset.
    expect(byRule[1]).toContain('write `&discoveryv1.EndpointSlice{...}` objects with the same client instead');
    expect(byRule[1]).not.toContain('DiscoveryV1()');
  });
});

const tsRules = rules.filter((r) => r.meta.languages.includes('typescript'));

describe('client-node loaded with a dynamic import', () => {
  // client-node 1.x is ESM only, so CommonJS code loads it with `import()` into a variable declared earlier.
  test('`let k8s; ... k8s = await import(...)` makes the file a client-node file', async () => {
    const text = `let k8s

class Driver {
  async init () {
    k8s = await import('@kubernetes/client-node')
    const kc = new k8s.KubeConfig()
    kc.loadFromDefault()
    this._k8sApi = kc.makeApiClient(k8s.CoreV1Api)
  }

  async ready (name, namespace) {
    const endpoints = await this._k8sApi.readNamespacedEndpoints({ name, namespace })
    return endpoints
  }
}

module.exports = Driver
`;
    const out = await lint({ 'package.json': '{"dependencies":{"@kubernetes/client-node":"^1.3.0"}}\n', 'driver.js': text }, tsRules);
    const findings = out.result.findings.map((f) => [f.ruleId, f.line]);
    expect(findings).toEqual([['endpoints-ts-client', 12]]);
  });

  test('an assignment of something else to the variable does not count', async () => {
    const text = `let k8s
k8s = await import('./my-client.js')
export const read = (api, name, namespace) => api.readNamespacedEndpoints({ name, namespace })
`;
    const out = await lint({ 'package.json': '{"type":"module"}\n', 'x.mjs': text }, tsRules);
    expect(out.result.findings).toEqual([]);
  });
});

describe('method names that are also Object.prototype names', () => {
  test('`x.toString()` in a client-node file is not an Endpoints call (and does not break the rule)', async () => {
    const text = `import * as k8s from '@kubernetes/client-node';

const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);

export async function describe(name: string, namespace: string): Promise<string> {
  const ep = await core.readNamespacedEndpoints({ name, namespace });
  return ep.toString() + String(ep.constructor) + namespace.valueOf();
}
`;
    const out = await lint({ 'package.json': '{"dependencies":{"@kubernetes/client-node":"^1.4.0"}}\n', 'x.ts': text }, tsRules);
    expect(out.result.errors).toEqual([]);
    expect(out.result.findings.map((f) => [f.ruleId, f.line])).toEqual([['endpoints-ts-client', 8]]);
  });
});

describe('the CoreV1Api client that only served the Endpoints call (almond-cloud nlp/proxy.ts, noUnusedLocals)', () => {
  const pkg0 = '{"dependencies":{"@kubernetes/client-node":"^0.15.0"}}\n';
  const pkg1 = '{"dependencies":{"@kubernetes/client-node":"^1.4.0"}}\n';

  test('a private member used by nothing else becomes the DiscoveryV1Api client instead of staying unused', async () => {
    const text = `import * as k8s from '@kubernetes/client-node';

export default class Fanout {
    private coreApi : k8s.CoreV1Api;

    constructor() {
        const kc = new k8s.KubeConfig();
        kc.loadFromDefault();
        this.coreApi = kc.makeApiClient(k8s.CoreV1Api);
    }

    async ips(name : string) {
        const resp = await this.coreApi.listEndpointsForAllNamespaces(undefined, undefined, \`metadata.name=\${name}\`);
        const out = [];
        for (const item of resp.body.items) {
            for (const subset of item.subsets ?? []) {
                for (const addr of subset.addresses ?? []) out.push(addr.ip);
            }
        }
        return out;
    }
}
`;
    const out = await lint({ 'package.json': pkg0, 'x.ts': text }, tsRules, { fix: true });
    const fixed = out.files['x.ts'];
    expect(fixed).toContain('    private discoveryApi: k8s.DiscoveryV1Api;\n');
    expect(fixed).toContain('        this.discoveryApi = kc.makeApiClient(k8s.DiscoveryV1Api);\n');
    expect(fixed).not.toContain('coreApi');
    expect(fixed).not.toContain('CoreV1Api');
  });

  test('a local client used by nothing else is replaced, and its named import swapped, not left unused', async () => {
    const text = `import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

export async function ips(kc: KubeConfig, name: string, namespace: string): Promise<string[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const ep = await core.readNamespacedEndpoints({ name, namespace });
  return ep.subsets?.flatMap((s) => s.addresses ?? []).map((a) => a.ip) ?? [];
}
`;
    const out = await lint({ 'package.json': pkg1, 'x.ts': text }, tsRules, { fix: true });
    const fixed = out.files['x.ts'];
    // Sorted as the file had it; one name a line, since one line would pass the file's width.
    expect(fixed).toMatch(/^import \{\n  ApiException,\n  DiscoveryV1Api,\n  KubeConfig,\n  V1EndpointSlice,\n  V1ObjectReference,\n\} from '@kubernetes\/client-node';\n/);
    expect(fixed).toContain('  const discovery = kc.makeApiClient(DiscoveryV1Api);\n  const ep = await readEndpointsFromSlices(discovery, { name, namespace });');
    expect(fixed).not.toMatch(/CoreV1Api|\bcore\b/);
  });

  test('a client still used for something else, an exported one, or a public member stays', async () => {
    const text = `import * as k8s from '@kubernetes/client-node';

const kc = new k8s.KubeConfig();
export const core = kc.makeApiClient(k8s.CoreV1Api);

export class C {
  api = kc.makeApiClient(k8s.CoreV1Api);
  async ips(name: string, namespace: string) {
    const ep = await this.api.readNamespacedEndpoints({ name, namespace });
    return ep.subsets?.flatMap((s) => s.addresses ?? []).map((a) => a.ip) ?? [];
  }
}

export async function ips(name: string, namespace: string) {
  const ep = await core.readNamespacedEndpoints({ name, namespace });
  return ep.subsets?.flatMap((s) => s.addresses ?? []).map((a) => a.ip) ?? [];
}
`;
    const out = await lint({ 'package.json': pkg1, 'x.ts': text }, tsRules, { fix: true });
    const fixed = out.files['x.ts'];
    expect(fixed).toContain('export const core = kc.makeApiClient(k8s.CoreV1Api);\nconst discovery = kc.makeApiClient(k8s.DiscoveryV1Api);');
    expect(fixed).toContain('  api = kc.makeApiClient(k8s.CoreV1Api);\n  discoveryApi = kc.makeApiClient(k8s.DiscoveryV1Api);');
  });
});

describe('rewritten arguments keep their comments in place (almond-cloud nlp/proxy.ts)', () => {
  test('a 0.x field selector that becomes a label selector does not carry the `/*fieldSelector*/` comment', async () => {
    const text = `import * as k8s from '@kubernetes/client-node';

const kc = new k8s.KubeConfig();
const coreApi = kc.makeApiClient(k8s.CoreV1Api);

export async function used(): Promise<void> {
  await coreApi.listNode();
}

export async function ips(name: string): Promise<string[]> {
  const out: string[] = [];
  const resp = await coreApi.listEndpointsForAllNamespaces(
    undefined /*allowWatchBookmarks*/,
    undefined /*_continue*/,
    \`metadata.name=\${name}\` /*fieldSelector*/);
  for (const item of resp.body.items) {
    for (const subset of item.subsets ?? []) {
      for (const addr of subset.addresses ?? []) out.push(addr.ip);
    }
  }
  return out;
}
`;
    const out = await lint({ 'package.json': '{"dependencies":{"@kubernetes/client-node":"^0.15.0"}}\n', 'x.ts': text }, tsRules, { fix: true });
    expect(out.files['x.ts']).toContain(`discoveryApi.listEndpointSliceForAllNamespaces(
    undefined /*allowWatchBookmarks*/,
    undefined /*_continue*/,
    undefined /*fieldSelector*/, \`kubernetes.io/service-name=\${name}\`);`);
  });
});

describe('a name added to a multi-line import (dnd-notes activator)', () => {
  test("goes on its own line, in the import's indentation and in its sorted place", async () => {
    const text = `import {
  CoreV1Api,
  KubeConfig,
  type V1Endpoints,
} from '@kubernetes/client-node'

const kc = new KubeConfig()
const coreApi = kc.makeApiClient(CoreV1Api)

export async function count(name: string, namespace: string): Promise<number> {
  await coreApi.listNode()
  const ep: V1Endpoints = await coreApi.readNamespacedEndpoints({ name, namespace })
  let n = 0
  for (const subset of ep.subsets ?? []) n += subset.addresses?.length ?? 0
  return n
}
`;
    const out = await lint({ 'package.json': '{"dependencies":{"@kubernetes/client-node":"^1.4.0"}}\n', 'x.ts': text }, tsRules, { fix: true });
    expect(out.files['x.ts']).toMatch(
      /^import \{\n  ApiException,\n  CoreV1Api,\n  DiscoveryV1Api,\n  KubeConfig,\n  type V1Endpoints,\n  V1EndpointSlice,\n  V1ObjectReference,\n\} from '@kubernetes\/client-node'\n/,
    );
  });
});

describe('a loop over the subsets of a read (dnd-notes activator)', () => {
  const pkg = '{"dependencies":{"@kubernetes/client-node":"^1.4.0"}}\n';
  const head = `import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'

const kc = new KubeConfig()
const coreApi = kc.makeApiClient(CoreV1Api)

export async function pods(namespace: string) {
  return coreApi.listNamespacedPod({ namespace })
}
`;

  test('stays as written: the subsets rebuilt from the slices are one per port set, each address once', async () => {
    const loop = `  let n = 0
  for (const subset of ep.subsets ?? []) {
    n += subset.addresses?.length ?? 0
  }
  return n
}
`;
    const text = `${head}
export async function readyCount(name: string, namespace: string): Promise<number> {
  const ep = await coreApi.readNamespacedEndpoints({ name, namespace })
${loop}`;
    const out = await lint({ 'package.json': pkg, 'x.ts': text }, tsRules, { fix: true });
    const fixed = out.files['x.ts'];
    expect(fixed).toContain(`  const ep = await readEndpointsFromSlices(discoveryApi, { name, namespace })\n${loop}`);
  });
});

describe('code without semicolons (dnd-notes style)', () => {
  test('the added functions leave statements to ASI too, and no line of theirs starts with ( or [', async () => {
    const text = `import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'

const kc = new KubeConfig()
const coreApi = kc.makeApiClient(CoreV1Api)

export async function all(namespace: string): Promise<string[]> {
  const list = await coreApi.listNamespacedEndpoints({ namespace })
  const out: string[] = []
  for (const item of list.items) {
    console.log(item.metadata?.namespace)
    item.subsets?.forEach((s) => (s.addresses ?? []).forEach((a) => out.push(a.ip)))
  }
  return out
}
`;
    const out = await lint({ 'package.json': '{"dependencies":{"@kubernetes/client-node":"^1.4.0"}}\n', 'x.ts': text }, tsRules, { fix: true });
    const fixed = out.files['x.ts'];
    expect(fixed).toContain('  for (const item of endpointsOfSlices(list.items)) {\n');
    const added = fixed.slice(fixed.indexOf('/**'));
    expect(added).toContain('function endpointsOfSlices(');
    expect(added).not.toMatch(/;$/m);
    expect(added).not.toMatch(/^\s*[([]/m);
  });
});

describe('a client that can be injected (dnd-notes activator at HEAD)', () => {
  test('the refusal names the KubeConfig the file uses, not a `kc` it does not have', async () => {
    const text = `import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'

export function make(options: { coreApi?: CoreV1Api; kubeConfig?: KubeConfig } = {}) {
  const kubeConfig = options.kubeConfig ?? new KubeConfig()
  const coreApi: CoreV1Api = options.coreApi ?? kubeConfig.makeApiClient(CoreV1Api)
  return async (name: string, namespace: string) => {
    const ep = await coreApi.readNamespacedEndpoints({ name, namespace })
    return ep.subsets?.flatMap((s) => s.addresses ?? []).map((a) => a.ip) ?? []
  }
}
`;
    const out = await lint({ 'package.json': '{"dependencies":{"@kubernetes/client-node":"^1.4.0"}}\n', 'x.ts': text }, tsRules);
    const [finding] = out.result.findings;
    expect(finding.message).toContain(
      'Not rewritten: the CoreV1Api client `coreApi` comes from `options.coreApi ?? kubeConfig.makeApiClient(CoreV1Api)`, not only from makeApiClient in this file; create a DiscoveryV1Api client next to it (kubeConfig.makeApiClient(DiscoveryV1Api))',
    );
  });
});

describe('client-node below 0.15 has no DiscoveryV1Api (issue 15, item 11)', () => {
  const source = `const k8s = require('@kubernetes/client-node');

const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);

async function ips(name) {
  const res = await core.readNamespacedEndpoints(name, 'default');
  return (res.body.subsets || []).flatMap((s) => s.addresses || []).map((a) => a.ip);
}

module.exports = { ips };
`;

  test('a range that allows 0.14 is refused, with the version and the reason', async () => {
    const out = await lint({ 'package.json': '{"dependencies":{"@kubernetes/client-node":"^0.14.3"}}\n', 'a.js': source }, tsRules, { fix: true });
    expect(out.files['a.js']).toBe(source);
    const [finding] = out.result.findings;
    expect(finding.fixable).toBe(false);
    expect(finding.message).toContain('Not rewritten: @kubernetes/client-node 0.14.3 (the lowest version package.json allows) has no DiscoveryV1Api, added in 0.15.0; upgrade it first');
  });

  test('the installed version decides over the range', async () => {
    const files = {
      'package.json': '{"dependencies":{"@kubernetes/client-node":">=0.12.0"}}\n',
      'node_modules/@kubernetes/client-node/package.json': '{"name":"@kubernetes/client-node","version":"0.16.3"}\n',
      'a.js': source,
    };
    const out = await lint(files, tsRules, { fix: true });
    expect(out.files['a.js']).toContain('readEndpointsFromSlices(discovery, name, \'default\')');
    const old = await lint({ ...files, 'node_modules/@kubernetes/client-node/package.json': '{"version":"0.13.1"}\n' }, tsRules);
    expect(old.result.findings[0].message).toContain('@kubernetes/client-node 0.13.1 (installed) has no DiscoveryV1Api');
  });
});

describe('a client declared with `let` and created in a setup function (issue 15, item 12)', () => {
  test('the reason says where it is assigned, not that it is not created in this file', async () => {
    const text = `const k8s = require('@kubernetes/client-node');

let k8sApi;

function setup() {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  k8sApi = kc.makeApiClient(k8s.CoreV1Api);
}

async function ips(name) {
  const res = await k8sApi.readNamespacedEndpoints(name, 'default');
  return (res.body.subsets || []).flatMap((s) => s.addresses || []).map((a) => a.ip);
}

module.exports = { setup, ips };
`;
    const out = await lint({ 'package.json': '{"dependencies":{"@kubernetes/client-node":"^0.22.0"}}\n', 'a.js': text }, tsRules);
    const [finding] = out.result.findings;
    expect(finding.message).not.toContain('is not created in this file');
    expect(finding.message).toContain(
      'the CoreV1Api client `k8sApi` is declared without a value and assigned later (line 8: `k8sApi = kc.makeApiClient(k8s.CoreV1Api)`)',
    );
    expect(finding.message).toContain('create a DiscoveryV1Api client next to it (kc.makeApiClient(k8s.DiscoveryV1Api))');
  });
});

describe('names added to an import keep the order the file keeps (issue 15, style)', () => {
  test('an unsorted list gets the new names last; a long one-line import that fits stays on one line', async () => {
    const text = `import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';

export async function ips(kc: KubeConfig, name: string, namespace: string): Promise<string[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const ep = await core.readNamespacedEndpoints({ name, namespace });
  return ep.subsets?.flatMap((s) => s.addresses ?? []).map((a) => a.ip) ?? []; // a line as wide as the import will be, or a bit more
}
`;
    const out = await lint({ 'package.json': '{"dependencies":{"@kubernetes/client-node":"^1.4.0"}}\n', 'x.ts': text }, tsRules, { fix: true });
    expect(out.files['x.ts']).toMatch(
      /^import \{ KubeConfig, DiscoveryV1Api, V1EndpointSlice, V1ObjectReference, ApiException \} from '@kubernetes\/client-node';\n/,
    );
  });
});

describe('the functions slicefix adds to a file (issue 15)', () => {
  test('are added once, and reused by a later fix of the same file', async () => {
    const read = (fn: string) => `
export async function ${fn}(name: string, namespace: string): Promise<string[]> {
  const ep = await core.readNamespacedEndpoints({ name, namespace });
  return ep.subsets?.flatMap((s) => s.addresses ?? []).map((a) => a.ip) ?? [];
}
`;
    const head = `import * as k8s from '@kubernetes/client-node';

const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);

export function nodes() {
  return core.listNode();
}
`;
    const pkg = '{"dependencies":{"@kubernetes/client-node":"^1.4.0"}}\n';
    const first = await lint({ 'package.json': pkg, 'x.ts': head + read('a') + read('b') }, tsRules, { fix: true });
    const once = first.files['x.ts'];
    expect(once.match(/^function endpointsOfSlices\(/gm)).toHaveLength(1);
    expect(once.match(/^async function readEndpointsFromSlices\(/gm)).toHaveLength(1);
    // A user adds another read later and runs --fix again.
    const [before, after] = once.split('\n/**\n * What v1 Endpoints');
    const second = await lint({ 'package.json': pkg, 'x.ts': `${before}${read('c')}\n/**\n * What v1 Endpoints${after}` }, tsRules, { fix: true });
    const twice = second.files['x.ts'];
    expect(twice).toContain('export async function c(name: string, namespace: string): Promise<string[]> {\n  const ep = await readEndpointsFromSlices(discovery, { name, namespace });');
    expect(twice.match(/function endpointsOfSlices\d*\(/g)).toHaveLength(1);
    expect(twice.match(/function readEndpointsFromSlices\d*\(/g)).toHaveLength(1);
    expect(twice.match(/makeApiClient\(k8s\.DiscoveryV1Api\)/g)).toHaveLength(1);
  });
});
