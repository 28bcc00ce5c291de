/**
 * alloy-kubernetes-endpoints-role: the Alloy scan (blocks, attributes, comments, strings), a table of fixtures with
 * the messages each must draw, the fixes (once, idempotent, output scans without errors), look-alikes, the facts
 * (targets read in another file, ServiceMonitors elsewhere), and a differential check: the discovery.relabel chain
 * of a fixed pipeline keeps, on the EndpointSlices of each cluster state, the targets the original kept on its v1
 * Endpoints, but in the states the rule page declares.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { rule } from '../rules/alloy-kubernetes-endpoints-role.js';
import { parseAlloy, stringValue, type AlloyBlock } from '../src/languages/alloy.js';
import { clusterStates } from './differential/cluster-states.js';
import { endpointSliceRoleTargets, endpointsRoleTargets, scraped, type RelabelConfig, withScrapeAnnotation } from './differential/prometheus-targets.js';
import { fixturesDir, goldenPairs, itReportsNothingIn, lint, repoRoot } from './helpers.js';

const DIR = 'alloy-kubernetes-endpoints-role';
const invalid = goldenPairs(`${DIR}/invalid`);
const validDir = path.join(fixturesDir, DIR, 'valid');

const EXPECTED: Record<string, { id: string; line: number; fixable: boolean; unsafe?: boolean }> = {
  'chart-values-templated.yaml': { id: 'notFixable', line: 5, fixable: false },
  'configmap.yaml': { id: 'discovery', line: 9, fixable: true },
  'declare.alloy': { id: 'discovery', line: 6, fixable: true },
  'direct-scrape.alloy': { id: 'terminatingScraped', line: 3, fixable: false, unsafe: true },
  'field-selector.alloy': { id: 'notFixable', line: 2, fixable: false },
  'selectors.alloy': { id: 'discovery', line: 3, fixable: true },
  'no-counterpart.alloy': { id: 'notFixable', line: 2, fixable: false },
  'ready-only.alloy': { id: 'discovery', line: 1, fixable: true },
  'relabel-chain.alloy': { id: 'discovery', line: 3, fixable: true },
  'servicemonitors-explicit.alloy': { id: 'serviceMonitors', line: 3, fixable: true },
  'servicemonitors.alloy': { id: 'serviceMonitors', line: 1, fixable: true },
  'unfollowable.alloy': { id: 'notFixable', line: 2, fixable: false },
};

const SIGNATURE: Record<string, RegExp> = {
  discovery: /^discovery\.kubernetes "\w+" discovers with role = "endpoints", which reads the deprecated v1 Endpoints API: use "endpointslice".*list\/watch on endpointslices/,
  terminatingScraped: /: use "endpointslice"\. Its targets go straight to prometheus\.scrape "all", with no discovery\.relabel .*--unsafe-fixes/,
  notFixable: /^discovery\.kubernetes "\w+" .*; not fixed because /,
  serviceMonitors: /^prometheus\.operator\.servicemonitors "services" discovers ServiceMonitor targets .*: set kubernetes_role = "endpointslice"/,
};

/** The states where a fixed pipeline may keep other targets (declared on the rule page). */
const DECLARED: Record<string, string> = {
  'dual-stack': 'slices hold both families',
  'over-capacity': 'Endpoints stop at 1000 addresses',
  'orphan-endpoints': 'a hand-written Endpoints without a Service is not mirrored',
  'readiness-mixed': 'a slice that leaves ready unset has no conditions_ready label',
};

const attr = (b: AlloyBlock, name: string) => b.attributes.find((a) => a.name === name)?.value;

/** A discovery.relabel's rule blocks as Prometheus relabel configs (Alloy's rule has the same fields and meaning). */
function relabelConfigs(component: AlloyBlock): RelabelConfig[] {
  return component.blocks
    .filter((b) => b.name === 'rule')
    .map((r) => {
      const str = (name: string) => (attr(r, name) === undefined ? undefined : stringValue(attr(r, name)!));
      const sources = attr(r, 'source_labels');
      return {
        source_labels: sources === undefined ? undefined : [...sources.matchAll(/"([^"]*)"/g)].map((m) => m[1]),
        target_label: str('target_label'),
        regex: str('regex'),
        action: str('action'),
        replacement: str('replacement'),
        separator: str('separator'),
      };
    });
}

