/** The `yaml` package, imported on demand (the YAML parser is never loaded at start-up). */
import type * as Yaml from 'yaml';

export async function importYaml(): Promise<typeof Yaml> {
  const loaded = (await import('yaml')) as typeof Yaml & { default?: typeof Yaml };
  // `yaml` is CommonJS: Node's dynamic import gives its named exports and `default`, a bundle's only `default`.
  return loaded.default ?? loaded;
}
