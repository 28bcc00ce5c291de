/**
 * Jinja (Ansible) templates whose Endpoints addresses come from a `{% for %}` over a list variable, fixed into one
 * slice per address family and proven by rendering with Jinja2: each template of
 * fixtures/endpoints-manifest/jinja-range is rendered before and after --fix with each variables file of its vars/
 * folder, with trim_blocks on (Ansible's template module) and off (Jinja2's default), and the rendered slices must
 * carry exactly the endpoints the mirroring controller makes of the rendered Endpoints, pass the v1 schema and the
 * API's address rules, and the other objects must render the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { endpointsManifest } from '../rules/endpoints-manifest.js';
import { sliceProblems } from '../src/k8s/validate-slice.js';
import { loadManifestRuntime } from '../src/k8s/runtime.js';
import { fixturesDir, lint, makeTempDir } from './helpers.js';
import { byService, decoded, isEndpoints, isSlice, objectsOf } from './endpoints-manifest.support.js';
import { jinjaUnavailable, renderJinja } from './jinja.support.js';

const unavailable = jinjaUnavailable();
if (unavailable) console.warn(`test/endpoints-manifest-jinja-range.test.ts skipped: ${unavailable}`);

const fixture = path.join(fixturesDir, 'endpoints-manifest', 'jinja-range');
const templates = fs.readdirSync(fixture).filter((f) => f.endsWith('.j2')).sort();
const varsDir = path.join(fixture, 'vars');
const varsFiles = fs.readdirSync(varsDir).sort();

describe.skipIf(unavailable !== undefined)('endpoints-manifest --fix of ranged addresses in Jinja templates, rendered by Jinja2', () => {
  let fixed: string;

  beforeAll(async () => {
    await loadManifestRuntime();
    fixed = path.join(makeTempDir('slicefix-jinja-range-'), 'templates');
    fs.cpSync(fixture, fixed, { recursive: true });
    const report = await lint(fixed, [endpointsManifest]);
    expect(report.result.findings.filter((f) => !f.fixable)).toEqual([]);
    const { result } = await lint(fixed, [endpointsManifest], { fix: true });
    expect(result.errors).toEqual([]);
    expect(result.summary.fixed).toBe(templates.length);
  });

  for (const template of templates) {
    for (const vars of varsFiles) {
      for (const trimBlocks of [true, false]) {
        it(`${template} renders the same endpoints with vars/${vars} (trim_blocks ${trimBlocks})`, () => {
          const before = objectsOf(renderJinja(path.join(fixture, template), path.join(varsDir, vars), trimBlocks));
          const after = objectsOf(renderJinja(path.join(fixed, template), path.join(varsDir, vars), trimBlocks));
          expect(after.filter(isEndpoints)).toEqual([]);
          // Only the empty and disabled cases render no endpoints at all.
          expect(byService(before).size > 0, 'endpoints rendered before').toBe(!/^(empty|disabled)\./.test(vars));
          expect(byService(after)).toEqual(byService(before));
          for (const slice of after.filter(isSlice)) {
            expect(sliceProblems(decoded(slice)), slice.metadata.name).toEqual([]);
            expect(slice.endpoints.length, slice.metadata.name).toBeGreaterThan(0);
          }
          expect(after.filter((o) => !isSlice(o))).toEqual(before.filter((o) => !isEndpoints(o)));
        });
      }
    }
  }

  it('renders one slice per family present, none for empty lists or a disabled template', () => {
    const names = (template: string, vars: string) =>
      objectsOf(renderJinja(path.join(fixed, template), path.join(varsDir, vars), true))
        .filter(isSlice)
        .map((s) => `${s.metadata.name} ${s.addressType}`);
    expect(names('etcd-metrics.yml.j2', 'mixed.json')).toEqual(['etcd-metrics IPv4', 'etcd-metrics-ipv6 IPv6']);
    expect(names('nodes.yaml.j2', 'one-address.json')).toEqual(['prod-nodes-ipv6 IPv6']);
    expect(names('etcd-metrics.yml.j2', 'empty.json')).toEqual([]);
    expect(names('etcd-metrics.yml.j2', 'disabled.json')).toEqual([]);
  });

  it('a second --fix changes nothing', async () => {
    const again = await lint(fixed, [endpointsManifest], { fix: true });
    expect(again.result.findings).toEqual([]);
    expect(again.result.summary.fixed).toBe(0);
  });
});
