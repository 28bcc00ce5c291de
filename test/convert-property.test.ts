/**
 * Property tests for the Endpoints → EndpointSlice conversion (issue 7): for generated Endpoints objects the slices
 * keep exactly the multiset of (address, port, protocol, ready, nodeName, hostname, targetRef) of the endpoints
 * the mirroring controller makes of them (one per address and port set, "not ready wins"), hold one address
 * family each, respect maxEndpointsPerSlice and the 100-port limit, validate, render to text that parses back to
 * the same objects, and converting again changes nothing.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadManifestRuntime } from '../src/k8s/runtime.js';
import { stringify } from 'yaml';
import { endpointsToSlices, type EndpointSliceObject } from '../codemods/endpoints-to-slices.js';
import { endpointsManifest } from '../rules/endpoints-manifest.js';
import { applyEdits } from '../src/edits.js';
import { parseIP, rejectedEndpointAddress } from '../src/k8s/ip.js';
import { sliceProblems } from '../src/k8s/validate-slice.js';
import { yamlLanguage, type YamlAst } from '../src/languages/yaml.js';
import type { RuleReport, Settings } from '../src/types.js';
import { endpointsTuples, mirroredEndpoints, objectsOf, slicesTuples } from './endpoints-manifest.support.js';

// Codemods and schema checks called directly need what the rules' prepare() loads.
beforeAll(loadManifestRuntime);

type Obj = Record<string, any>;

const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/);
const hex = (n: number, upper: boolean, pad: boolean) => {
  const text = pad ? n.toString(16).padStart(4, '0') : n.toString(16);
  return upper ? text.toUpperCase() : text;
};

/** An IPv6 address written in any legal (often non-canonical) way: upper case, leading zeros, uncompressed. */
const ipv6 = fc
  .record({
    groups: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }),
    upper: fc.boolean(),
    pad: fc.boolean(),
    compress: fc.boolean(),
  })
  .filter(({ groups }) => !(groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff))
  .map(({ groups, upper, pad, compress }) => {
    const parts = groups.map((g) => hex(g, upper, pad));
    if (!compress) return parts.join(':');
    const zero = groups.indexOf(0);
    if (zero === -1) return parts.join(':');
    return `${parts.slice(0, zero).join(':')}::${parts.slice(zero + 1).join(':')}`;
  });
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));

/** Addresses the API server accepts (loopback, link-local, unspecified are reported, tested elsewhere). */
const endpointIP = fc.oneof(ipv4, ipv6).filter((ip) => rejectedEndpointAddress(ip) === undefined);

const address = fc.record(
  {
    ip: endpointIP,
    nodeName: label,
    hostname: fc.oneof(label, fc.constant('')),
    targetRef: fc.record({ kind: fc.constant('Pod'), name: label, namespace: label }, { requiredKeys: ['kind', 'name'] }),
  },
  { requiredKeys: ['ip'] },
);

const port = (name: string | undefined) =>
  fc.record(
    {
      port: fc.integer({ min: 1, max: 65535 }),
      protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'),
      appProtocol: fc.constantFrom('http', 'kubernetes.io/h2c'),
    },
    { requiredKeys: ['port'] },
  ).map((p) => (name === undefined ? p : { name, ...p }));

/** 0 ports, one (named or not), or several uniquely named ones (as the Endpoints API requires). */
const ports = fc.oneof(
  fc.constant([] as Obj[]),
  fc.option(label, { nil: undefined }).chain((name) => port(name).map((p) => [p])),
  fc.uniqueArray(label, { minLength: 2, maxLength: 5 }).chain((names) => fc.tuple(...names.map((n) => port(n)))),
);

/**
 * A subset whose lists often repeat an address: the same address again in `addresses`, or also in
 * `notReadyAddresses` (the mirroring controller makes one endpoint of those, not ready).
 */
const subset = (maxAddresses: number) =>
  fc
    .record({
      addresses: fc.array(address, { maxLength: maxAddresses }),
      notReadyAddresses: fc.array(address, { maxLength: Math.max(1, maxAddresses >> 2) }),
      repeats: fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 3 }),
      ports,
    })
    .map(({ addresses, notReadyAddresses, repeats, ports }) => {
      const ready = [...addresses];
      const notReady = [...notReadyAddresses];
      for (const [pick, asNotReady] of addresses.length ? repeats : []) (asNotReady ? notReady : ready).push({ ...addresses[pick % addresses.length] });
      return { addresses: ready, notReadyAddresses: notReady, ports };
    })
    .filter((s) => s.addresses.length + s.notReadyAddresses.length > 0);

