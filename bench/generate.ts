/**
 * A deterministic synthetic monorepo for the benchmark: Go services, TS/JS web apps, Kubernetes manifests, Helm
 * charts, CI config, shell scripts, Makefiles, Dockerfiles and Markdown docs, at realistic sizes.
 *
 * Every file is a pure function of (seed, index): the same call writes the same bytes on any machine, and one file
 * can be written again on its own (the `--fix` run restores what it rewrote that way, without regenerating 50k
 * files). One file in 200 holds a real finding ("planted", exactly one finding of a known rule); one in 100 holds
 * look-alikes that a rule's trigger text matches but that are not findings (EndpointSlice objects, etcd's
 * `cli.Endpoints()`, a ServiceMonitor's `endpoints:` key, `kubectl get endpointslices`, prose). All other files
 * are ordinary code, some of which still contains trigger-ish words such as `kubectl`, as real repositories do.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Bump when the output changes: a generated repository stamped with another version is written again. */
export const GENERATOR_VERSION = 2;
export const DEFAULT_SEED = 20250601;
/** A file `index % PLANT_EVERY === PLANT_AT` holds one real finding. */
export const PLANT_EVERY = 200;
const PLANT_AT = 100;
/** A file `index % LOOKALIKE_EVERY === LOOKALIKE_AT` holds look-alikes (and no finding). */
export const LOOKALIKE_EVERY = 100;
const LOOKALIKE_AT = 50;
/** Files per service directory. */
const GROUP_SIZE = 100;
/** Packages (sub-folders) per service: real trees hold several files per folder, not one. */
const PACKAGES = ['api', 'controller', 'store', 'util'];

export type FileKind =
  | 'go'
  | 'ts'
  | 'tsx'
  | 'js'
  | 'manifest'
  | 'helm'
  | 'rbac'
  | 'json'
  | 'shell'
  | 'markdown'
  | 'makefile'
  | 'dockerfile';

/** Share of each kind in the repository, in percent (sums to 100). */
const MIX: [FileKind, number][] = [
  ['go', 30],
  ['ts', 14],
  ['tsx', 3],
  ['js', 5],
  ['manifest', 14],
  ['helm', 6],
  ['rbac', 3],
  ['json', 2],
  ['shell', 9],
  ['markdown', 11],
  ['makefile', 2],
  ['dockerfile', 1],
];

/** The rule each kind's planted finding belongs to (the rule ids of issues 2, 4, 5 and 9). */
export const PLANTED_RULE: Record<FileKind, string> = {
  go: 'endpoints-go-client',
  ts: 'endpoints-ts-client',
  tsx: 'endpoints-ts-client',
  js: 'endpoints-ts-client',
  manifest: 'endpoints-manifest',
  helm: 'endpoints-manifest',
  rbac: 'endpoints-rbac',
  json: 'endpoints-manifest',
  shell: 'endpoints-kubectl',
  markdown: 'endpoints-kubectl',
  makefile: 'endpoints-kubectl',
  dockerfile: 'endpoints-kubectl',
};

export interface PlannedFile {
  index: number;
  /** Relative path with `/` separators. */
  path: string;
  kind: FileKind;
  /** The rule of the one real finding in this file, if any. */
  planted?: string;
  lookalike: boolean;
  content: string;
}

