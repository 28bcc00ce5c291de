import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadManifestRuntime } from '../src/k8s/runtime.js';
import { endpointsManifest } from '../rules/endpoints-manifest.js';
import { sliceProblems } from '../src/k8s/validate-slice.js';
import { rejectedEndpointAddress } from '../src/k8s/ip.js';
import { appendToTemplate } from '../src/k8s/template-suffix.js';
import { goldenPairs, lint } from './helpers.js';
import { endpointsTuples, isEndpoints, isSlice, objectsOf, slicesTuples } from './endpoints-manifest.support.js';

// Codemods and schema checks called directly need what the rules' prepare() loads.
beforeAll(loadManifestRuntime);

const rule = [endpointsManifest];

/** How often each `# comment` text occurs in a YAML text. */
function commentCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /(?:^|\s)#(.*)$/.exec(line);
    if (match) counts.set(match[1].trim(), (counts.get(match[1].trim()) ?? 0) + 1);
  }
  return counts;
}

const goldenSets = [
  { dir: 'endpoints-manifest/golden', settings: {} },
  { dir: 'endpoints-manifest/golden-max3', settings: { maxEndpointsPerSlice: 3 } },
  { dir: 'endpoints-manifest/helm-golden', settings: {} },
  { dir: 'endpoints-manifest/jinja-golden', settings: {} },
];

describe('endpoints-manifest golden pairs', () => {
  for (const { dir, settings } of goldenSets) {
    for (const pair of goldenPairs(dir)) {
      it(`${dir}/${pair.file}`, async () => {
        const first = await lint({ [pair.file]: pair.input }, rule, { fix: true, settings });
        expect(first.result.errors).toEqual([]);
        const output = first.files[pair.file];
        expect(output).toBe(pair.expected);

        // Idempotent: a second --fix finds nothing left to fix and changes nothing.
        const second = await lint({ [pair.file]: output }, rule, { fix: true, settings });
        expect(second.files[pair.file]).toBe(output);
        expect(second.result.summary.fixed).toBe(0);

        if (pair.input === pair.expected) {
          // Not fixable: still reported, with the reason.
          expect(first.result.findings.length).toBeGreaterThan(0);
          expect(first.result.findings.every((f) => !f.fixable && /not fixed automatically because/.test(f.message))).toBe(true);
          return;
        }
        expect(first.result.summary.fixed).toBe(1);
        expect(second.result.findings).toEqual([]);
        // Nothing the user wrote as a comment is lost.
        for (const [comment, count] of commentCounts(pair.input)) expect(commentCounts(output).get(comment) ?? 0, comment).toBeGreaterThanOrEqual(count);
        if (pair.input.includes('{{') || pair.input.includes('{%')) return; // templates parse only after rendering
        const before = objectsOf(pair.input);
        const after = objectsOf(output);
        // Nothing lost or invented, every slice valid, the other objects untouched.
        const maxEndpoints = (settings as { maxEndpointsPerSlice?: number }).maxEndpointsPerSlice ?? 100;
        expect(slicesTuples(after.filter(isSlice))).toEqual(before.filter(isEndpoints).flatMap(endpointsTuples).sort());
        for (const slice of after.filter(isSlice)) {
          expect(sliceProblems(slice)).toEqual([]);
          expect(slice.endpoints.length).toBeLessThanOrEqual(maxEndpoints);
          expect(slice.metadata.labels['endpointslice.kubernetes.io/managed-by']).toBe('slicefix');
        }
        expect(after.filter((o) => !isSlice(o))).toEqual(before.filter((o) => !isEndpoints(o)));
        if (path.extname(pair.file) === '.json') expect(() => JSON.parse(output)).not.toThrow();
      });
    }
  }
});

const endpoints = (body: string, metadata = '  name: ext\n') => `apiVersion: v1\nkind: Endpoints\nmetadata:\n${metadata}${body}`;
const oneAddress = 'subsets:\n  - addresses:\n      - ip: 10.0.0.1\n    ports:\n      - port: 80\n';

