/** Every rule slicefix has, in the order `--list-rules` and reports show them. */
import type { Rule } from '../src/types.js';
import { endpointsManifest } from './endpoints-manifest.js';
import { rule as endpointsRbac } from './endpoints-rbac.js';
import { endpointsliceV1beta1 } from './endpointslice-v1beta1.js';
import { rule as endpointsTsClient } from './endpoints-ts-client.js';
import { rule as endpointsTsWatch } from './endpoints-ts-watch.js';
import { rule as endpointsTsType } from './endpoints-ts-type.js';

export const rules: Rule[] = [
  endpointsRbac,
  endpointsManifest,
  endpointsliceV1beta1,
  endpointsTsClient,
  endpointsTsWatch,
  endpointsTsType,
];