/** The relabel chain every discovery.kubernetes of a file flows through, in order (one consumer each, as the fixtures have). */
/** The Alloy text of a fixture: the file, or the literal block a YAML fixture keeps it in. */
function alloyText(text: string): string {
  const block = /^( +)\S+: \|\n((?:\1 .*\n|\n)+)/m.exec(text);
  if (!block) return text;
  const indent = block[1].length + 2;
  return block[2].split('\n').map((l) => l.slice(indent)).join('\n');
}

function pipelines(text: string): { name: string; role: string; configs: RelabelConfig[] }[] {
  const { ast } = parseAlloy(alloyText(text));
  // Each scope on its own: the top level, and every declare's body.
  const scopes: AlloyBlock[][] = [ast.blocks, ...ast.blocks.filter((b) => b.name === 'declare').map((d) => d.blocks)];
  return scopes.flatMap((blocks) => blocks
    .filter((b) => b.name === 'discovery.kubernetes')
    .map((discovery) => {
      const configs: RelabelConfig[] = [];
      let output = `discovery.kubernetes.${discovery.label}.targets`;
      for (;;) {
        const next = blocks.find((b) => b.name === 'discovery.relabel' && attr(b, 'targets') === output);
        if (!next) break;
        configs.push(...relabelConfigs(next));
        output = `discovery.relabel.${next.label}.output`;
      }
      return { name: discovery.label!, role: stringValue(attr(discovery, 'role')!)!, configs };
    }));
}

describe('the Alloy scan', () => {
  it('finds blocks, labels, attributes and nested blocks, and skips comments and strings', () => {
    const text = [
      '// discovery.kubernetes "commented" { role = "endpoints" }',
      '/* block',
      '   comment { */',
      'discovery.kubernetes "pods" {',
      '  role = "endpoints" // trailing',
      '  selectors { role = "pod"',
      '    label = "a}b" }',
      '  raw = `x"y`',
      '  list = [',
      '    "a",',
      '  ]',
      '}',
      '',
    ].join('\n');
    const { ast, errors } = parseAlloy(text);
    expect(errors).toEqual([]);
    expect(ast.blocks.map((b) => [b.name, b.label])).toEqual([['discovery.kubernetes', 'pods']]);
    const block = ast.blocks[0];
    expect(block.attributes.map((a) => [a.name, a.value])).toEqual([
      ['role', '"endpoints"'],
      ['raw', '`x"y`'],
      ['list', '[\n    "a",\n  ]'],
    ]);
    expect(block.blocks[0].attributes.map((a) => [a.name, a.value])).toEqual([
      ['role', '"pod"'],
      ['label', '"a}b"'],
    ]);
    expect(text.slice(block.start, block.end)).toMatch(/^discovery\.kubernetes "pods" \{[\s\S]*\}$/);
  });

  it('reports unbalanced braces and unterminated strings as errors', () => {
    expect(parseAlloy('a "b" {\n  c = 1\n').errors.map((e) => e.message)).toEqual(['missing closing brace']);
    expect(parseAlloy('a "b {\n}\n').errors.length).toBeGreaterThan(0);
  });
});

