/** Every rule slicefix has, in the order `--list-rules` and reports show them. */
import type { Rule } from '../src/types.js';
import { rule as alloyKubernetesEndpointsRole } from './alloy-kubernetes-endpoints-role.js';
import { rule as endpointsGoClient } from './endpoints-go-client.js';
import { rule as endpointsGoControllerRuntime } from './endpoints-go-controller-runtime.js';
import { rule as endpointsGoInformer } from './endpoints-go-informer.js';
import { rule as endpointsGoType } from './endpoints-go-type.js';
import { endpointsKubectl } from './endpoints-kubectl.js';
import { endpointsManifest } from './endpoints-manifest.js';
import { rule as endpointsRbac } from './endpoints-rbac.js';
import { rule as endpointsTsClient } from './endpoints-ts-client.js';
import { rule as endpointsTsType } from './endpoints-ts-type.js';
import { rule as endpointsTsWatch } from './endpoints-ts-watch.js';
import { endpointsliceV1beta1 } from './endpointslice-v1beta1.js';
import { rule as kubeStateMetricsEndpoints } from './kube-state-metrics-endpoints.js';
import { rule as prometheusOperatorDiscoveryRole } from './prometheus-operator-discovery-role.js';
import { rule as prometheusSdEndpointsRole } from './prometheus-sd-endpoints-role.js';

export const rules: Rule[] = [
  endpointsManifest,
  endpointsRbac,
  endpointsliceV1beta1,
  endpointsGoClient,
  endpointsGoInformer,
  endpointsGoControllerRuntime,
  endpointsGoType,
  endpointsTsClient,
  endpointsTsWatch,
  endpointsTsType,
  endpointsKubectl,
  prometheusSdEndpointsRole,
  prometheusOperatorDiscoveryRole,
  kubeStateMetricsEndpoints,
  alloyKubernetesEndpointsRole,
];
