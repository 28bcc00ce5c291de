/**
 * A rule's `mayReport` skips parsing files it says the rule cannot report on, so it must never say so of a file the
 * rule does report on. Held against every file of the fixtures and the demo, with the facts of all of them; and a
 * rule's `collectNeeds` texts against every file its collector adds facts from.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rules } from '../rules/index.js';
import { defaultConfig } from '../src/config.js';
import { FactStore } from '../src/shard.js';
import { detectLanguage, hasLanguage, loadLanguage } from '../src/languages/index.js';
import type { LanguageId, SourceText } from '../src/types.js';
import { toReportPath, walk } from '../src/walk.js';
import { lint, reportsOf } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..');

/** Every file of the fixtures and the demo that slicefix reads, walked as a scan walks them. */
async function sources(): Promise<SourceText[]> {
  const { files } = await walk(['fixtures', 'examples'], root, defaultConfig());
  const found: SourceText[] = [];
  for (const absPath of files) {
    const text = fs.readFileSync(absPath, 'utf8');
    const language = detectLanguage(absPath, text.split('\n')[0]);
    if (language && hasLanguage(language)) found.push({ path: toReportPath(absPath, root), absPath, language, text });
  }
  return found;
}

const concerns = (file: SourceText, languages: LanguageId[], triggers: string[]) =>
  languages.includes(file.language) && triggers.some((t) => file.text.includes(t));

async function parse(file: SourceText): Promise<unknown | undefined> {
  try {
    return (await loadLanguage(file.language)).parse(file.text, file.path).ast;
  } catch {
    return undefined;
  }
}

describe('mayReport and collectNeeds hold on every fixture and demo file', async () => {
  const files = await sources();
  // The facts of every file, so that rules reading facts report all they can.
  const facts = new FactStore();
  const collectedFrom = new Map<string, SourceText[]>();
  for (const rule of rules) {
    if (!rule.collect || !rule.meta.collect) continue;
    for (const file of files) {
      if (!concerns(file, rule.meta.collect.languages, rule.meta.collect.triggers)) continue;
      const ast = await parse(file);
      if (ast === undefined) continue;
      let added = false;
      rule.collect({ file, ast, facts: { add: (key, value) => ((added = true), facts.add(key, value)), get: (key) => facts.get(key) } });
      if (added) collectedFrom.set(rule.meta.id, [...(collectedFrom.get(rule.meta.id) ?? []), file]);
    }
  }

  for (const rule of rules.filter((r) => r.meta.mayReport)) {
    it(`${rule.meta.id}: passes every file it reports on, and spares some it does not`, async () => {
      await rule.prepare?.();
      let reportedFiles = 0;
      let spared = 0;
      for (const file of files) {
        if (!concerns(file, rule.meta.languages, rule.meta.triggers)) continue;
        const ast = await parse(file);
        if (ast === undefined) continue;
        const reports = reportsOf(rule, file, ast, facts);
        const may = rule.meta.mayReport!(file.text, file.language);
        if (reports > 0) {
          reportedFiles++;
          expect(may, `${file.path}: ${reports} finding(s), but mayReport says none`).toBe(true);
        } else if (!may) spared++;
      }
      expect(reportedFiles).toBeGreaterThan(0);
      // The fixtures hold look-alikes each rule spares (etcd's Endpoints(), scripts that never name the resource).
      expect(spared).toBeGreaterThan(0);
    });
  }

  it('endpoints-go-informer: every file it collects facts from holds a text its collectNeeds asks for', async () => {
    // Its texts do not depend on the checked file (unlike a manifest's Endpoints names): any checked file gives them.
    const rule = rules.find((r) => r.meta.id === 'endpoints-go-informer')!;
    const checked = files.find((f) => concerns(f, rule.meta.languages, rule.meta.triggers) && f.language === 'go')!;
    const texts = rule.collectNeeds!({ file: checked, ast: await parse(checked), facts })!;
    const sources = collectedFrom.get(rule.meta.id) ?? [];
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(texts.some((t) => source.text.includes(t)), `${source.path} adds facts but holds none of ${texts.join(', ')}`).toBe(true);
    }
  });
});

describe('files every rule spares are not parsed', () => {
  it("a Go file with etcd's Endpoints() and no Kubernetes import is read, matched and never parsed", async () => {
    const etcd = fs.readFileSync(path.join(root, 'fixtures/go/before/etcdclient/etcdclient.go'), 'utf8');
    const client = fs.readFileSync(path.join(root, 'fixtures/go/before/clientget/clientget.go'), 'utf8');
    const { result } = await lint({ 'etcd/etcd.go': etcd, 'k8s/client.go': client }, rules);
    expect(result.errors).toEqual([]);
    expect(result.findings.length).toBeGreaterThan(0);
    expect(new Set(result.findings.map((f) => f.file))).toEqual(new Set(['k8s/client.go']));
    expect(result.stats!.filesMatched).toBe(2);
    // The client file is parsed once for the check (and for the informer's collect pass, the same AST).
    expect(result.stats!.filesParsed).toBe(1);
  });

  it('a broken YAML file that only mentions endpoints is no error; a broken Role still is', async () => {
    const monitor = 'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nspec:\n  endpoints: [\n';
    const role = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules: [endpoints\n';
    const { result } = await lint({ 'monitor.yaml': monitor, 'role.yaml': role }, rules);
    expect(result.errors.map((e) => e.file)).toEqual(['role.yaml']);
    expect(result.stats!.filesParsed).toBe(1);
  });

  it("a chart's monitor template that does not parse as YAML is no error: no rule can report on it", async () => {
    // prometheus-community/helm-charts, prometheus-statsd-exporter's podmonitor.yaml (shortened).
    const monitor = [
      '{{- if .Values.prometheus.monitor.enabled }}',
      'apiVersion: {{ .Values.prometheus.monitor.apiVersion | default "monitoring.googleapis.com/v1" }}',
      'kind: {{ .Values.prometheus.monitor.kind | default "PodMonitoring" }}',
      'metadata:',
      '  labels: {{- include "exporter.labels" . | nindent 4 }}',
      '    app.kubernetes.io/component: metrics',
      'spec:',
      '  endpoints:',
      '    - port: http',
      '{{- end }}',
      '',
    ].join('\n');
    const { result } = await lint({ 'chart/templates/podmonitor.yaml': monitor }, rules);
    expect(result.errors).toEqual([]);
    expect(result.stats!.filesParsed).toBe(0);
  });

  it("endpoints-ts-type's triggers name its own types: a file of discovery's V1EndpointSlice and V1Endpoint is not parsed for it", async () => {
    const typeRule = rules.find((r) => r.meta.id === 'endpoints-ts-type')!;
    const migrated = [
      "import type { V1Endpoint, V1EndpointSlice } from '@kubernetes/client-node';",
      'export const ready = (s: V1EndpointSlice): V1Endpoint[] => s.endpoints.filter((e) => e.conditions?.ready !== false);',
      '',
    ].join('\n');
    const migratedOnly = await lint({ 'migrated.ts': migrated }, [typeRule]);
    expect(migratedOnly.result.findings).toEqual([]);
    // Nothing to check, so nothing to collect for: the TypeScript compiler never parses the file.
    expect(migratedOnly.result.stats!.filesParsed).toBe(0);
    const legacy = "import type { V1Endpoints } from '@kubernetes/client-node';\nexport type Old = V1Endpoints;\n";
    const both = await lint({ 'migrated.ts': migrated, 'legacy.ts': legacy }, [typeRule]);
    expect(both.result.findings.map((f) => f.file)).toEqual(['legacy.ts']);
  });
});