const endpointsObject = (maxAddresses: number) =>
  fc.record({
    apiVersion: fc.constant('v1'),
    kind: fc.constant('Endpoints'),
    metadata: fc.record({ name: label, namespace: label, labels: fc.dictionary(label, label, { maxKeys: 3 }) }, { requiredKeys: ['name'] }),
    subsets: fc.array(subset(maxAddresses), { minLength: 1, maxLength: 4 }),
  });

/** A large object: up to 2,500 addresses over a few subsets (addresses drawn from a seed to stay fast). */
const bigEndpoints = fc
  .record({ counts: fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 3 }), seed: fc.nat(), portList: ports })
  .map(({ counts, seed, portList }) => {
    let n = seed;
    const next = () => (n = (Math.imul(n, 1103515245) + 12345) >>> 0);
    const ip = () => (next() % 5 === 0 ? `fd00::${(next() % 0xffff).toString(16)}` : `10.${next() % 256}.${next() % 256}.${next() % 256}`);
    return {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'big' },
      subsets: counts.map((count, i) => ({
        addresses: Array.from({ length: count }, (_, j) => ({ ip: ip(), nodeName: `node-${j % 7}` })),
        notReadyAddresses: Array.from({ length: count >> 3 }, () => ({ ip: ip() })),
        ports: i === 0 ? portList : [{ name: `p${i}`, port: 8000 + i }],
      })),
    };
  });

const settingsFor = (max: number): Settings => ({ managedBy: 'slicefix', maxEndpointsPerSlice: max });

/** Converts `input`; a refusal is right only where the oracle sees two listings the controller would merge lossily. */
function convertChecked(input: Obj, settings: Settings): EndpointSliceObject[] | undefined {
  const result = endpointsToSlices(input, settings);
  const { conflict } = mirroredEndpoints(input);
  if (!result.ok) {
    expect(result.reason, 'refused without a conflicting duplicate').toMatch(/for the same ports with a different (nodeName|targetRef)/);
    expect(conflict).toBe(true);
    return undefined;
  }
  expect(conflict).toBe(false);
  return result.slices;
}

function checkSlices(input: Obj, slices: EndpointSliceObject[], settings: Settings): void {
  expect(slicesTuples(slices as Obj[])).toEqual(endpointsTuples(input));
  expect(new Set(slices.map((s) => s.metadata.name)).size).toBe(slices.length);
  for (const slice of slices) {
    expect(slice.endpoints.length).toBeGreaterThan(0);
    expect(slice.endpoints.length).toBeLessThanOrEqual(settings.maxEndpointsPerSlice);
    expect(slice.ports.length).toBeLessThanOrEqual(100);
    for (const endpoint of slice.endpoints) {
      const parsed = parseIP(endpoint.addresses[0]);
      expect(parsed.ok && parsed.family).toBe(slice.addressType);
    }
    expect(sliceProblems(slice)).toEqual([]);
    expect((slice.metadata.labels as Obj)['kubernetes.io/service-name']).toBe(input.metadata.name);
  }
}

/**
 * The Endpoints that the slices describe: each run of equally ready endpoints of a slice becomes a subset with the
 * slice's ports, so the order of endpoints is kept. Converting it must give exactly the same slices.
 */
function backToEndpoints(input: Obj, slices: EndpointSliceObject[]): Obj {
  const toAddress = (e: Obj) => {
    const a: Obj = { ip: e.addresses[0] };
    for (const key of ['hostname', 'nodeName', 'targetRef']) if (e[key] !== undefined) a[key] = e[key];
    return a;
  };
  const subsets: Obj[] = [];
  for (const slice of slices) {
    let run: Obj | undefined;
    let runReady: boolean | undefined;
    for (const endpoint of slice.endpoints) {
      if (!run || runReady !== endpoint.conditions.ready) {
        run = { addresses: [], notReadyAddresses: [], ports: slice.ports };
        runReady = endpoint.conditions.ready;
        subsets.push(run);
      }
      run[endpoint.conditions.ready ? 'addresses' : 'notReadyAddresses'].push(toAddress(endpoint));
    }
  }
  return { ...input, subsets };
}

