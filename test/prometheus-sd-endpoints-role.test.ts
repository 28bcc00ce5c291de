/**
 * prometheus-sd-endpoints-role: fixtures (reported, fixed once, idempotent, parses, look-alikes untouched) and a
 * differential check of every fix: the original job on the v1 Endpoints of each cluster state scrapes the same
 * targets as the fixed job on that state's EndpointSlices, apart from the differences the rule page declares.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { rule } from '../rules/prometheus-sd-endpoints-role.js';
import { findDirectives, maskDirectives } from '../src/languages/helm.js';
import { clusterStates } from './differential/cluster-states.js';
import { endpointSliceRoleTargets, endpointsRoleTargets, scraped, type RelabelConfig, withScrapeAnnotation } from './differential/prometheus-targets.js';
import { fixturesDir, goldenPairs, itReportsNothingIn, lint, makeTempDir } from './helpers.js';

const invalid = goldenPairs('prometheus-sd-endpoints-role/invalid');
const validDir = path.join(fixturesDir, 'prometheus-sd-endpoints-role/valid');

const masked = (text: string) => maskDirectives(text, findDirectives(text));

interface Job {
  job_name: string;
  kubernetes_sd_configs: { role: string }[];
  relabel_configs?: RelabelConfig[];
}

/** Every scrape job of a YAML text, embedded configurations included (as findScrapeJobs finds them). */
function jobsOf(text: string): Job[] {
  const jobs: Job[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string' && value.includes('kubernetes_sd_configs')) {
      for (const doc of parseAllDocuments(value)) visit(doc.toJS());
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value && typeof value === 'object') {
      if (Array.isArray((value as Job).kubernetes_sd_configs)) jobs.push(value as Job);
      Object.values(value).forEach(visit);
    }
  };
  // Chart templates: masked as the engine masks them, so the rest parses (the fixtures keep directives outside jobs).
  for (const doc of parseAllDocuments(masked(text))) visit(doc.toJS());
  return jobs;
}

/** Labels the endpointslice role sets (endpointslice.go), plus the ones shared by every role. */
const SLICE_ROLE_LABEL = /^__meta_kubernetes_(endpointslice_(name|address_type|port|port_name|port_protocol|port_app_protocol|address_target_kind|address_target_name|endpoint_conditions_(ready|serving|terminating)|endpoint_hostname|endpoint_node_name|endpoint_zone|label_\w+|labelpresent_\w+|annotation_\w+|annotationpresent_\w+)|namespace|service_\w+|pod_\w+|node_\w+)$/;

/** The states where a fixed job may scrape otherwise, each with its reason (rules/prometheus-sd-endpoints-role.md). */
const DECLARED: Record<string, string> = {
  'dual-stack': 'slices hold both families: one more target per IPv6 address (Prometheus before 3.11 scrapes both)',
  'over-capacity': 'Endpoints stop at 1000 addresses; slices hold every endpoint',
  'orphan-endpoints': 'a hand-written Endpoints without a Service is not mirrored into slices',
  'readiness-mixed': 'an endpoint whose slice leaves ready unset has no conditions_ready label (for jobs that filter on it)',
};


