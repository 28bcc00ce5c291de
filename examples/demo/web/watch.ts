import * as k8s from '@kubernetes/client-node';

const kc = new k8s.KubeConfig();
kc.loadFromDefault();

/** Re-reads the backends whenever an Endpoints object of the namespace changes. */
export async function onChange(namespace: string, resync: () => void): Promise<void> {
  await new k8s.Watch(kc).watch(`/api/v1/namespaces/${namespace}/endpoints`, {}, () => resync(), () => undefined);
}

/** A log line for an Endpoints object received from elsewhere. */
export function describe(endpoints: k8s.V1Endpoints): string {
  return `${endpoints.metadata?.namespace}/${endpoints.metadata?.name}`;
}
