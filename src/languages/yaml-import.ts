/**
 * The `yaml` package, loaded on demand (the YAML parser is never loaded at start-up). It is CommonJS under Node:
 * required rather than imported, see ../load-cjs.ts.
 */
import type * as Yaml from 'yaml';
import { bundled, commonJsExports, requireDependency } from '../load-cjs.js';

export async function importYaml(): Promise<typeof Yaml> {
  return bundled ? commonJsExports<typeof Yaml>(await import('yaml')) : (requireDependency('yaml') as typeof Yaml);
}