export interface RepoManifest {
  generatorVersion: number;
  seed: number;
  files: number;
  bytes: number;
  byKind: Record<string, number>;
  /** Files with one real finding each, and the rule that should report it. */
  planted: { path: string; rule: string }[];
  lookalikes: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Randomness: a small seeded generator (mulberry32), one stream per file so files are independent.

class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

function fileSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

// Word lists. None contains "endpoint": only planted and look-alike snippets carry that word.
const NOUNS = [
  'cache', 'queue', 'worker', 'config', 'route', 'user', 'order', 'payment', 'metric', 'token', 'session', 'record',
  'batch', 'event', 'policy', 'schedule', 'report', 'stream', 'node', 'pod', 'release', 'tenant', 'bucket', 'shard',
  'lease', 'quota', 'invoice', 'account', 'ledger', 'profile', 'catalog', 'search', 'index', 'upload', 'backup',
  'snapshot', 'volume', 'secret', 'cluster', 'gateway', 'ingress', 'limit', 'alert', 'probe', 'job', 'task',
];
const VERBS = [
  'load', 'save', 'sync', 'build', 'parse', 'render', 'check', 'merge', 'apply', 'fetch', 'store', 'watch', 'drain',
  'flush', 'scale', 'retry', 'verify', 'resolve', 'encode', 'decode', 'collect', 'prune', 'rotate', 'publish',
];
const PROSE = [
  'the', 'service', 'reads', 'its', 'configuration', 'from', 'a', 'mounted', 'volume', 'and', 'retries', 'failed',
  'requests', 'with', 'exponential', 'backoff', 'every', 'deployment', 'runs', 'two', 'replicas', 'behind', 'load',
  'balancer', 'metrics', 'are', 'scraped', 'by', 'prometheus', 'on', 'port', 'when', 'queue', 'grows', 'workers',
  'scale', 'out', 'automatically', 'logs', 'go', 'to', 'stdout', 'in', 'json', 'format', 'see', 'runbook', 'for',
  'alerts', 'owners', 'team', 'rotation', 'handles', 'pages', 'during', 'business', 'hours', 'otherwise', 'oncall',
];

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
const camel = (r: Random) => `${r.pick(VERBS)}${cap(r.pick(NOUNS))}${cap(r.pick(NOUNS))}`;
const kebab = (r: Random) => `${r.pick(NOUNS)}-${r.pick(NOUNS)}`;
const sentence = (r: Random, words: number) => {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(r.pick(PROSE));
  return cap(out.join(' ')) + '.';
};

// ---------------------------------------------------------------------------------------------------------------
// Ordinary content, per kind. Everything is valid syntax: a file that passes the pre-filter must parse.

function goFunction(r: Random): string {
  const name = camel(r);
  const a = r.pick(NOUNS);
  const lines = [
    `// ${name} counts the ${a} entries of the ${r.pick(NOUNS)} list.`,
    `func ${name}(ctx context.Context, in []string) (int, error) {`,
    `\ttotal := 0`,
    `\tfor i, v := range in {`,
    `\t\tif strings.HasPrefix(v, "${a}") {`,
    `\t\t\ttotal += i * ${r.int(2, 9)}`,
    `\t\t}`,
    `\t}`,
  ];
  for (let k = r.int(0, 6); k > 0; k--) {
    lines.push(`\tif err := ctx.Err(); err != nil {`, `\t\treturn total, fmt.Errorf("${name}: %w", err)`, `\t}`);
    lines.push(`\ttotal += len(strings.TrimSpace("${kebab(r)}"))`);
  }
  lines.push(`\tif total > ${r.int(10, 999)} {`, `\t\treturn 0, fmt.Errorf("${name}: too many: %d", total)`, `\t}`, `\treturn total, nil`, `}`, ``);
  return lines.join('\n');
}

function goFile(r: Random, pkg: string, extraImports: string[], body: string): string {
  const parts = [`package ${pkg}`, ``, `import (`, `\t"context"`, `\t"fmt"`, `\t"strings"`];
  if (extraImports.length) parts.push(``, ...extraImports.map((i) => `\t${i}`));
  parts.push(`)`, ``);
  const functions = r.int(3, 22);
  const half = Math.floor(functions / 2);
  for (let k = 0; k < half; k++) parts.push(goFunction(r));
  if (body) parts.push(body);
  for (let k = half; k < functions; k++) parts.push(goFunction(r));
  return parts.join('\n');
}

function tsFunction(r: Random, typed: boolean): string {
  const name = camel(r);
  const t = (s: string) => (typed ? s : '');
  const lines = [
    `/** ${sentence(r, r.int(6, 14))} */`,
    `export async function ${name}(items${t(': string[]')}, limit = 10)${t(': Promise<number>')} {`,
    `  let count = 0;`,
    `  for (const item of items) {`,
    `    if (item.startsWith('${r.pick(NOUNS)}') && count < limit) count += ${r.int(1, 5)};`,
    `  }`,
  ];
  for (let k = r.int(0, 5); k > 0; k--) {
    const local = `${r.pick(NOUNS)}${k}`;
    lines.push(`  const ${local} = items.filter((x) => x.includes('${kebab(r)}')).length;`, `  count += ${local};`);
  }
  lines.push(`  return count;`, `}`, ``);
  return lines.join('\n');
}

function tsFile(r: Random, typed: boolean, header: string[], body: string): string {
  const helper = camel(r);
  const from = r.pick(NOUNS);
  const parts = [typed ? `import { ${helper} } from './${from}.js';` : `const { ${helper} } = require('./${from}');`, ...header, ``];
  if (typed) {
    parts.push(`export interface ${cap(r.pick(NOUNS))}${cap(r.pick(NOUNS))} {`, `  id: string;`, `  ${r.pick(NOUNS)}: number;`, `  tags?: string[];`, `}`, ``);
  }
  const functions = r.int(2, 14);
  const half = Math.floor(functions / 2);
  for (let k = 0; k < half; k++) parts.push(tsFunction(r, typed));
  if (body) parts.push(body);
  for (let k = half; k < functions; k++) parts.push(tsFunction(r, typed));
  return parts.join('\n');
}

function tsxFile(r: Random, header: string[], body: string): string {
  const name = cap(camel(r));
  const parts = [`import React from 'react';`, ...header, ``];
  if (body) parts.push(body);
  parts.push(
    `export function ${name}(props: { title: string; items: string[] }) {`,
    `  return (`,
    `    <section className="${kebab(r)}">`,
    `      <h2>{props.title}</h2>`,
    `      <ul>`,
    `        {props.items.map((item) => (`,
    `          <li key={item}>{item}</li>`,
    `        ))}`,
    `      </ul>`,
    `    </section>`,
    `  );`,
    `}`,
    ``,
  );
  for (let k = r.int(1, 6); k > 0; k--) parts.push(tsFunction(r, true));
  return parts.join('\n');
}

function deployment(r: Random, name: string, ns: string): string {
  const lines = [
    `apiVersion: apps/v1`,
    `kind: Deployment`,
    `metadata:`,
    `  name: ${name}`,
    `  namespace: ${ns}`,
    `  labels:`,
    `    app: ${name}`,
    `spec:`,
    `  replicas: ${r.int(1, 5)}`,
    `  selector:`,
    `    matchLabels:`,
    `      app: ${name}`,
    `  template:`,
    `    metadata:`,
    `      labels:`,
    `        app: ${name}`,
    `    spec:`,
    `      containers:`,
    `        - name: ${name}`,
    `          image: registry.example.com/${name}:${r.int(1, 9)}.${r.int(0, 30)}.${r.int(0, 9)}`,
    `          ports:`,
    `            - containerPort: ${r.int(3000, 9000)}`,
    `          env:`,
  ];
  for (let k = r.int(2, 12); k > 0; k--) lines.push(`            - name: ${r.pick(NOUNS).toUpperCase()}_${k}`, `              value: "${kebab(r)}"`);
  lines.push(`          resources:`, `            limits:`, `              cpu: ${r.int(100, 900)}m`, `              memory: ${r.int(64, 1024)}Mi`);
  return lines.join('\n') + '\n';
}

function service(r: Random, name: string, ns: string): string {
  return [
    `apiVersion: v1`,
    `kind: Service`,
    `metadata:`,
    `  name: ${name}`,
    `  namespace: ${ns}`,
    `spec:`,
    `  selector:`,
    `    app: ${name}`,
    `  ports:`,
    `    - name: http`,
    `      port: 80`,
    `      targetPort: ${r.int(3000, 9000)}`,
  ].join('\n') + '\n';
}

function configMap(r: Random, name: string, ns: string): string {
  const lines = [`apiVersion: v1`, `kind: ConfigMap`, `metadata:`, `  name: ${name}-config`, `  namespace: ${ns}`, `data:`];
  for (let k = r.int(2, 15); k > 0; k--) lines.push(`  ${r.pick(NOUNS)}.${r.pick(NOUNS)}${k}: "${kebab(r)}"`);
  return lines.join('\n') + '\n';
}

function manifestFile(r: Random, extra: string): string {
  const name = kebab(r);
  const ns = r.pick(NOUNS);
  const docs = [deployment(r, name, ns), service(r, name, ns)];
  if (r.chance(0.5)) docs.push(configMap(r, name, ns));
  if (extra) docs.splice(r.int(0, docs.length), 0, extra);
  return docs.join('---\n');
}

function helmFile(r: Random, extra: string): string {
  const lines = [
    `apiVersion: apps/v1`,
    `kind: Deployment`,
    `metadata:`,
    `  name: {{ include "chart.fullname" . }}`,
    `  labels:`,
    `    {{- include "chart.labels" . | nindent 4 }}`,
    `spec:`,
    `  replicas: {{ .Values.replicaCount }}`,
    `  selector:`,
    `    matchLabels:`,
    `      {{- include "chart.selectorLabels" . | nindent 6 }}`,
    `  template:`,
    `    spec:`,
    `      containers:`,
    `        - name: {{ .Chart.Name }}`,
    `          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"`,
    `          env:`,
  ];
  for (let k = r.int(2, 14); k > 0; k--) lines.push(`            - name: ${r.pick(NOUNS).toUpperCase()}_${k}`, `              value: {{ .Values.${r.pick(NOUNS)}${k} | quote }}`);
  let text = lines.join('\n') + '\n';
  if (extra) text += `---\n${extra}`;
  return text;
}

function roleFile(r: Random, resources: string[]): string {
  const name = kebab(r);
  const lines = [`apiVersion: rbac.authorization.k8s.io/v1`, `kind: Role`, `metadata:`, `  name: ${name}`, `  namespace: ${r.pick(NOUNS)}`, `rules:`];
  lines.push(`  - apiGroups: [""]`, `    resources: [${resources.map((x) => `"${x}"`).join(', ')}]`, `    verbs: ["get", "list", "watch"]`);
  lines.push(`  - apiGroups: ["apps"]`, `    resources: ["deployments"]`, `    verbs: ["get", "list"]`);
  return lines.join('\n') + '\n' + `---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: ${name}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: ${name}\nsubjects:\n  - kind: ServiceAccount\n    name: ${name}\n`;
}

function jsonFile(r: Random): string {
  const o: Record<string, unknown> = { name: kebab(r), version: `${r.int(0, 9)}.${r.int(0, 30)}.0`, settings: {} };
  for (let k = r.int(3, 30); k > 0; k--) (o.settings as Record<string, unknown>)[`${r.pick(NOUNS)}${k}`] = r.chance(0.5) ? r.int(0, 1000) : kebab(r);
  return JSON.stringify(o, null, 2) + '\n';
}

function shellFile(r: Random, extra: string): string {
  const lines = [`#!/usr/bin/env bash`, `# ${sentence(r, r.int(5, 12))}`, `set -euo pipefail`, ``, `NAMESPACE="\${NAMESPACE:-${r.pick(NOUNS)}}"`, ``];
  const blocks = r.int(2, 12);
  for (let k = 0; k < blocks; k++) {
    const fn = `${r.pick(VERBS)}_${r.pick(NOUNS)}`;
    lines.push(`${fn}() {`, `  local target="$1"`);
    if (r.chance(0.4)) lines.push(`  kubectl -n "$NAMESPACE" get pods -l app="$target" -o wide`);
    if (r.chance(0.3)) lines.push(`  kubectl -n "$NAMESPACE" rollout status deployment/"$target" --timeout=120s`);
    lines.push(`  for f in ./${r.pick(NOUNS)}/*.yaml; do`, `    echo "processing $f for $target"`, `  done`, `}`, ``);
    if (k === Math.floor(blocks / 2) && extra) lines.push(extra, ``);
  }
  lines.push(`main() {`, `  ${r.pick(VERBS)}_${r.pick(NOUNS)} "${kebab(r)}"`, `}`, ``, `main "$@"`, ``);
  return lines.join('\n');
}

function markdownFile(r: Random, extra: string): string {
  const lines = [`# ${cap(kebab(r).replace('-', ' '))}`, ``];
  const sections = r.int(2, 9);
  for (let k = 0; k < sections; k++) {
    lines.push(`## ${cap(r.pick(VERBS))} the ${r.pick(NOUNS)}`, ``);
    for (let p = r.int(1, 4); p > 0; p--) lines.push(sentence(r, r.int(12, 40)), ``);
    if (r.chance(0.4)) lines.push('```bash', `kubectl -n ${r.pick(NOUNS)} get pods -l app=${kebab(r)}`, `kubectl apply -f deploy/`, '```', ``);
    if (k === 0 && extra) lines.push(extra, ``);
  }
  return lines.join('\n');
}

function makefileFile(r: Random, extra: string): string {
  const lines = [`IMAGE ?= registry.example.com/${kebab(r)}`, `TAG ?= latest`, ``, `.PHONY: build push deploy`, ``];
  lines.push(`build:`, `\tdocker build -t $(IMAGE):$(TAG) .`, ``, `push: build`, `\tdocker push $(IMAGE):$(TAG)`, ``);
  lines.push(`deploy:`, `\tkubectl apply -f deploy/`, `\tkubectl rollout status deployment/${kebab(r)}`, ``);
  if (extra) lines.push(`check:`, `\t${extra}`, ``);
  return lines.join('\n');
}

function dockerfileFile(r: Random, extra: string): string {
  const lines = [`FROM golang:1.24 AS build`, `WORKDIR /src`, `COPY . .`, `RUN go build -o /out/${r.pick(NOUNS)} ./cmd/${r.pick(NOUNS)}`, ``, `FROM debian:12-slim`];
  if (extra) lines.push(`RUN ${extra}`);
  lines.push(`COPY --from=build /out/ /usr/local/bin/`, `ENTRYPOINT ["/usr/local/bin/${r.pick(NOUNS)}"]`, ``);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Real findings: each snippet holds exactly one finding of `PLANTED_RULE[kind]`.

function endpointsObject(r: Random, name: string, ns: string): string {
  return [
    `apiVersion: v1`,
    `kind: Endpoints`,
    `metadata:`,
    `  name: ${name}`,
    `  namespace: ${ns}`,
    `subsets:`,
    `  - addresses:`,
    `      - ip: 10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
    `      - ip: 10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
    `    ports:`,
    `      - name: http`,
    `        port: ${r.int(3000, 9000)}`,
    `        protocol: TCP`,
  ].join('\n') + '\n';
}

const GO_PLANT_IMPORTS = [`metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"`, `"k8s.io/client-go/kubernetes"`];
function goPlant(r: Random): string {
  const fn = camel(r);
  return [
    `// ${fn} returns the ready addresses behind a Service.`,
    `func ${fn}(ctx context.Context, cs kubernetes.Interface, ns, name string) ([]string, error) {`,
    `\tep, err := cs.CoreV1().Endpoints(ns).Get(ctx, name, metav1.GetOptions{})`,
    `\tif err != nil {`,
    `\t\treturn nil, fmt.Errorf("get %s/%s: %w", ns, name, err)`,
    `\t}`,
    `\tvar ips []string`,
    `\tfor _, s := range ep.Subsets {`,
    `\t\tfor _, a := range s.Addresses {`,
    `\t\t\tips = append(ips, a.IP)`,
    `\t\t}`,
    `\t}`,
    `\treturn ips, nil`,
    `}`,
    ``,
  ].join('\n');
}

function tsPlant(r: Random, typed: boolean): string {
  const fn = camel(r);
  return [
    `export async function ${fn}(name${typed ? ': string' : ''}, namespace${typed ? ': string' : ''})${typed ? ': Promise<string[]>' : ''} {`,
    `  const ep = await coreApi.readNamespacedEndpoints({ name, namespace });`,
    `  return (ep.subsets ?? []).flatMap((s) => s.addresses ?? []).map((a) => a.ip);`,
    `}`,
    ``,
  ].join('\n');
}
const TS_CLIENT_HEADER = [`import * as k8s from '@kubernetes/client-node';`, ``, `const kc = new k8s.KubeConfig();`, `kc.loadFromDefault();`, `const coreApi = kc.makeApiClient(k8s.CoreV1Api);`];
const JS_CLIENT_HEADER = [`const k8s = require('@kubernetes/client-node');`, ``, `const kc = new k8s.KubeConfig();`, `kc.loadFromDefault();`, `const coreApi = kc.makeApiClient(k8s.CoreV1Api);`];

// Look-alikes: text a pre-filter lets through, and no rule may report.
function endpointSliceObject(r: Random, name: string, ns: string): string {
  return [
    `apiVersion: discovery.k8s.io/v1`,
    `kind: EndpointSlice`,
    `metadata:`,
    `  name: ${name}-1`,
    `  namespace: ${ns}`,
    `  labels:`,
    `    kubernetes.io/service-name: ${name}`,
    `addressType: IPv4`,
    `endpoints:`,
    `  - addresses: ["10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}"]`,
    `    conditions:`,
    `      ready: true`,
    `ports:`,
    `  - name: http`,
    `    port: ${r.int(3000, 9000)}`,
  ].join('\n') + '\n';
}

function serviceMonitor(name: string): string {
  return [
    `apiVersion: monitoring.coreos.com/v1`,
    `kind: ServiceMonitor`,
    `metadata:`,
    `  name: ${name}`,
    `spec:`,
    `  selector:`,
    `    matchLabels:`,
    `      app: ${name}`,
    `  endpoints:`,
    `    - port: metrics`,
    `      interval: 30s`,
  ].join('\n') + '\n';
}

function goLookalike(r: Random): string {
  const fn = camel(r);
  return [
    `// ${fn} lists the etcd members. Not the core v1 Endpoints API: etcd's client has its own Endpoints().`,
    `func ${fn}(cli interface{ Endpoints() []string }) []string {`,
    `\teps := cli.Endpoints()`,
    `\tout := make([]string, 0, len(eps))`,
    `\tfor _, e := range eps {`,
    `\t\tout = append(out, strings.TrimPrefix(e, "https://"))`,
    `\t}`,
    `\treturn out`,
    `}`,
    ``,
    `// Endpoints is this package's own type; "endpoints" in a string is only text.`,
    `type Endpoints struct {`,
    `\tURLs []string`,
    `}`,
    ``,
    `func (e Endpoints) String() string { return fmt.Sprintf("endpoints: %v", e.URLs) }`,
    ``,
  ].join('\n');
}

function tsLookalike(r: Random, typed: boolean): string {
  const fn = camel(r);
  return [
    `// The settings page lists API endpoints; this is a UI route, not Kubernetes.`,
    `export const ${fn}Route = '/settings/endpoints';`,
    `export function ${fn}(base${typed ? ': string' : ''}) {`,
    `  return fetch(base + '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices');`,
    `}`,
    ``,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

function kindOf(r: Random): FileKind {
  let roll = r.next() * 100;
  for (const [kind, share] of MIX) {
    if (roll < share) return kind;
    roll -= share;
  }
  return 'go';
}

function pathOf(kind: FileKind, index: number, r: Random): string {
  const group = `svc-${String(Math.floor(index / GROUP_SIZE)).padStart(4, '0')}`;
  const base = `${r.pick(NOUNS)}_${r.pick(NOUNS)}_${index}`;
  switch (kind) {
    case 'go':
      return `services/${group}/internal/${r.pick(PACKAGES)}/${base}${r.chance(0.2) ? '_test' : ''}.go`;
    case 'ts':
      return `web/${group}/src/${r.pick(PACKAGES)}/${base}.ts`;
    case 'tsx':
      return `web/${group}/src/components/${base}.tsx`;
    case 'js':
      return `web/${group}/scripts/${base}.${r.chance(0.5) ? 'js' : 'cjs'}`;
    case 'manifest':
      return `services/${group}/deploy/${base}.yaml`;
    case 'helm':
      return `services/${group}/chart/templates/${base}.yaml`;
    case 'rbac':
      return `services/${group}/deploy/rbac/${base}.yml`;
    case 'json':
      return `services/${group}/config/${base}.json`;
    case 'shell':
      return `services/${group}/scripts/${base}.sh`;
    case 'markdown':
      return `services/${group}/docs/${base}.md`;
    case 'makefile':
      return r.chance(0.2) ? `services/${group}/tools/${base}/Makefile` : `services/${group}/tools/${base}.mk`;
    case 'dockerfile':
      return r.chance(0.2) ? `services/${group}/images/${base}/Dockerfile` : `services/${group}/images/${base}.dockerfile`;
  }
}

/** The file with this index: path, content and what it holds. A pure function of (seed, index). */
export function planFile(seed: number, index: number): PlannedFile {
  const r = new Random(fileSeed(seed, index));
  const kind = kindOf(r);
  const filePath = pathOf(kind, index, r);
  const planted = index % PLANT_EVERY === PLANT_AT;
  const lookalike = !planted && index % LOOKALIKE_EVERY === LOOKALIKE_AT;
  const pkg = filePath.split('/').at(-2)!;
  const name = kebab(r);
  const ns = r.pick(NOUNS);
  let content: string;
  switch (kind) {
    case 'go':
      content = planted
        ? goFile(r, pkg, GO_PLANT_IMPORTS, goPlant(r))
        : goFile(r, pkg, [], lookalike ? goLookalike(r) : '');
      break;
    case 'ts':
    case 'js': {
      const typed = kind === 'ts';
      const header = planted ? (typed ? TS_CLIENT_HEADER : JS_CLIENT_HEADER) : [];
      content = tsFile(r, typed, header, planted ? tsPlant(r, typed) : lookalike ? tsLookalike(r, typed) : '');
      break;
    }
    case 'tsx':
      content = tsxFile(r, planted ? TS_CLIENT_HEADER : [], planted ? tsPlant(r, true) : lookalike ? tsLookalike(r, true) : '');
      break;
    case 'manifest':
      content = manifestFile(r, planted ? endpointsObject(r, `${name}-external`, ns) : lookalike ? endpointSliceObject(r, name, ns) : '');
      break;
    case 'helm':
      content = helmFile(
        r,
        planted
          ? endpointsObject(r, `${name}-external`, ns).replace(`namespace: ${ns}`, 'namespace: {{ .Release.Namespace }}')
          : lookalike
            ? serviceMonitor(name)
            : '',
      );
      break;
    case 'rbac':
      content = roleFile(r, planted ? ['pods', 'services', 'endpoints'] : lookalike ? ['pods', 'services'] : ['pods', 'configmaps']);
      if (lookalike) content += `---\n${serviceMonitor(name)}`;
      break;
    case 'json':
      content = planted
        ? JSON.stringify({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: `${name}-external`, namespace: ns }, subsets: [{ addresses: [{ ip: `10.0.${r.int(0, 255)}.${r.int(1, 254)}` }], ports: [{ name: 'http', port: r.int(3000, 9000), protocol: 'TCP' }] }] }, null, 2) + '\n'
        : lookalike
          ? JSON.stringify({ name, description: 'Lists service endpoints for the dashboard', endpoints: ['/v1/status', '/v1/metrics'] }, null, 2) + '\n'
          : jsonFile(r);
      break;
    case 'shell':
      content = shellFile(
        r,
        planted
          ? `kubectl -n "$NAMESPACE" get endpoints ${name} -o wide`
          : lookalike
            ? `kubectl -n "$NAMESPACE" get endpointslices -l kubernetes.io/service-name=${name}\necho "kubectl get endpoints is deprecated; use endpointslices"`
            : '',
      );
      break;
    case 'markdown':
      content = markdownFile(
        r,
        planted
          ? '```bash\n' + `kubectl -n ${ns} get endpoints ${name}\n` + '```'
          : lookalike
            ? `The endpoints of the ${name} service are listed with:\n\n` + '```bash\n' + `kubectl -n ${ns} get endpointslices -l kubernetes.io/service-name=${name}\n` + '```'
            : '',
      );
      break;
    case 'makefile':
      content = makefileFile(r, planted ? `kubectl get endpoints ${name}` : lookalike ? `kubectl get endpointslices -l kubernetes.io/service-name=${name}` : '');
      break;
    case 'dockerfile':
      content = dockerfileFile(r, planted ? `kubectl get endpoints ${name} || true` : lookalike ? `echo "checks endpoints at start-up"` : '');
      break;
  }
  return { index, path: filePath, kind, planted: planted ? PLANTED_RULE[kind] : undefined, lookalike, content };
}

export interface GenerateOptions {
  files: number;
  seed?: number;
  /** Called with each planned file instead of writing it (for tests and dry runs). */
  onFile?: (file: PlannedFile) => void;
}

/** The manifest of a repository, without writing anything. */
export function describeRepo(options: GenerateOptions): RepoManifest {
  const seed = options.seed ?? DEFAULT_SEED;
  const manifest: RepoManifest = { generatorVersion: GENERATOR_VERSION, seed, files: options.files, bytes: 0, byKind: {}, planted: [], lookalikes: [] };
  for (let i = 0; i < options.files; i++) {
    const file = planFile(seed, i);
    manifest.bytes += Buffer.byteLength(file.content);
    manifest.byKind[file.kind] = (manifest.byKind[file.kind] ?? 0) + 1;
    if (file.planted) manifest.planted.push({ path: file.path, rule: file.planted });
    if (file.lookalike) manifest.lookalikes.push(file.path);
    options.onFile?.(file);
  }
  return manifest;
}

const STAMP = '.bench-repo.json';

/**
 * Writes the repository into `dir` (emptied first) and returns its manifest. The manifest is also kept next to the
 * repository (`<dir>.json`, outside it, so no tool scans it); a repository whose stamp matches is reused as is.
 */
export function generateRepo(dir: string, options: GenerateOptions): RepoManifest {
  const seed = options.seed ?? DEFAULT_SEED;
  const stampFile = `${dir}${STAMP}`;
  if (fs.existsSync(stampFile) && fs.existsSync(dir)) {
    const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as RepoManifest & { dirty?: boolean };
    if (stamp.generatorVersion === GENERATOR_VERSION && stamp.seed === seed && stamp.files === options.files && !stamp.dirty) return stamp;
  }
  fs.rmSync(stampFile, { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  const made = new Set<string>();
  const manifest = describeRepo({
    ...options,
    onFile: (file) => {
      const abs = path.join(dir, file.path);
      const parent = path.dirname(abs);
      if (!made.has(parent)) {
        fs.mkdirSync(parent, { recursive: true });
        made.add(parent);
      }
      fs.writeFileSync(abs, file.content);
      options.onFile?.(file);
    },
  });
  fs.writeFileSync(stampFile, JSON.stringify(manifest, null, 1));
  return manifest;
}

/** Marks a generated repository as changed (a `--fix` run is about to rewrite it) or as clean again. */
export function markDirty(dir: string, dirty: boolean): void {
  const stampFile = `${dir}${STAMP}`;
  const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as RepoManifest & { dirty?: boolean };
  stamp.dirty = dirty;
  fs.writeFileSync(stampFile, JSON.stringify(stamp, null, 1));
}

/** Writes again the files a fix may have touched (planted and look-alike files), byte for byte as generated. */
export function restoreFiles(dir: string, manifest: RepoManifest): number {
  let written = 0;
  for (let i = 0; i < manifest.files; i++) {
    if (i % PLANT_EVERY !== PLANT_AT && i % LOOKALIKE_EVERY !== LOOKALIKE_AT) continue;
    const file = planFile(manifest.seed, i);
    fs.writeFileSync(path.join(dir, file.path), file.content);
    written++;
  }
  return written;
}

// `node dist/bench/generate.js DIR N [SEED]` writes one repository (handy for trying slicefix by hand).
if (process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href) {
  const [dir, n, seed] = process.argv.slice(2);
  if (!dir || !n) {
    console.error('usage: node dist/bench/generate.js DIR FILES [SEED]');
    process.exit(2);
  }
  const started = performance.now();
  const manifest = generateRepo(path.resolve(dir), { files: Number(n), seed: seed ? Number(seed) : undefined });
  console.log(`${manifest.files} files, ${(manifest.bytes / 1e6).toFixed(1)} MB, ${manifest.planted.length} planted findings, ${manifest.lookalikes.length} look-alike files in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