describe('alloy-kubernetes-endpoints-role', () => {
  it('has a table entry for every invalid fixture', () => {
    expect(invalid.map((p) => p.file).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const pair of invalid) {
    describe(pair.file, () => {
      it('draws the expected message', async () => {
        const { result } = await lint({ [pair.file]: pair.input }, [rule]);
        expect(result.errors).toEqual([]);
        const expected = EXPECTED[pair.file];
        expect(result.findings).toHaveLength(1);
        expect(result.findings[0]).toMatchObject({ ruleId: DIR, severity: 'warning', line: expected.line, fixable: expected.fixable });
        expect(result.findings[0].unsafeFixable ?? false).toBe(expected.unsafe ?? false);
        expect(result.findings[0].message).toMatch(SIGNATURE[expected.id]);
      });

      it('is fixed as expected, once, and the output scans cleanly', async () => {
        const first = await lint({ [pair.file]: pair.input }, [rule], { fix: true });
        expect(first.files[pair.file]).toBe(pair.expected);
        const second = await lint(first.dir, [rule], { fix: true });
        expect(second.files[pair.file]).toBe(pair.expected);
        expect(second.result.summary.fixed).toBe(0);
        expect(parseAlloy(alloyText(pair.expected)).errors).toEqual([]);
        if (pair.file.endsWith('.yaml')) for (const doc of parseAllDocuments(pair.expected)) expect(doc.errors).toEqual([]);
        if (pair.expected !== pair.input) {
          expect(second.result.findings).toEqual([]);
          expect(pair.expected).not.toMatch(/__meta_kubernetes_endpoints?_/);
        }
      });

      if (pair.expected !== pair.input && pipelines(pair.input).length > 0) {
        it('keeps the targets its relabel chain kept, on every cluster state but the declared ones', () => {
          const before = pipelines(pair.input);
          const after = pipelines(pair.expected);
          let compared = 0;
          for (const pipeline of before.filter((p) => p.role === 'endpoints')) {
            const fixed = after.find((p) => p.name === pipeline.name && p.role === 'endpointslice')!;
            expect(fixed.role).toBe('endpointslice');
            for (const state of clusterStates.map(withScrapeAnnotation)) {
              if (state.name in DECLARED) continue;
              const old = scraped(endpointsRoleTargets(state), pipeline.configs);
              expect(scraped(endpointSliceRoleTargets(state), fixed.configs), `${pipeline.name} on ${state.name}`).toEqual(old);
              compared += old.length;
            }
          }
          expect(compared).toBeGreaterThan(0);
        });
      }
    });
  }

  it('the unsafe fix of a pipeline without relabel scrapes the terminating pods of a rollout, as its message says', async () => {
    const pair = invalid.find((p) => p.file === 'direct-scrape.alloy')!;
    const { files } = await lint({ 'a.alloy': pair.input }, [rule], { fix: true, extra: { unsafeFixes: true } });
    expect(files['a.alloy']).toContain('role = "endpointslice"');
    const state = clusterStates.find((s) => s.name === 'rollout-terminating')!;
    expect(scraped(endpointSliceRoleTargets(state), [])).not.toEqual(scraped(endpointsRoleTargets(state), []));
  });

  it('targets read in another file of the configuration are not followed: no fix, and the message names the file', async () => {
    const pair = invalid.find((p) => p.file === 'relabel-chain.alloy')!;
    const other = 'prometheus.scrape "extra" {\n  targets    = discovery.kubernetes.services.targets\n  forward_to = []\n}\n';
    const { files, result } = await lint({ 'config/main.alloy': pair.input, 'config/extra.alloy': other }, [rule], { fix: true });
    expect(files['config/main.alloy']).toBe(pair.input);
    expect(result.findings[0].message).toContain('its targets are also read in config/extra.alloy');
  });

  it('ServiceMonitors with Endpoints meta labels elsewhere make the servicemonitors fix unsafe, naming them', async () => {
    const pair = invalid.find((p) => p.file === 'servicemonitors-explicit.alloy')!;
    const monitor = fs.readFileSync(path.join(fixturesDir, 'prometheus-operator-discovery-role/invalid/monitor-only.yaml'), 'utf8');
    const { files, result } = await lint({ 'alloy/config.alloy': pair.input, 'apps/monitor.yaml': monitor }, [rule], { fix: true });
    expect(files['alloy/config.alloy']).toBe(pair.input);
    expect(result.findings[0]).toMatchObject({ fixable: false, unsafeFixable: true });
    expect(result.findings[0].message).toContain('api (apps/monitor.yaml)');
  });

  it('a file that does not scan is an error naming it, and --fix leaves it as it is', async () => {
    const broken = 'discovery.kubernetes "x" {\n  role = "endpoints"\n';
    const { files, result } = await lint({ 'broken.alloy': broken }, [rule], { fix: true });
    expect(result.errors).toEqual([{ file: 'broken.alloy', message: expect.stringMatching(/could not be parsed: missing closing brace/) }]);
    expect(files['broken.alloy']).toBe(broken);
  });

  it('keeps CRLF line endings in a configuration kept in YAML', async () => {
    const pair = invalid.find((p) => p.file === 'configmap.yaml')!;
    const { files } = await lint({ 'cm.yaml': pair.input.replace(/\n/g, '\r\n') }, [rule], { fix: true });
    expect(files['cm.yaml']).toBe(pair.expected.replace(/\n/g, '\r\n'));
  });

  it('keeps CRLF line endings', async () => {
    const pair = invalid.find((p) => p.file === 'relabel-chain.alloy')!;
    const { files } = await lint({ 'a.alloy': pair.input.replace(/\n/g, '\r\n') }, [rule], { fix: true });
    expect(files['a.alloy']).toBe(pair.expected.replace(/\n/g, '\r\n'));
  });

  it('declares on its page every state it lets differ', () => {
    const page = fs.readFileSync(path.join(repoRoot, 'rules', `${DIR}.md`), 'utf8');
    for (const state of [...Object.keys(DECLARED), 'rollout-terminating']) expect(page, state).toContain(`\`${state}\``);
  });

  itReportsNothingIn(validDir, rule);
});
