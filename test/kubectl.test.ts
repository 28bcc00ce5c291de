import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpointsKubectl } from '../rules/endpoints-kubectl.js';
import { copyFixture, goldenPairs, lint } from './helpers.js';

const rules = [endpointsKubectl];

/** Where a golden fixture is put in the scanned tree: CI files only count at their real paths. */
function placement(file: string): string {
  const base = path.basename(file, path.extname(file));
  if (base.startsWith('workflow-')) return `.github/workflows/${base.slice('workflow-'.length)}.yml`;
  if (base.endsWith('.gitlab-ci')) return '.gitlab-ci.yml';
  return file;
}

/** Findings before --fix, and how many of them --fix rewrites. */
const expected: Record<string, { findings: number; fixable: number }> = {
  'app': { findings: 1, fixable: 1 },
  'build': { findings: 2, fixable: 2 },
  'deploy': { findings: 10, fixable: 10 },
  'outputs': { findings: 6, fixable: 0 },
  'pipeline.gitlab-ci': { findings: 3, fixable: 3 },
  'runbook': { findings: 3, fixable: 3 },
  'workflow-ci': { findings: 4, fixable: 3 },
  'writes': { findings: 3, fixable: 0 },
};

describe('endpoints-kubectl golden pairs', () => {
  const pairs = goldenPairs('endpoints-kubectl/fix');

  it('every fixture has expectations', () => {
    expect(pairs.map((p) => p.name).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const pair of pairs) {
    const target = placement(pair.file);

    it(`${pair.name}: reports every use`, async () => {
      const { result } = await lint({ [target]: pair.input }, rules);
      expect(result.errors).toEqual([]);
      expect(result.findings.length).toBe(expected[pair.name].findings);
      expect(result.summary.fixable).toBe(expected[pair.name].fixable);
      for (const f of result.findings) expect(f.ruleId).toBe('endpoints-kubectl');
    });

    it(`${pair.name}: --fix writes the golden output and leaves only what it cannot fix`, async () => {
      const { result, files } = await lint({ [target]: pair.input }, rules, { fix: true });
      expect(files[target]).toBe(pair.expected);
      const { findings, fixable } = expected[pair.name];
      expect(result.findings.length).toBe(findings - fixable);
      expect(result.findings.every((f) => !f.fixable)).toBe(true);
    });

    it(`${pair.name}: the fixed file is clean and a second --fix changes nothing`, async () => {
      const first = await lint({ [target]: pair.expected }, rules, { fix: true });
      expect(first.files[target]).toBe(pair.expected);
      expect(first.result.summary.fixed).toBe(0);
      expect(first.result.summary.fixable).toBe(0);
    });
  }
});

describe('endpoints-kubectl look-alikes', () => {
  it('reports nothing in prose, echo text, comments, endpointslices, non-CI YAML or exec-form Dockerfiles', async () => {
    const dir = copyFixture('endpoints-kubectl/negative');
    const { result } = await lint(dir, rules, { fix: true });
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.summary.filesScanned).toBe(6);
    expect(result.summary.fixed).toBe(0);
  });
});

/** One shell line in, the line after --fix out (`null`: reported but left as it is). */
const cases: [string, string | null][] = [
  ['kubectl get endpoints', 'kubectl get endpointslices'],
  ['kubectl get endpoint web', 'kubectl get endpointslices -l kubernetes.io/service-name=web'],
  ['kubectl get Endpoints.v1 web', 'kubectl get endpointslices -l kubernetes.io/service-name=web'],
  ['kubectl get -n shop ep web -oyaml', 'kubectl get -n shop endpointslices -l kubernetes.io/service-name=web -oyaml'],
  ['kubectl --context=prod get ep web', 'kubectl --context=prod get endpointslices -l kubernetes.io/service-name=web'],
  ['kubectl get ep,svc -A', 'kubectl get endpointslices,svc -A'],
  ['kubectl get ep -l app=web', 'kubectl get endpointslices -l app=web'],
  ['FOO=1 kubectl get ep web; echo done', 'FOO=1 kubectl get endpointslices -l kubernetes.io/service-name=web; echo done'],
  ['watch -n 2 kubectl get ep web', 'watch -n 2 kubectl get endpointslices -l kubernetes.io/service-name=web'],
  ['"$KUBECTL" get ep web', '"$KUBECTL" get endpointslices -l kubernetes.io/service-name=web'],
  ['/usr/local/bin/kubectl get ep web 2>&1', '/usr/local/bin/kubectl get endpointslices -l kubernetes.io/service-name=web 2>&1'],
  ['echo "$(kubectl get ep web)"', null],
  ['kubectl get ep web -o custom-columns=IP:.subsets[0].addresses[0].ip', null],
  ['kubectl get ep web --some-new-flag x', null],
  ["kubectl get ep 'web' other", null],
  ['kubectl get ep web -l app=web', null],
  ['kubectl get -f endpoints.yaml ep', null],
  ['kubectl delete ep web', null],
];

describe('endpoints-kubectl cases', () => {
  for (const [input, output] of cases) {
    it(`${input} → ${output ?? '(reported only)'}`, async () => {
      const { result, files } = await lint({ 'run.sh': `${input}\n` }, rules, { fix: true });
      if (output === null) {
        expect(files['run.sh']).toBe(`${input}\n`);
        expect(result.findings).toHaveLength(1);
        expect(result.findings[0].fixable).toBe(false);
      } else {
        expect(files['run.sh']).toBe(`${output}\n`);
        expect(result.findings).toEqual([]);
      }
    });
  }

  it('does not parse YAML that cannot hold commands: a Go-templated plugin manifest that mentions kubectl is no error', async () => {
    // ingress-nginx's cmd/plugin/krew.yaml: a krew manifest rendered by Go templates, not valid YAML as written.
    const krew = [
      'apiVersion: krew.googlecontainertools.github.com/v1alpha2',
      'kind: Plugin',
      'spec:',
      '  description: The official kubectl plugin.',
      '  platforms:',
      '  - selector:',
      '      matchLabels:',
      '        os: linux',
      '    {{addURIAndSha "https://example.com/{{ .TagName }}/kubectl-plugin.tar.gz" .TagName }}',
      '    bin: kubectl-plugin',
      '',
    ].join('\n');
    const workflow = 'on: push\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl get ep web\n';
    const { result } = await lint({ 'cmd/plugin/krew.yaml': krew, '.github/workflows/check.yml': workflow }, rules);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.file)).toEqual(['.github/workflows/check.yml']);
    expect(result.stats!.parses).toBe(1);
  });

  it('does not flag commands that only look alike', async () => {
    const lines = [
      'kubectl get endpointslices',
      'kubectl get eps',
      'kubectl apply -f endpoints.yaml',
      'kubectl logs ep',
      'kubectl-foo get endpoints',
      'mykubectl get ep',
      'echo kubectl get endpoints',
      "grep -r 'kubectl get endpoints' docs/",
    ];
    const { result } = await lint({ 'run.sh': lines.join('\n') + '\n' }, rules);
    expect(result.findings).toEqual([]);
  });

  it('says what to use instead and where', async () => {
    const { result } = await lint({ 'a.sh': 'kubectl get endpoints web -n shop\nkubectl delete ep web\n' }, rules);
    expect(result.findings).toHaveLength(2);
    const [read, del] = result.findings;
    expect(read).toMatchObject({ line: 1, column: 1, endLine: 1, endColumn: 34, fixable: true, severity: 'error' });
    expect(read.message).toContain('use `kubectl get endpointslices -l kubernetes.io/service-name=web -n shop`');
    expect(read.message).toContain('discovery.k8s.io/v1');
    expect(del.message).toContain('kubectl delete endpointslices -l kubernetes.io/service-name=web');
    expect(del.fixable).toBe(false);
  });

  it('explains why a read is not rewritten', async () => {
    const { result } = await lint({ 'a.sh': "kubectl get ep web -o jsonpath='{.subsets[*].addresses[*].ip}'\n" }, rules);
    expect(result.findings[0].message).toMatch(/Not rewritten automatically: its output template reads the Endpoints shape/);
  });

  it('keeps CRLF line endings and an inline suppression', async () => {
    const input = 'kubectl get ep web\r\n# slicefix-ignore-next-line endpoints-kubectl\r\nkubectl get ep api\r\n';
    const { files, result } = await lint({ 'a.sh': input }, rules, { fix: true });
    expect(files['a.sh']).toBe('kubectl get endpointslices -l kubernetes.io/service-name=web\r\n# slicefix-ignore-next-line endpoints-kubectl\r\nkubectl get ep api\r\n');
    expect(result.findings).toEqual([]);
  });

  it('finds scripts by shebang and leaves Helm-templated workflow lines alone', async () => {
    const { result, files } = await lint(
      {
        'bin/check': '#!/bin/sh\nkubectl get ep web\n',
        '.github/workflows/t.yml': 'on: push\njobs:\n  a:\n    steps:\n      - run: kubectl get ep {{ .Values.svc }}\n',
      },
      rules,
      { fix: true },
    );
    expect(files['bin/check']).toBe('#!/bin/sh\nkubectl get endpointslices -l kubernetes.io/service-name=web\n');
    expect(result.findings.map((f) => [f.file, f.fixable])).toEqual([['.github/workflows/t.yml', false]]);
  });
});