describe('prometheus-sd-endpoints-role', () => {
  it('has fixtures of each kind', () => {
    expect(invalid.filter((p) => p.expected !== p.input).length).toBeGreaterThanOrEqual(6);
    expect(invalid.filter((p) => p.expected === p.input).length).toBeGreaterThanOrEqual(5);
  });

  for (const pair of invalid) {
    describe(pair.file, () => {
      it('is reported once per job', async () => {
        const { result } = await lint({ [pair.file]: pair.input }, [rule]);
        expect(result.errors).toEqual([]);
        const jobs = jobsOf(pair.input).filter((j) => j.kubernetes_sd_configs.some((sd) => sd.role === 'endpoints'));
        expect(result.findings).toHaveLength(jobs.length);
        for (const finding of result.findings) {
          expect(finding).toMatchObject({ ruleId: 'prometheus-sd-endpoints-role', severity: 'warning', fixable: pair.expected !== pair.input });
          expect(finding.message).toMatch(/endpointslices in discovery\.k8s\.io/);
          // The finding points at the role.
          expect(pair.input.split('\n')[finding.line - 1]).toMatch(/role/);
        }
      });

      it('is fixed as expected, once', async () => {
        const first = await lint({ [pair.file]: pair.input }, [rule], { fix: true });
        expect(first.files[pair.file]).toBe(pair.expected);
        const second = await lint(first.dir, [rule], { fix: true });
        expect(second.files[pair.file]).toBe(pair.expected);
        expect(second.result.summary.fixed).toBe(0);
        if (pair.expected !== pair.input) expect(second.result.findings).toEqual([]);
      });

      if (pair.expected !== pair.input) {
        it('output parses, and its jobs read only labels the endpointslice role sets', () => {
          for (const doc of parseAllDocuments(masked(pair.expected))) expect(doc.errors).toEqual([]);
          const jobs = jobsOf(pair.expected);
          expect(jobs.length).toBeGreaterThan(0);
          for (const job of jobs.filter((j) => j.kubernetes_sd_configs.some((sd) => sd.role === 'endpointslice'))) {
            for (const r of job.relabel_configs ?? []) {
              for (const label of [...(r.source_labels ?? []), r.target_label ?? '']) {
                if (label.startsWith('__meta_kubernetes_')) expect(label).toMatch(SLICE_ROLE_LABEL);
              }
            }
          }
        });

        it('scrapes the same targets on every cluster state, but where declared', () => {
          const before = jobsOf(pair.input);
          const after = jobsOf(pair.expected);
          let compared = 0;
          for (const job of before.filter((j) => j.kubernetes_sd_configs.some((sd) => sd.role === 'endpoints'))) {
            const fixed = after.find((j) => j.job_name === job.job_name)!;
            for (const state of clusterStates.map(withScrapeAnnotation)) {
              const old = scraped(endpointsRoleTargets(state), job.relabel_configs ?? []);
              const now = scraped(endpointSliceRoleTargets(state), fixed.relabel_configs ?? []);
              if (state.name in DECLARED) continue;
              expect(now, `${job.job_name} on ${state.name}`).toEqual(old);
              compared += old.length;
            }
          }
          // Some targets must survive the jobs' filters, or the comparison proves nothing.
          expect(compared).toBeGreaterThan(0);
        });
      }
    });
  }

  it('fixes the usual job shapes so that they scrape the same targets', async () => {
    const shapes: Record<string, string> = {
      'no-filter': '',
      'ready-only': '      - source_labels: [__meta_kubernetes_endpoint_ready]\n        action: keep\n        regex: "true"\n',
      'not-ready-only': '      - source_labels: [__meta_kubernetes_endpoint_ready]\n        action: keep\n        regex: "false"\n',
      'labels-from-endpoint':
        '      - source_labels: [__meta_kubernetes_endpoints_name]\n        target_label: service\n' +
        '      - source_labels: [__meta_kubernetes_endpoint_node_name]\n        target_label: node\n' +
        '      - source_labels: [__meta_kubernetes_endpoint_address_target_name]\n        target_label: pod\n' +
        '      - source_labels: [__meta_kubernetes_endpoint_port_name, __meta_kubernetes_endpoint_port_protocol]\n        target_label: port\n',
    };
    const config =
      'scrape_configs:\n' +
      Object.entries(shapes)
        .map(([name, rules]) => `  - job_name: ${name}\n    kubernetes_sd_configs:\n      - role: endpoints\n${rules ? `    relabel_configs:\n${rules}` : ''}`)
        .join('');
    const { files, result } = await lint({ 'prometheus.yml': config }, [rule], { fix: true });
    expect(result.findings).toEqual([]);
    const before = jobsOf(config);
    const after = jobsOf(files['prometheus.yml']);
    const differences: string[] = [];
    for (const job of before) {
      const fixed = after.find((j) => j.job_name === job.job_name)!;
      expect(fixed.kubernetes_sd_configs).toEqual([{ role: 'endpointslice' }]);
      for (const state of clusterStates) {
        const old = scraped(endpointsRoleTargets(state), job.relabel_configs ?? []);
        const now = scraped(endpointSliceRoleTargets(state), fixed.relabel_configs ?? []);
        if (JSON.stringify(old) !== JSON.stringify(now)) differences.push(`${job.job_name} on ${state.name}`);
      }
    }
    // Every difference is one the page declares, and the non-declared states were all equal.
    expect(differences.filter((d) => !(d.split(' on ')[1] in DECLARED))).toEqual([]);
    // The terminating pods of a rollout are not scraped after the fix, as they were not before.
    expect(differences.some((d) => d.endsWith('rollout-terminating'))).toBe(false);
  });

  it('declares on its page every state it lets differ', () => {
    const page = fs.readFileSync(path.join(fixturesDir, '..', 'rules', 'prometheus-sd-endpoints-role.md'), 'utf8');
    for (const state of Object.keys(DECLARED)) expect(page, state).toContain(`\`${state}\``);
  });

  it('would catch a fix that forgets the terminating endpoints', () => {
    const state = clusterStates.find((s) => s.name === 'rollout-terminating')!;
    const old = scraped(endpointsRoleTargets(state), []);
    expect(scraped(endpointSliceRoleTargets(state), [])).not.toEqual(old);
    const drop: RelabelConfig = { source_labels: ['__meta_kubernetes_endpointslice_endpoint_conditions_terminating'], regex: 'true', action: 'drop' };
    expect(scraped(endpointSliceRoleTargets(state), [drop])).toEqual(old);
  });

  it('keeps CRLF line endings', async () => {
    const pair = invalid.find((p) => p.name === 'values-string')!;
    const { files } = await lint({ 'values.yaml': pair.input.replace(/\n/g, '\r\n') }, [rule], { fix: true });
    expect(files['values.yaml']).toBe(pair.expected.replace(/\n/g, '\r\n'));
  });

  itReportsNothingIn(validDir, rule);
});

