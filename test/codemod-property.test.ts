/**
 * Property tests for the Go and TypeScript rewrites: for generated code around the call sites (names, argument
 * shapes, line splits, consumers of the result), the fix output parses without errors, the rewrite happened where
 * the idiom is supported, and a second --fix changes nothing.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { loadLanguage } from '../src/languages/index.js';
import type { LanguageSupport } from '../src/types.js';
import { lint } from './helpers.js';

const goRules = rules.filter((r) => r.meta.languages.includes('go'));
const tsRules = rules.filter((r) => r.meta.languages.includes('typescript'));
let go: LanguageSupport;
let typescript: LanguageSupport;

beforeAll(async () => {
  go = await loadLanguage('go');
  typescript = await loadLanguage('typescript');
});

/** Distinct identifiers that are no keyword and clash with nothing the templates declare. */
function identifiers(count: number): fc.Arbitrary<string[]> {
  const word = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,7}$/).map((w) => `${w}X`);
  return fc.uniqueArray(word, { minLength: count, maxLength: count });
}

interface GoCase {
  names: string[];
  split: boolean;
  namespaceLiteral: boolean;
  nameLiteral: boolean;
  notFound: 'none' | 'top' | 'nested';
  collect: 'slice' | 'map' | 'none';
  notReady: boolean;
}

const goCase: fc.Arbitrary<GoCase> = fc.record({
  names: identifiers(6),
  split: fc.boolean(),
  namespaceLiteral: fc.boolean(),
  nameLiteral: fc.boolean(),
  notFound: fc.constantFrom('none', 'top', 'nested'),
  collect: fc.constantFrom('slice', 'map', 'none'),
  notReady: fc.boolean(),
});

function goSource(c: GoCase): string {
  const [cs, ns, name, result, subset, address] = c.names;
  const nsArg = c.namespaceLiteral ? '"default"' : ns;
  const nameArg = c.nameLiteral ? '"web"' : name;
  const chain = c.split
    ? `${cs}.\n\t\tCoreV1().\n\t\tEndpoints(${nsArg}).\n\t\tGet(ctx, ${nameArg}, metav1.GetOptions{})`
    : `${cs}.CoreV1().Endpoints(${nsArg}).Get(ctx, ${nameArg}, metav1.GetOptions{})`;
  const usesErrors = c.notFound !== 'none';
  const lines = [
    'package gen',
    '',
    'import (',
    '\t"context"',
    '',
    ...(usesErrors ? ['\tapierrors "k8s.io/apimachinery/pkg/api/errors"'] : []),
    '\tmetav1 "k8s.io/apimachinery/pkg/apis/meta/v1"',
    '\t"k8s.io/client-go/kubernetes"',
    ')',
    '',
    `func Read(ctx context.Context, ${cs} kubernetes.Interface, ${ns}, ${name} string) (map[string]bool, []string, error) {`,
    // Without a consumer the result is discarded (`_`), as code that only checks existence does.
    `\t${c.collect === 'none' && !c.notReady ? '_' : result}, err := ${chain}`,
  ];
  if (c.notFound === 'top') lines.push('\tif apierrors.IsNotFound(err) {', '\t\treturn nil, nil, nil', '\t}');
  lines.push('\tif err != nil {');
  if (c.notFound === 'nested') lines.push('\t\tif apierrors.IsNotFound(err) {', '\t\t\treturn nil, nil, nil', '\t\t}');
  lines.push('\t\treturn nil, nil, err', '\t}');
  lines.push('\tready := map[string]bool{}', '\tvar all []string');
  if (c.collect !== 'none' || c.notReady) {
    lines.push(`\tfor _, ${subset} := range ${result}.Subsets {`);
    if (c.collect !== 'none') {
      lines.push(`\t\tfor _, ${address} := range ${subset}.Addresses {`);
      lines.push(c.collect === 'slice' ? `\t\t\tall = append(all, ${address}.IP)` : `\t\t\tready[${address}.IP] = true`);
      lines.push('\t\t}');
    }
    if (c.notReady) lines.push(`\t\tfor _, ${address} := range ${subset}.NotReadyAddresses {`, `\t\t\tall = append(all, ${address}.IP)`, '\t\t}');
    lines.push('\t}');
  }
  lines.push('\treturn ready, all, nil', '}', '');
  return lines.join('\n');
}

interface TsCase {
  names: string[];
  generation: 0 | 1;
  namedImport: boolean;
  consumer: 'flatMap' | 'loops' | 'ips';
}

