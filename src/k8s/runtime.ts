/**
 * The libraries manifest fixes need at run time: the YAML package (to render new objects) and the
 * EndpointSlice schema from kubernetes-models. Both are loaded by a rule's `prepare` — once, and only when some
 * file passed that rule's pre-filter. Both are required, not imported (see ../load-cjs.ts): kubernetes-models has a
 * CommonJS build too, and its ~80 modules (the schema, ajv and its formats) load ~12 ms faster through `require`
 * than through the ES module loader.
 */
import type * as Yaml from 'yaml';
import { importYaml } from '../languages/yaml-import.js';
import { bundled, requireDependency } from '../load-cjs.js';

type EndpointSliceModel = new (data: unknown) => { validate(): void };

let yaml: typeof Yaml | undefined;
let endpointSliceModel: EndpointSliceModel | undefined;

export async function loadManifestRuntime(): Promise<void> {
  yaml ??= await importYaml();
  endpointSliceModel ??= (
    bundled
      ? await import('kubernetes-models/discovery.k8s.io/v1/EndpointSlice')
      : (requireDependency('kubernetes-models/discovery.k8s.io/v1/EndpointSlice') as typeof import('kubernetes-models/discovery.k8s.io/v1/EndpointSlice'))
  ).EndpointSlice as EndpointSliceModel;
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
