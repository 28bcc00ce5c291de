import * as k8s from '@kubernetes/client-node';

const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);

export async function backends(name: string, namespace: string): Promise<string[]> {
  const endpoints = await core.readNamespacedEndpoints({ name, namespace });
  return endpoints.subsets?.flatMap((s) => s.addresses ?? []).map((a) => a.ip) ?? [];
}
