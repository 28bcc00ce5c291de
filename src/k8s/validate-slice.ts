/**
 * Is a generated `discovery.k8s.io/v1` EndpointSlice one the API server accepts? The schema check comes from
 * kubernetes-models (generated from the Kubernetes OpenAPI); the rules the OpenAPI schema cannot express (limits,
 * DNS names, address syntax per address type, unique port names) are checked here, as the API server's
 * validation does. The models package is loaded by the rules' `prepare` (see runtime.ts), never at start-up.
 */
import { parseIP, rejectedEndpointAddress } from './ip.js';
import { endpointSliceSchema } from './runtime.js';

export const MAX_ENDPOINTS_PER_SLICE = 1000;
export const MAX_PORTS_PER_SLICE = 100;
export const MAX_ADDRESSES_PER_ENDPOINT = 100;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function loadSchemaValidator(): (slice: unknown) => void {
  const EndpointSlice = endpointSliceSchema();
  return (slice) => new EndpointSlice(slice).validate();
}

export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return `label key ${key} has an invalid prefix`;
  if (name.length > 63 || !LABEL_NAME.test(name)) return `label key ${key} is not a valid label name`;
  return undefined;
}

interface SliceShape {
  metadata?: { name?: unknown; namespace?: unknown; labels?: Record<string, unknown> };
  addressType?: unknown;
  endpoints?: { addresses?: unknown[]; hostname?: unknown; nodeName?: unknown }[];
  ports?: { name?: unknown; port?: unknown }[];
}

/**
 * The reasons `slice` would be rejected, first problem first (empty: valid). Values that are Helm templates must
 * be replaced by valid stand-ins before calling this.
 */
export function sliceProblems(slice: unknown, options: { generated: boolean } = { generated: true }): string[] {
  const problems: string[] = [];
  try {
    loadSchemaValidator()(slice);
  } catch (error) {
    problems.push(`schema: ${(error as Error).message}`);
  }
  const s = slice as SliceShape;
  if (!options.generated) return [...problems, ...limitProblems(s)];
  const name = s.metadata?.name;
  if (typeof name !== 'string' || !isDnsSubdomain(name)) problems.push(`metadata.name ${JSON.stringify(name)} is not a DNS subdomain of at most 253 characters`);
  const namespace = s.metadata?.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || !isDnsLabel(namespace))) problems.push(`metadata.namespace ${JSON.stringify(namespace)} is not a DNS label`);
  for (const [key, value] of Object.entries(s.metadata?.labels ?? {})) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) problems.push(keyProblem);
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) problems.push(`label ${key}: ${JSON.stringify(value)} is not a valid label value`);
  }
  problems.push(...limitProblems(s));
  const endpoints = s.endpoints ?? [];
  endpoints.forEach((endpoint, i) => {
    for (const address of endpoint.addresses ?? []) {
      const parsed = typeof address === 'string' ? parseIP(address) : undefined;
      if (!parsed?.ok) problems.push(`endpoints[${i}]: ${JSON.stringify(address)} is not an IP address`);
      else if (parsed.family !== s.addressType) problems.push(`endpoints[${i}]: ${address} is not an ${String(s.addressType)} address`);
      else if (parsed.canonical !== address) problems.push(`endpoints[${i}]: ${address} is not in canonical form (${parsed.canonical})`);
      else {
        const rejected = rejectedEndpointAddress(address);
        if (rejected) problems.push(`endpoints[${i}]: ${address} ${rejected}`);
      }
    }
    if (endpoint.hostname !== undefined && (typeof endpoint.hostname !== 'string' || !isDnsLabel(endpoint.hostname))) problems.push(`endpoints[${i}].hostname ${JSON.stringify(endpoint.hostname)} is not a DNS label`);
    if (endpoint.nodeName !== undefined && (typeof endpoint.nodeName !== 'string' || !isDnsSubdomain(endpoint.nodeName))) problems.push(`endpoints[${i}].nodeName ${JSON.stringify(endpoint.nodeName)} is not a valid node name`);
  });
  const ports = s.ports ?? [];
  ports.forEach((port, i) => {
    if (port.port !== undefined && (typeof port.port !== 'number' || !Number.isInteger(port.port) || port.port < 1 || port.port > 65535)) problems.push(`ports[${i}].port ${JSON.stringify(port.port)} is not a port number (1-65535)`);
  });
  return problems;
}

/**
 * The API's limits, which hold for any slice (also one written by hand that slicefix only migrates): endpoint and
 * port counts, 1-100 addresses per endpoint, unique port names that are DNS labels.
 */
function limitProblems(s: SliceShape): string[] {
  const problems: string[] = [];
  const endpoints = s.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS_PER_SLICE) problems.push(`${endpoints.length} endpoints; the API allows at most ${MAX_ENDPOINTS_PER_SLICE} per slice`);
  endpoints.forEach((endpoint, i) => {
    const addresses = endpoint.addresses ?? [];
    if (addresses.length < 1 || addresses.length > MAX_ADDRESSES_PER_ENDPOINT) problems.push(`endpoints[${i}] has ${addresses.length} addresses; the API wants 1 to ${MAX_ADDRESSES_PER_ENDPOINT}`);
  });
  const ports = s.ports ?? [];
  if (ports.length > MAX_PORTS_PER_SLICE) problems.push(`${ports.length} ports; the API allows at most ${MAX_PORTS_PER_SLICE} per slice`);
  const seen = new Set<string>();
  ports.forEach((port, i) => {
    const portName = port.name === undefined || port.name === null ? '' : port.name;
    if (typeof portName !== 'string' || (portName !== '' && !isDnsLabel(portName))) problems.push(`ports[${i}].name ${JSON.stringify(portName)} is not a DNS label`);
    else if (seen.has(portName)) problems.push(`port name ${JSON.stringify(portName)} is used twice; port names must be unique in a slice`);
    else seen.add(portName);
  });
  return problems;
}