describe('endpoints-manifest reports without converting', () => {
  const cases: { name: string; files: Record<string, string>; message: RegExp }[] = [
    {
      name: 'a leader-election lock',
      files: { 'lock.yaml': endpoints('', '  name: kube-scheduler\n  annotations:\n    control-plane.alpha.kubernetes.io/leader: \'{"holderIdentity":"a"}\'\n') },
      message: /leader-election lock.*coordination\.k8s\.io\/v1 Lease/,
    },
    {
      name: 'skip-mirror',
      files: { 'skip.yaml': endpoints(oneAddress, '  name: ext\n  labels:\n    endpointslice.kubernetes.io/skip-mirror: "true"\n') },
      message: /skip-mirror=true/,
    },
    {
      name: 'the Endpoints of a Service with a selector (another file)',
      files: {
        'svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\n  namespace: web\nspec:\n  selector:\n    app: ext\n  ports:\n    - port: 80\n',
        'dump.yaml': endpoints(oneAddress, '  name: ext\n  namespace: web\n'),
      },
      message: /belongs to Service ext \(svc\.yaml\), which has a selector.*Delete this manifest instead of converting it/,
    },
    {
      name: 'the Endpoints of a Helm Service whose selector is an include',
      files: {
        'templates/svc.yaml':
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "c.fullname" . }}\nspec:\n  selector:\n    {{- include "c.selectorLabels" . | nindent 4 }}\n',
        'templates/ep.yaml': endpoints(oneAddress, '  name: {{ include "c.fullname" . }}\n'),
      },
      message: /which has a selector/,
    },
    {
      name: 'the Endpoints a glusterfs volume reads by name (kubernetes/examples)',
      files: {
        'pv.yaml': 'apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: gluster\nspec:\n  glusterfs:\n    endpoints: glusterfs-cluster\n    path: vol\n',
        'ep.yaml': endpoints(oneAddress, '  name: glusterfs-cluster\n'),
      },
      message: /read by name by a glusterfs volume \(pv\.yaml\)/,
    },
    { name: 'no addresses at all', files: { 'empty.yaml': endpoints('subsets: []\n') }, message: /has no addresses/ },
    {
      name: 'a subset with ports but no addresses',
      files: { 'p.yaml': endpoints(`${oneAddress}  - ports:\n      - port: 81\n`) },
      message: /subsets\[1\] lists ports but no addresses/,
    },
    {
      name: 'an IPv4 octet with a leading zero',
      files: { 'z.yaml': endpoints('subsets:\n  - addresses:\n      - ip: 10.0.0.010\n') },
      message: /leading zero/,
    },
    {
      name: 'an IPv4-mapped IPv6 address',
      files: { 'm.yaml': endpoints('subsets:\n  - addresses:\n      - ip: "::ffff:10.0.0.1"\n') },
      message: /IPv4-mapped/,
    },
    ...[
      ['127.0.0.1', /subsets\[0\]\.addresses\[0\]\.ip 127\.0\.0\.1 may not be in the loopback range \(127\.0\.0\.0\/8, ::1\/128\): kube-apiserver rejects/],
      ['"::1"', /ip ::1 may not be in the loopback range/],
      ['169.254.169.254', /ip 169\.254\.169\.254 may not be in the link-local range \(169\.254\.0\.0\/16, fe80::\/10\)/],
      ['"FE80::1"', /ip FE80::1 may not be in the link-local range/],
      ['0.0.0.0', /ip 0\.0\.0\.0 may not be unspecified \(0\.0\.0\.0\)/],
      ['"::"', /ip :: may not be unspecified \(::\)/],
      ['224.0.0.251', /ip 224\.0\.0\.251 may not be in the link-local multicast range/],
    ].map(([ip, message]) => ({
      name: `an address the API server rejects: ${String(ip)}`,
      files: { 'special.yaml': endpoints(`subsets:\n  - addresses:\n      - ip: ${String(ip)}\n      - ip: 10.0.0.1\n    ports:\n      - port: 80\n`) },
      message: message as RegExp,
    })),
    {
      name: 'one address listed ready and not ready with different nodeNames',
      files: {
        'n.yaml': endpoints(
          'subsets:\n  - addresses:\n      - ip: 10.0.0.1\n        nodeName: a\n    notReadyAddresses:\n      - ip: 10.0.0.1\n        nodeName: b\n',
        ),
      },
      message: /subsets\[0\]\.addresses\[0\] and subsets\[0\]\.notReadyAddresses\[0\] list 10\.0\.0\.1 for the same ports with a different nodeName/,
    },
    {
      name: 'a dual-stack Helm Endpoints whose quoted name cannot be taken apart',
      files: { 'templates/ep.yaml': endpoints('subsets:\n  - addresses:\n      - ip: 10.0.0.1\n      - ip: fd00::1\n', '  name: {{ quote .Values.a .Values.b }}\n') },
      message: /the name \{\{ quote \.Values\.a \.Values\.b \}\} renders its own quotes \(quote\) and the quoting is not the last step of its pipeline, so "-ipv6" cannot be appended to it safely/,
    },
    {
      name: 'a dual-stack Jinja Endpoints whose name is quoted',
      files: { 'ep.yml.j2': endpoints('subsets:\n  - addresses:\n      - ip: 10.0.0.1\n      - ip: fd00::1\n', '  name: {{ svc_name | to_json }}\n') },
      message: /renders its own quotes \(to_json\) and Jinja templates are not rewritten/,
    },
    {
      name: 'a kubernetes.io/service-name label naming another Service',
      files: { 'l.yaml': endpoints(oneAddress, '  name: ext\n  labels:\n    kubernetes.io/service-name: other\n') },
      message: /metadata\.labels has kubernetes\.io\/service-name: "other", but the EndpointSlices need "ext" \(the slices must name their Service/,
    },
    {
      name: 'a managed-by label naming another owner',
      files: { 'l.yaml': endpoints(oneAddress, '  name: ext\n  labels:\n    endpointslice.kubernetes.io/managed-by: endpointslicemirroring-controller.k8s.io\n') },
      message: /has endpointslice\.kubernetes\.io\/managed-by: "endpointslicemirroring-controller\.k8s\.io", but the EndpointSlices need "slicefix".*set managedBy in \.slicefix\.yaml/,
    },
    ...[
      ['before a subset', 'subsets:\n  # primary site\n  - addresses:\n      - ip: 10.0.0.1\n', '', /the comment "# primary site" \(line 6\) has no corresponding place in the EndpointSlices and would be lost; move it above the object/],
      ['on the subsets key', 'subsets: # static\n  - addresses:\n      - ip: 10.0.0.1\n', '', /the comment "# static" \(line 5\)/],
      ['on a dropped annotation', oneAddress, '  name: ext\n  annotations:\n    endpoints.kubernetes.io/last-change-trigger-time: "2020-01-01T00:00:00Z" # from the dump\n', /the comment "# from the dump" \(line 6\)/],
      ['on server metadata', oneAddress, '  name: ext\n  resourceVersion: "12" # dumped\n', /the comment "# dumped" \(line 5\)/],
    ].map(([where, body, metadata, message]) => ({
      name: `a comment ${String(where)}`,
      files: { 'c.yaml': endpoints(String(body), String(metadata) || undefined) },
      message: message as RegExp,
    })),
    {
      name: 'a port without a number',
      files: { 'n.yaml': endpoints('subsets:\n  - addresses:\n      - ip: 10.0.0.1\n    ports:\n      - name: http\n') },
      message: /no port number.*all ports/,
    },
    {
      name: 'an unknown field',
      files: { 'u.yaml': endpoints('subsets:\n  - addresses:\n      - ip: 10.0.0.1\n        zone: a\n') },
      message: /field "zone"/,
    },
    {
      name: 'two unnamed ports (invalid as a slice)',
      files: { 'd.yaml': endpoints('subsets:\n  - addresses:\n      - ip: 10.0.0.1\n    ports:\n      - port: 80\n      - port: 81\n') },
      message: /would be invalid: port name "" is used twice/,
    },
    {
      name: 'a port name that is not a DNS label',
      files: { 'l.yaml': endpoints('subsets:\n  - addresses:\n      - ip: 10.0.0.1\n    ports:\n      - port: 80\n        name: HTTP_Port\n') },
      message: /would be invalid: ports\[0\]\.name "HTTP_Port" is not a DNS label/,
    },
    {
      name: 'more than 100 ports',
      files: {
        'many.yaml': endpoints(
          `subsets:\n  - addresses:\n      - ip: 10.0.0.1\n    ports:\n${Array.from({ length: 101 }, (_, i) => `      - name: p${i}\n        port: ${1000 + i}\n`).join('')}`,
        ),
      },
      message: /101 ports; an EndpointSlice holds at most 100/,
    },
    {
      name: 'an item of an EndpointsList',
      files: { 'l.yaml': `apiVersion: v1\nkind: EndpointsList\nitems:\n  - ${endpoints(oneAddress).replace(/\n(?!$)/g, '\n    ')}` },
      message: /item of a EndpointsList/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { result, files } = await lint(c.files, rule, { fix: true });
      expect(result.errors).toEqual([]);
      expect(result.findings).toHaveLength(1);
      expect(result.findings[0]).toMatchObject({ ruleId: 'endpoints-manifest', severity: 'error', fixable: false });
      expect(result.findings[0].message).toMatch(c.message);
      expect(files).toEqual(c.files);
    });
  }
});

