/**
 * The local API server of the TS/JS differential harness, through the real client-node 1.x and 0.x: what a caller
 * sees (objects, a 404 it can recognise, selectors, watch events) must be what kube-apiserver gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import * as k8s0 from 'client-node-0';
import { clusterStates } from './cluster-states.js';
import { kubeConfigOptions, matchesLabels, parseLabelSelector, startApiServer, type ApiServer } from './api-server.js';

const state = (name: string) => clusterStates.find((s) => s.name === name)!;
let server: ApiServer;

beforeAll(async () => {
  server = await startApiServer();
});
afterAll(async () => {
  await server.close();
});

function clients() {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions(kubeConfigOptions(server.url));
  const kc0 = new k8s0.KubeConfig();
  kc0.loadFromOptions(kubeConfigOptions(server.url));
  return { kc, kc0, core: kc.makeApiClient(k8s.CoreV1Api), discovery: kc.makeApiClient(k8s.DiscoveryV1Api), core0: kc0.makeApiClient(k8s0.CoreV1Api), discovery0: kc0.makeApiClient(k8s0.DiscoveryV1Api) };
}

describe('label selectors', () => {
  it('parse equality, inequality, set and existence terms', () => {
    const labels = { 'kubernetes.io/service-name': 'web', tier: 'front' };
    expect(matchesLabels(parseLabelSelector('kubernetes.io/service-name=web'), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector('kubernetes.io/service-name==web,tier=front'), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector('kubernetes.io/service-name=web,tier!=front'), labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector('tier in (back, front)'), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector('tier notin (back,front)'), labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector('tier,!missing'), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector('missing'), labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector(''), labels)).toBe(true);
    expect(() => parseLabelSelector('tier in back')).toThrow(/unable to parse/);
  });
});

describe('client-node 1.x', () => {
  it('reads an Endpoints object and gets an ApiException with code 404 for a missing one', async () => {
    server.serve(state('one-slice'));
    const { core } = clients();
    const ep = await core.readNamespacedEndpoints({ name: 'web', namespace: 'default' });
    expect(ep.subsets?.[0].addresses?.map((a) => a.ip)).toEqual(['10.244.0.2', '10.244.0.3', '10.244.0.4']);
    server.serve(state('missing-service'));
    const error = await core.readNamespacedEndpoints({ name: 'web', namespace: 'default' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(k8s.ApiException);
    expect((error as k8s.ApiException<unknown>).code).toBe(404);
  });

  it('lists a Service\'s slices by label, in a namespace and across namespaces, placeholder included', async () => {
    server.serve(state('scaled-to-zero'));
    const { discovery } = clients();
    const list = await discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=web' });
    expect(list.items).toHaveLength(1);
    expect(list.items[0].endpoints).toBeFalsy();
    const none = await discovery.listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=other' });
    expect(none.items).toEqual([]);
    server.serve(state('several-slices'));
    const all = await discovery.listEndpointSliceForAllNamespaces({ labelSelector: 'kubernetes.io/service-name in (web)' });
    expect(all.items.map((s) => s.endpoints.length)).toEqual([100, 50]);
    expect(server.requests).toEqual(['GET /apis/discovery.k8s.io/v1/endpointslices?labelSelector=kubernetes.io%2Fservice-name+in+%28web%29']);
  });

  it('watches: ADDED events, then the end of the stream', async () => {
    server.serve(state('dual-stack'));
    const { kc } = clients();
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      void new k8s.Watch(kc)
        .watch('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { labelSelector: 'kubernetes.io/service-name=web' }, (type, obj) => seen.push(`${type} ${obj.addressType}`), (err) => (err ? reject(err) : resolve()))
        .catch(reject);
    });
    expect(seen).toEqual(['ADDED IPv4', 'ADDED IPv6']);
  });

  it('answers an open watch that has nothing to send yet (client-node waits for the headers)', async () => {
    server.serve(state('missing-service'));
    server.watchMode = 'open';
    try {
      const { kc } = clients();
      let done = false;
      const controller = await new k8s.Watch(kc).watch('/apis/discovery.k8s.io/v1/endpointslices', {}, () => undefined, () => (done = true));
      expect(done).toBe(false);
      controller.abort();
    } finally {
      server.watchMode = 'end';
    }
  }, 10_000);
});

describe('client-node 0.22', () => {
  it('reads an Endpoints object and gets an HttpError with statusCode 404 for a missing one', async () => {
    server.serve(state('one-slice'));
    const { core0 } = clients();
    const { body } = await core0.readNamespacedEndpoints('web', 'default');
    expect(body.subsets?.[0].addresses?.length).toBe(3);
    server.serve(state('missing-service'));
    const error = await core0.readNamespacedEndpoints('web', 'default').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(k8s0.HttpError);
    expect((error as k8s0.HttpError).statusCode).toBe(404);
    expect((error as k8s0.HttpError).body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('lists slices with the label selector in its sixth slot, and an informer sees them', async () => {
    server.serve(state('endpoint-moving'));
    const { discovery0, kc0 } = clients();
    const { body } = await discovery0.listNamespacedEndpointSlice('default', undefined, undefined, undefined, undefined, 'kubernetes.io/service-name=web');
    expect(body.items.map((s) => s.endpoints.length)).toEqual([100, 21]);
    server.watchMode = 'open';
    try {
      const informer = k8s0.makeInformer(kc0, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', () => discovery0.listNamespacedEndpointSlice('default'));
      const added: string[] = [];
      informer.on('add', (slice) => added.push(slice.metadata!.name!));
      await informer.start();
      await expect.poll(() => added.length).toBe(2);
      await informer.stop();
    } finally {
      server.watchMode = 'end';
    }
  });
});