/**
 * Prometheus's own config package (fixtures/prometheus/validate, built against the real
 * github.com/prometheus/prometheus) loads every configuration the fix writes. Skipped, with the reason printed,
 * where Go is not installed.
 */
describe('fixed configurations load in Prometheus', () => {
  const validateDir = path.join(fixturesDir, 'prometheus', 'validate');
  const binary = path.join(os.tmpdir(), `slicefix-promvalidate-${process.getuid?.() ?? 0}`);
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  const hasGo = go.status === 0;
  if (!hasGo) console.warn('skipping the Prometheus config check: `go` is not installed');

  beforeAll(() => {
    if (!hasGo) return;
    // Builds from the module cache that .ci/run warms; the first build on an empty cache downloads Prometheus.
    const build = spawnSync('go', ['build', '-o', binary, '.'], {
      cwd: validateDir,
      encoding: 'utf8',
      env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(build.status, build.stderr).toBe(0);
  }, 900_000);

  /** Writes each job set as a Prometheus configuration and loads them all; returns the loader's verdict. */
  function load(configs: Record<string, Job[]>): { status: number | null; output: string } {
    const dir = makeTempDir();
    const files = Object.entries(configs).map(([name, jobs]) => {
      const file = path.join(dir, `${name}.yml`);
      fs.writeFileSync(file, stringify({ scrape_configs: jobs }));
      return file;
    });
    const run = spawnSync(binary, files, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: run.status, output: run.stdout + run.stderr };
  }

  it.skipIf(!hasGo)('accepts every fixed configuration, and the originals', () => {
    const fixed = invalid.filter((p) => p.expected !== p.input);
    const configs: Record<string, Job[]> = {};
    for (const pair of fixed) {
      configs[`${pair.name}-fixed`] = jobsOf(pair.expected);
      configs[`${pair.name}-original`] = jobsOf(pair.input);
    }
    expect(Object.keys(configs)).toHaveLength(fixed.length * 2);
    const { status, output } = load(configs);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it.skipIf(!hasGo)('rejects a configuration Prometheus would reject (the check can fail)', () => {
    const job = { job_name: 'typo', kubernetes_sd_configs: [{ role: 'endpointslices' }] };
    const { status, output } = load({ typo: [job as Job] });
    expect(status).toBe(1);
    expect(output).toMatch(/unknown Kubernetes SD role "endpointslices"/);
  });
});