describe('rejectedEndpointAddress (kube-apiserver ValidateEndpointIP)', () => {
  it('rejects unspecified, loopback, link-local and link-local multicast addresses', () => {
    for (const ip of ['0.0.0.0', '::', '127.0.0.1', '127.255.255.254', '::1', '169.254.0.1', 'fe80::1', 'febf::1', '224.0.0.1', 'ff02::1', 'ff12::2']) {
      expect(rejectedEndpointAddress(ip), ip).toBeDefined();
    }
  });
  it('accepts the addresses around those ranges', () => {
    for (const ip of ['10.0.0.1', '126.255.255.255', '128.0.0.1', '169.253.255.255', '169.255.0.1', '224.0.1.1', '::2', 'fec0::1', 'fe7f::1', 'ff05::1', '2001:db8::1']) {
      expect(rejectedEndpointAddress(ip), ip).toBeUndefined();
    }
  });
});

describe('appendToTemplate: a suffix on a templated name still renders', () => {
  const cases: [string, string][] = [
    ['{{ include "c.fullname" . }}', '{{ include "c.fullname" . }}-ipv6'],
    ['"{{ .Release.Name }}-db"', '"{{ .Release.Name }}-db-ipv6"'],
    ["'{{ .Release.Name }}'", "'{{ .Release.Name }}-ipv6'"],
    ['{{ .Release.Name | quote }}', '{{ .Release.Name | printf "%s-ipv6" | quote }}'],
    ['{{ .Release.Name | squote }}', '{{ .Release.Name | printf "%s-ipv6" | squote }}'],
    ['{{ quote .Release.Name }}', '{{ .Release.Name | printf "%s-ipv6" | quote }}'],
    ['{{ printf "%q" .Values.name }}', '{{ .Values.name | printf "%s-ipv6" | printf "%q" }}'],
    ['{{- include "c.fullname" . | trunc 63 | quote -}}', '{{- include "c.fullname" . | trunc 63 | printf "%s-ipv6" | quote -}}'],
    ['{{ quote (include "c.fullname" .) }}', '{{ (include "c.fullname" .) | printf "%s-ipv6" | quote }}'],
    ['{{ include "quote" . }}', '{{ include "quote" . }}-ipv6'],
  ];
  for (const [raw, expected] of cases) {
    it(raw, () => expect(appendToTemplate(raw, '-ipv6')).toEqual({ ok: true, raw: expected }));
  }
  for (const raw of ['{{ quote .Release.Name | upper }}', '{{ .Release.Name | quote }}-db', '{{ printf "%q-%s" .A .B }}', '{{ .Release.Name | quote | quote }}']) {
    it(`refuses ${raw}`, () => expect(appendToTemplate(raw, '-2')).toMatchObject({ ok: false, reason: expect.stringContaining('cannot be appended') }));
  }
});

