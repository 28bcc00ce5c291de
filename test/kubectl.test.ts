import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endpointsKubectl, mayNameEndpoints } from '../rules/endpoints-kubectl.js';
import { dockerfileRegions } from '../src/shell.js';
import type { LanguageId } from '../src/types.js';
import { copyFixture, goldenPairs, lint, reportsOf } from './helpers.js';

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
  // The exec form (`ENTRYPOINT ["kubectl", ...]`) is reported, never rewritten: its words are JSON strings.
  'app': { findings: 2, fixable: 1 },
  'build': { findings: 2, fixable: 2 },
  'deploy': { findings: 10, fixable: 10 },
  // HEALTHCHECK CMD, ONBUILD RUN, a comment inside a continued RUN, here-document scripts, RUN --mount, two exec forms.
  'instructions': { findings: 8, fixable: 6 },
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
  it('reports nothing in prose, echo text, comments, endpointslices, non-CI YAML, or Dockerfile here-documents that are no script', async () => {
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

describe('Dockerfile here-documents', () => {
  it('a here-document without its terminator is none: the lines after it stay instructions', async () => {
    const text = 'RUN cat <<EOF > /x\nCMD kubectl get endpoints web\n';
    const { result } = await lint({ Dockerfile: text }, rules);
    expect(result.findings.map((f) => f.line)).toEqual([2]);
  });

  it('finding terminators stays linear in a crafted file (100k unterminated here-documents)', () => {
    const started = performance.now();
    expect(dockerfileRegions('RUN <<EOF\n'.repeat(100_000))).toHaveLength(100_000);
    // Scanning ahead for each terminator took minutes here.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

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

/** The findings of the rule's check on a text, run directly (no engine, so no pre-filter in between). */
function findingsOf(text: string, language: LanguageId): number {
  // Scripts, Makefiles, Dockerfiles and Markdown: the rule reads the text, not an AST.
  return reportsOf(endpointsKubectl, { path: 'x', absPath: '/x', language, text }, undefined);
}

describe('endpoints-kubectl text pre-check (mayReport)', () => {
  it('passes every text the rule reports on (random commands, words split by quotes and backslashes)', () => {
    // A word as a shell may see it written: split anywhere, each piece bare, quoted or with a backslash before it.
    const spelt = (word: string) =>
      fc
        .array(fc.constantFrom('bare', 'bare', 'double', 'single', 'escaped'), { minLength: word.length, maxLength: word.length })
        .chain((styles) => fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((cuts) => ({ styles, cuts })))
        .map(({ styles, cuts }) => {
          const pieces: string[] = [];
          for (let i = 0; i < word.length; i++) {
            if (i === 0 || cuts[i]) pieces.push('');
            pieces[pieces.length - 1] += word[i];
          }
          return pieces
            .map((piece, i) => {
              const style = styles[i];
              if (style === 'double') return `"${piece}"`;
              if (style === 'single') return `'${piece}'`;
              if (style === 'escaped') return `\\${piece}`;
              return piece;
            })
            .join('');
        });
    const resource = fc.constantFrom('ep', 'EP', 'Ep', 'endpoints', 'Endpoints', 'endpoint', 'endpoints.v1', 'ep.', 'po,ep', 'svc,Endpoints', 'ep/web', 'endpointslices', 'deploy', 'pods');
    const other = fc.constantFrom('web', '-n', 'shop', '-o', 'yaml', '-A', 'step', 'grep', 'x,y', 'ep-x', '$(', ')', '#');
    const command = fc
      .tuple(
        fc.constantFrom('', 'sudo ', 'X=1 ', '$ '),
        fc.constantFrom('kubectl', '$KUBECTL', '/usr/bin/kubectl', 'echo kubectl'),
        fc.constantFrom('get', 'describe', 'delete', 'edit', 'patch', 'apply'),
        fc.array(other, { maxLength: 2 }),
        resource.chain(spelt),
        fc.array(other, { maxLength: 3 }),
      )
      .map(([prefix, kubectl, verb, before, type, after]) => [prefix + kubectl, verb, ...before, type, ...after].join(' '));
    const separator = fc.constantFrom('\n', '; ', ' | ', ' && ', ' \\\n  ', '\r\n');
    const lines = fc.array(fc.tuple(command, separator), { minLength: 1, maxLength: 4 }).map((parts) => parts.map(([c, sep]) => c + sep).join(''));
    const language = fc.constantFrom<LanguageId>('shell', 'makefile', 'dockerfile', 'markdown');
    const framed = (t: string, lang: LanguageId) => (lang === 'markdown' ? '```sh\n' + t + '\n```\n' : lang === 'dockerfile' ? 'RUN ' + t : lang === 'makefile' ? 'a:\n\t' + t : t);
    let reported = 0;
    fc.assert(
      fc.property(lines, language, (t, lang) => {
        const text = framed(t, lang);
        const found = findingsOf(text, lang);
        if (found) reported++;
        if (!mayNameEndpoints(text, lang)) expect(found).toBe(0);
      }),
      { numRuns: 3000 },
    );
    // The property means something only if many of the texts are reported on.
    expect(reported).toBeGreaterThan(300);
  });

  it('passes the resource however it is spelt, and rejects words that only contain its letters', () => {
    for (const t of ['kubectl get ep', 'kubectl get e"p" web', "kubectl get 'endpoints' a", 'kubectl get e\\p', 'kubectl get po,EP', 'kubectl get ep/x', 'kubectl get endpoints.v1', '$(kubectl get ep)']) {
      expect(mayNameEndpoints(t, 'shell'), t).toBe(true);
      expect(findingsOf(t, 'shell'), t).toBe(1);
    }
    for (const t of ['kubectl get deploy', 'kubectl get endpointslices', 'kubectl rollout status step', 'kubectl get pods | grep web', 'kubectl get ep-x', 'kubectl get ep_x', 'kubectl get sep']) {
      expect(mayNameEndpoints(t, 'shell'), t).toBe(false);
    }
    // YAML scalars have escapes of their own: every CI file that mentions kubectl is parsed.
    expect(mayNameEndpoints('run: "kubectl get \\x65p"', 'yaml')).toBe(true);
  });

  it('does not parse a script that runs kubectl but never names the resource', async () => {
    const { result } = await lint({ 'a.sh': 'kubectl get pods\nkubectl rollout status deploy/web\n', 'b.sh': 'kubectl get ep web\n' }, rules, {});
    expect(result.findings.map((f) => f.file)).toEqual(['b.sh']);
    expect(result.stats!.parses).toBe(1);
    expect(result.stats!.filesMatched).toBe(2);
  });
});