function runRule(text: string, settings: Settings): RuleReport[] {
  const { ast, errors } = yamlLanguage.parse(text, 'x.yaml');
  expect(errors).toEqual([]);
  const reports: RuleReport[] = [];
  const facts = { add: () => {}, get: () => [] };
  endpointsManifest.check({
    file: { path: 'x.yaml', absPath: '/x.yaml', language: 'yaml', text },
    ast: ast as YamlAst,
    settings,
    facts,
    report: (r) => reports.push(r),
  });
  return reports;
}

describe('Endpoints → EndpointSlice conversion properties', () => {
  it('keeps every endpoint, one family per slice, valid slices, and is stable', () => {
    fc.assert(
      fc.property(endpointsObject(12), fc.integer({ min: 1, max: 8 }), (input, max) => {
        const settings = settingsFor(max);
        const slices = convertChecked(input, settings);
        if (!slices) return;
        checkSlices(input, slices, settings);
        const again = endpointsToSlices(backToEndpoints(input, slices), settings);
        expect(again.ok && again.slices).toEqual(slices);
      }),
      { numRuns: 150 },
    );
  });

  it('renders text that parses back to the slices, and a second run finds nothing', () => {
    fc.assert(
      fc.property(endpointsObject(6), fc.integer({ min: 1, max: 5 }), fc.boolean(), (input, max, indentSeq) => {
        const settings = settingsFor(max);
        const text = `# before\n---\n${stringify(input, { indentSeq })}---\nkind: ConfigMap\n`;
        const reports = runRule(text, settings);
        expect(reports).toHaveLength(1);
        if (mirroredEndpoints(input).conflict) {
          expect(reports[0].fix).toBeUndefined();
          return;
        }
        expect(reports[0].fix).toBeDefined();
        const fixed = applyEdits(text, reports[0].fix!);
        expect(fixed.startsWith('# before\n---\n')).toBe(true);
        expect(fixed.endsWith('---\nkind: ConfigMap\n')).toBe(true);
        const expected = endpointsToSlices(input, settings);
        expect(expected.ok).toBe(true);
        const objects = objectsOf(fixed);
        expect(objects.slice(0, -1)).toEqual(JSON.parse(JSON.stringify((expected as { slices: unknown }).slices)));
        expect(runRule(fixed, settings)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('never drops a comment: each one is carried into the slices, or the object is reported', () => {
    let carried = 0;
    let reported = 0;
    fc.assert(
      fc.property(endpointsObject(4), fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 6 }), (input, spots) => {
        const settings = settingsFor(100);
        const lines = stringify(input).replace(/\n$/, '').split('\n');
        // Comments at random lines: after the value on the line, or on a line of their own before it. Two spots on
        // one line make one comment, "# note 0 # note 1".
        spots.forEach(([at, own], n) => {
          const i = at % lines.length;
          const indent = /^[ -]*/.exec(lines[i])![0].replace(/-/g, ' ');
          lines[i] = own ? `${indent}# note ${n}\n${lines[i]}` : `${lines[i]} # note ${n}`;
        });
        const text = `${lines.join('\n')}\n`;
        const reports = runRule(text, settings);
        expect(reports).toHaveLength(1);
        if (!reports[0].fix) {
          if (!mirroredEndpoints(input).conflict) expect(reports[0].data?.reason, text).toMatch(/^the comment "# note \d+( # note \d+)*" \(line \d+\) has no corresponding place/);
          reported++;
          return;
        }
        carried++;
        const fixed = applyEdits(text, reports[0].fix);
        for (let n = 0; n < spots.length; n++) expect(fixed).toContain(`# note ${n}`);
        const expected = endpointsToSlices(input, settings);
        expect(objectsOf(fixed)).toEqual(JSON.parse(JSON.stringify((expected as { slices: unknown }).slices)));
        expect(runRule(fixed, settings)).toEqual([]);
      }),
      { numRuns: 60 },
    );
    // Both outcomes occur, so the property checks something either way.
    expect(carried).toBeGreaterThan(0);
    expect(reported).toBeGreaterThan(0);
  });

  it('handles up to 2,500 addresses', () => {
    fc.assert(
      fc.property(bigEndpoints, fc.constantFrom(100, 250, 1000), (input, max) => {
        const settings = settingsFor(max);
        const slices = convertChecked(input, settings);
        if (slices) checkSlices(input, slices, settings);
      }),
      { numRuns: 8 },
    );
  });
});
