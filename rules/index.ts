/** Every rule slicefix has, in the order `--list-rules` and reports show them. */
import type { Rule } from '../src/types.js';
import { endpointsKubectl } from './endpoints-kubectl.js';
import { rule as endpointsRbac } from './endpoints-rbac.js';

export const rules: Rule[] = [
  endpointsRbac,
  endpointsKubectl,
];