describe('endpoints-manifest look-alikes are not flagged', () => {
  const negatives: Record<string, string> = {
    'other-group.yaml': 'apiVersion: example.com/v1\nkind: Endpoints\nmetadata:\n  name: x\nsubsets: []\n',
    'comment.yaml': '# apiVersion: v1\n# kind: Endpoints\napiVersion: v1\nkind: Service\nmetadata:\n  name: x\n',
    'configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  ep.yaml: |\n    apiVersion: v1\n    kind: Endpoints\n',
    'monitor.yaml': 'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: x\nspec:\n  endpoints:\n    - port: http\n',
    'slice.yaml': 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: x\naddressType: IPv4\nendpoints: []\n',
    'nested.yaml': 'apiVersion: v1\nkind: Template\nobjects:\n  - apiVersion: v1\n    kind: Endpoints\n',
    'doc.json': '{"description": "apiVersion: v1, kind: Endpoints"}',
  };
  it('reports nothing', async () => {
    const { result, files } = await lint(negatives, rule, { fix: true });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(files).toEqual(negatives);
  });

  it('does not count a selector that only some renderings of a Helm template have', async () => {
    // kube-prometheus-stack: the selector is written only when no endpoints are configured.
    const { result } = await lint(
      {
        'templates/svc.yaml':
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "c.fullname" . }}\nspec:\n  clusterIP: None\n' +
          '{{- if .Values.endpoints }}{{- else }}\n  selector:\n    component: kube-scheduler\n{{- end }}\n',
        'templates/ep.yaml': endpoints(oneAddress, '  name: {{ include "c.fullname" . }}\n'),
      },
      rule,
    );
    expect(result.findings.map((f) => [f.fixable, /which has a selector/.test(f.message)])).toEqual([[true, false]]);
  });

  it('converts when the Service with a selector lives in another namespace', async () => {
    const { result } = await lint(
      {
        'svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\n  namespace: a\nspec:\n  selector:\n    app: ext\n',
        'ep.yaml': endpoints(oneAddress, '  name: ext\n  namespace: b\n'),
      },
      rule,
    );
    expect(result.findings.map((f) => f.fixable)).toEqual([true]);
  });
});

