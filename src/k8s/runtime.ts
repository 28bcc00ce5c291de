/**
 * The libraries manifest fixes need at run time: the YAML package (to render new objects) and the
 * EndpointSlice schema from kubernetes-models. Both are loaded by a rule's `prepare` — once, and only when some
 * file passed that rule's pre-filter — on demand: YAML by `importYaml` (see ../load-cjs.ts), the schema by a dynamic
 * import, which stays lazy under tsc and gets inlined by the Action's bundler.
 */
import type * as Yaml from 'yaml';
import { importYaml } from '../languages/yaml-import.js';

type EndpointSliceModel = new (data: unknown) => { validate(): void };

let yaml: typeof Yaml | undefined;
let endpointSliceModel: EndpointSliceModel | undefined;

export async function loadManifestRuntime(): Promise<void> {
  yaml ??= await importYaml();
  endpointSliceModel ??= (await import('kubernetes-models/discovery.k8s.io/v1/EndpointSlice')).EndpointSlice as EndpointSliceModel;
}

function notLoaded(): never {
  throw new Error('manifest runtime not loaded: the rule must await loadManifestRuntime() in its prepare()');
}

export function yamlRuntime(): typeof Yaml {
  return yaml ?? notLoaded();
}

export function endpointSliceSchema(): EndpointSliceModel {
  return endpointSliceModel ?? notLoaded();
}