const tsCase: fc.Arbitrary<TsCase> = fc.record({
  names: identifiers(5),
  generation: fc.constantFrom(0 as const, 1 as const),
  namedImport: fc.boolean(),
  consumer: fc.constantFrom('flatMap', 'loops', 'ips'),
});

function tsSource(c: TsCase): string {
  const [api, ns, name, result, address] = c.names;
  const client = c.namedImport ? 'CoreV1Api' : 'k8s.CoreV1Api';
  const imports = c.namedImport ? "import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';" : "import * as k8s from '@kubernetes/client-node';";
  const call =
    c.generation === 1
      ? `await ${api}.readNamespacedEndpoints({ name: ${name}, namespace: ${ns} })`
      : `(await ${api}.readNamespacedEndpoints(${name}, ${ns})).body`;
  const consumer = {
    flatMap: `  return ${result}.subsets?.flatMap((s) => s.addresses ?? []) ?? [];`,
    ips: `  return ${result}.subsets?.flatMap((s) => s.addresses ?? []).map((a) => a.ip) ?? [];`,
    loops: [
      '  const out: string[] = [];',
      `  for (const subset of ${result}.subsets ?? []) {`,
      `    for (const ${address} of subset.addresses ?? []) out.push(${address}.ip);`,
      '  }',
      '  return out;',
    ].join('\n'),
  }[c.consumer];
  return [
    imports,
    '',
    `const kc = new ${c.namedImport ? 'KubeConfig' : 'k8s.KubeConfig'}();`,
    'kc.loadFromDefault();',
    `const ${api} = kc.makeApiClient(${client});`,
    '',
    `export async function read(${ns}: string, ${name}: string) {`,
    `  const ${result} = ${call};`,
    consumer,
    '}',
    '',
  ].join('\n');
}

function tsPackageJson(generation: 0 | 1): string {
  return JSON.stringify({ name: 'gen', type: 'module', dependencies: { '@kubernetes/client-node': generation === 1 ? '^1.4.0' : '~0.22.0' } });
}

describe('Go rewrites on generated call sites', () => {
  it('parse, rewrite the supported idioms, and are idempotent', async () => {
    await fc.assert(
      fc.asyncProperty(goCase, async (c) => {
        const source = goSource(c);
        expect(go.parse(source, 'gen.go').errors, source).toEqual([]);
        const first = await lint({ 'gen.go': source }, goRules, { fix: true });
        const fixed = first.files['gen.go'];
        expect(first.result.errors, source).toEqual([]);
        expect(go.parse(fixed, 'gen.go').errors, fixed).toEqual([]);
        expect(fixed, source).toContain('DiscoveryV1().');
        expect(fixed).not.toContain('.Subsets');
        // A NotFound check survives untouched, also when the result was discarded (an existence check): a List
        // never fails with NotFound, so "no slice" becomes the Get's NotFound right after the read.
        if (c.notFound !== 'none') {
          expect(fixed, fixed).toMatch(/if err == nil && len\(\w+\.Items\) == 0 \{\n\t+err = \w+\.NewNotFound\(/);
          expect(fixed).toContain('IsNotFound(err)');
        }
        expect(first.result.findings.filter((f) => f.ruleId === 'endpoints-go-client')).toEqual([]);
        const second = await lint(first.dir, goRules, { fix: true });
        expect(second.result.summary.fixed).toBe(0);
        expect(second.files['gen.go']).toBe(fixed);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe('TypeScript rewrites on generated call sites', () => {
  it('parse, rewrite the supported idioms, and are idempotent', async () => {
    await fc.assert(
      fc.asyncProperty(tsCase, async (c) => {
        const source = tsSource(c);
        expect(typescript.parse(source, 'gen.ts').errors, source).toEqual([]);
        const first = await lint({ 'src/gen.ts': source, 'package.json': tsPackageJson(c.generation) }, tsRules, { fix: true });
        const fixed = first.files['src/gen.ts'];
        expect(first.result.errors, source).toEqual([]);
        expect(typescript.parse(fixed, 'gen.ts').errors, fixed).toEqual([]);
        expect(fixed, source).toContain('listNamespacedEndpointSlice');
        expect(fixed).not.toMatch(/\.((read|list)NamespacedEndpoints|listEndpointsForAllNamespaces)\(/);
        expect(first.result.findings.filter((f) => f.ruleId === 'endpoints-ts-client'), fixed).toEqual([]);
        const second = await lint(first.dir, tsRules, { fix: true });
        expect(second.result.summary.fixed).toBe(0);
        expect(second.files['src/gen.ts']).toBe(fixed);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