describe('endpoints-manifest keeps line endings and BOM', () => {
  const input = endpoints(oneAddress, '  name: ext\n  namespace: web\n');
  it('writes CRLF into a CRLF file and keeps the BOM', async () => {
    const crlf = `\uFEFF# external\r\n${input.replace(/\n/g, '\r\n')}`;
    const { files, result } = await lint({ 'ep.yaml': crlf }, rule, { fix: true });
    expect(result.summary.fixed).toBe(1);
    const out = files['ep.yaml'];
    expect(out.startsWith('\uFEFF# external\r\napiVersion: discovery.k8s.io/v1\r\n')).toBe(true);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    const lf = await lint({ 'ep.yaml': `# external\n${input}` }, rule, { fix: true });
    expect(out).toBe(`\uFEFF${lf.files['ep.yaml'].replace(/\n/g, '\r\n')}`);
  });

  it('keeps existing service-name and managed-by labels that agree, in their place', async () => {
    const labelled = endpoints(
      oneAddress,
      '  name: ext\n  labels:\n    endpointslice.kubernetes.io/managed-by: platform-team\n    kubernetes.io/service-name: ext\n    team: a\n',
    );
    const { files, result } = await lint({ 'ep.yaml': labelled }, rule, { fix: true, settings: { managedBy: 'platform-team' } });
    expect(result.summary.fixed).toBe(1);
    expect(files['ep.yaml']).toContain(
      '  labels:\n    endpointslice.kubernetes.io/managed-by: platform-team\n    kubernetes.io/service-name: ext\n    team: a\naddressType: IPv4\n',
    );
  });

  it('places a comment inside the object even when the same text stands above it', async () => {
    const input = `# note\n${endpoints('subsets:\n  - addresses:\n      # note\n      - ip: 10.0.0.1\n')}`;
    const { files } = await lint({ 'ep.yaml': input }, rule, { fix: true });
    expect(files['ep.yaml']).toMatch(/^# note\napiVersion: discovery\.k8s\.io\/v1\n[\s\S]*endpoints:\n  # note\n  - addresses:\n      - 10\.0\.0\.1\n/);
  });

  it('uses the configured managed-by value', async () => {
    const { files } = await lint({ 'ep.yaml': input }, rule, { fix: true, settings: { managedBy: 'platform-team' } });
    expect(files['ep.yaml']).toContain('endpointslice.kubernetes.io/managed-by: platform-team');
  });

  it('--dry-run writes nothing but shows the diff', async () => {
    const { files, result } = await lint({ 'ep.yaml': input }, rule, { dryRun: true });
    expect(files['ep.yaml']).toBe(input);
    expect(result.diffs[0].patch).toContain('+kind: EndpointSlice');
  });
});
