/** Every rule slicefix has, in the order `--list-rules` and reports show them. */
import type { Rule } from '../src/types.js';
import { rule as endpointsGoClient } from './endpoints-go-client.js';
import { rule as endpointsGoControllerRuntime } from './endpoints-go-controller-runtime.js';
import { rule as endpointsGoInformer } from './endpoints-go-informer.js';
import { rule as endpointsGoType } from './endpoints-go-type.js';
import { rule as endpointsRbac } from './endpoints-rbac.js';

export const rules: Rule[] = [
  endpointsRbac,
  endpointsGoClient,
  endpointsGoInformer,
  endpointsGoControllerRuntime,
  endpointsGoType,
];
