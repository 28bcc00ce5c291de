/**
 * The functions `ts-endpoints-client` adds to a file (once, at its end) so that code that read v1 Endpoints keeps
 * its meaning when it reads EndpointSlices instead:
 * - `endpointsOfSlices(slices)`: what v1 Endpoints listed for the Services of these slices, one object per Service
 *   (`metadata.name`/`namespace`, `subsets`): one subset per port set; ready addresses (`ready` unset counts as
 *   ready) and not-ready ones, terminating endpoints left out (the Endpoints controller never listed them); each
 *   endpoint once, although it sits in two slices while the controller moves it; addresses sorted by IP and shaped
 *   as `V1EndpointAddress` (`hostname`, `ip`, `nodeName`, `targetRef`, nothing else); a placeholder slice
 *   (`endpoints: null`) gives a Service without subsets, as an Endpoints object without pods had.
 * - `readEndpointsFromSlices(api, ...)`: `readNamespacedEndpoints` with the same parameters and result, answered
 *   from the Service's slices; when the Service has none it throws the 404 the read threw, as the client's own
 *   error type (1.x `ApiException` with `code` 404, 0.x `HttpError` with `statusCode` 404), so a caller's
 *   NotFound check still works.
 * The one deliberate difference: a dual-stack Service's slices hold both IP families and so does the result, where
 * v1 Endpoints held the primary family only (declared on the rule page).
 */
import { ts } from '../src/ts/compiler.js';
import type { Generation } from '../src/ts/client-node.js';
import type { EditPlan } from '../src/ts/edit-plan.js';

/** Marks the functions slicefix added, so that a later fix in the same file reuses them. */
const MARK = 'added by slicefix --fix';

const SLICES_DOC = `/**
 * What v1 Endpoints listed for the Services of these EndpointSlices
 * (${MARK}): per port set one subset of ready addresses (\`ready\`
 * unset counts as ready) and not-ready ones, terminating endpoints left out, each
 * endpoint once although it may sit in two slices while it moves. Unlike v1 Endpoints,
 * a dual-stack Service lists the addresses of both IP families.
 */`;

const SLICES_BODY = (ts: boolean) => `{
  const services = new Map${ts ? '<string, Service>' : ''}();
  const subsets = new Map${ts ? '<string, Subset>' : ''}();
  const seen = new Set${ts ? '<string>' : ''}();
  for (const slice of slices) {
    const namespace = slice.metadata?.namespace;
    const name = slice.metadata?.labels?.['kubernetes.io/service-name'] ?? '';
    const service = services.get(\`\${namespace}/\${name}\`) ?? { metadata: { name, namespace } };
    services.set(\`\${namespace}/\${name}\`, service);
    const ports = (slice.ports ?? []).map((p) => ({
      appProtocol: p.appProtocol,
      name: p.name || undefined,
      port: p.port ?? 0,
      protocol: p.protocol,
    }));
    const portSet = \`\${namespace}/\${name} \${JSON.stringify(ports)}\`;
    for (const endpoint of slice.endpoints ?? []) {
      const ready = endpoint.conditions?.ready !== false;
      if (!ready && endpoint.conditions?.terminating === true) continue;
      for (const ip of endpoint.addresses) {
        const id = \`\${portSet} \${ip} \${endpoint.targetRef?.uid ?? ''}\`;
        if (seen.has(id)) continue;
        seen.add(id);
        let subset = subsets.get(portSet);
        if (!subset) {
          subset = { ports };
          subsets.set(portSet, subset);
          service.subsets = [...(service.subsets ?? []), subset];
        }
        const { hostname, nodeName, targetRef } = endpoint;
        const address = { hostname, ip, nodeName, targetRef };
        if (ready) (subset.addresses ??= []).push(address);
        else (subset.notReadyAddresses ??= []).push(address);
      }
    }
  }
  const byIp = (a${ts ? ': Address' : ''}, b${ts ? ': Address' : ''}) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);
  for (const subset of subsets.values()) {
    subset.addresses?.sort(byIp);
    subset.notReadyAddresses?.sort(byIp);
  }
  return [...services.values()];
}`;

function slicesFunction(name: string, types: Record<string, string> | undefined): string {
  if (!types) return `${SLICES_DOC}\nfunction ${name}(slices) ${SLICES_BODY(false)}\n`;
  const typeLines = [
    `  type Address = {`,
    `    hostname?: string;`,
    `    ip: string;`,
    `    nodeName?: string;`,
    `    targetRef?: ${types.V1ObjectReference};`,
    `  };`,
    `  type Port = { appProtocol?: string; name?: string; port: number; protocol?: string };`,
    `  type Subset = { addresses?: Address[]; notReadyAddresses?: Address[]; ports: Port[] };`,
    `  type Service = { metadata: { name: string; namespace?: string }; subsets?: Subset[] };`,
  ].join('\n');
  return `${SLICES_DOC}\nfunction ${name}(slices: ${types.V1EndpointSlice}[]) ${SLICES_BODY(true).replace('{\n', `{\n${typeLines}\n`)}\n`;
}

const READ_DOC = `/**
 * readNamespacedEndpoints answered from the Service's EndpointSlices
 * (${MARK}): the same result, and the same 404 when the Service has no slice.
 */`;

const STATUS = `const status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: \`endpoints "\${name}" not found\`,
    reason: 'NotFound',
    details: { name, kind: 'endpoints' },
    code: 404,
  };`;

function readFunction(name: string, slices: string, generation: Generation, types: Record<string, string> | undefined, error: string): string {
  const t = (text: string) => (types ? text : '');
  if (generation === 1) {
    return `${READ_DOC}
async function ${name}(
  api${t(`: ${types?.DiscoveryV1Api}`)},
  { name, namespace, pretty }${t(': { name: string; namespace: string; pretty?: string }')},
) {
  const labelSelector = \`kubernetes.io/service-name=\${name}\`;
  const list = await api.listNamespacedEndpointSlice({ namespace, pretty, labelSelector });
  const [endpoints] = ${slices}(list.items);
  if (endpoints) return endpoints;
  ${STATUS}
  throw new ${error}(404, 'Unknown API Status Code!', JSON.stringify(status), {});
}
`;
  }
  return `${READ_DOC}
async function ${name}(
  api${t(`: ${types?.DiscoveryV1Api}`)},
  name${t(': string')},
  namespace${t(': string')},
  pretty${t('?: string')},
) {
  const labelSelector = \`kubernetes.io/service-name=\${name}\`;
  const list = await api.listNamespacedEndpointSlice(
    namespace,
    pretty,
    undefined,
    undefined,
    undefined,
    labelSelector,
  );
  const [endpoints] = ${slices}(list.body.items);
  if (endpoints) return { response: list.response, body: endpoints };
  ${STATUS}
  const response = Object.assign(Object.create(list.response), { statusCode: 404 });
  throw new ${error}(response, status, 404);
}
`;
}

/** The names of the functions slicefix added to this file before (`name` → whether it is ours). */
/** Once per parse of a file: every rewrite of the file asks. */
const declaredCache = new WeakMap<ts.SourceFile, Map<string, boolean>>();

function declaredFunctions(sf: ts.SourceFile): Map<string, boolean> {
  const cached = declaredCache.get(sf);
  if (cached) return cached;
  const out = new Map<string, boolean>();
  declaredCache.set(sf, out);
  const visit = (n: ts.Node): void => {
    if ((ts.isFunctionDeclaration(n) || ts.isVariableDeclaration(n) || ts.isClassDeclaration(n)) && n.name && ts.isIdentifier(n.name)) {
      out.set(n.name.text, ts.isFunctionDeclaration(n) && n.getFullText(sf).includes(MARK));
    } else if (ts.isIdentifier(n) && !out.has(n.text)) out.set(n.text, false);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The file's indentation unit, quote and whether it is TypeScript, so that added code reads like the file's own. */
function fileStyle(sf: ts.SourceFile): { indent: string; quote: string; semicolons: boolean; typed: boolean } {
  const lines = sf.text.split('\n');
  const indented = lines.map((l) => /^([ \t]+)\S/.exec(l)?.[1]).filter((i): i is string => i !== undefined);
  const indent = indented.some((i) => i.startsWith('\t')) ? '\t' : ' '.repeat(Math.min(...indented.map((i) => i.length), 8) || 2);
  const singles = (sf.text.match(/'[^'\n]*'/g) ?? []).length;
  const doubles = (sf.text.match(/"[^"\n]*"/g) ?? []).length;
  // No line ends with `;`: the file leaves statements to ASI, and so does the added code (no line of it starts
  // with `(` or `[`, so nothing joins the line before).
  const semicolons = /;[ \t]*(\/\/.*)?$/m.test(sf.text);
  return { indent, quote: doubles > singles ? '"' : "'", semicolons, typed: /\.[cm]?tsx?$/.test(sf.fileName) };
}

function restyle(code: string, style: { indent: string; quote: string; semicolons: boolean }): string {
  let out = code.replace(/^((?: {2})+)/gm, (lead: string) => style.indent.repeat(lead.length / 2));
  if (!style.semicolons) out = out.replace(/;$/gm, '');
  if (style.quote === '"') out = out.replace(/'([^'\n]*)'/g, (_m, inner: string) => `"${inner}"`);
  return out;
}

export interface AdapterNames {
  slices: string;
  read?: string;
}

/**
 * Makes sure the file has the functions it needs (adding them at its end, where function declarations are
 * visible to the whole module) and returns their names. `like` is a client-node reference of the file, whose style
 * names the client-node types and the error class.
 */
export function ensureAdapter(plan: EditPlan, like: ts.Node, generation: Generation, withRead: boolean): AdapterNames {
  const sf = plan.sf;
  const declared = declaredFunctions(sf);
  const style = fileStyle(sf);
  const pick = (base: string) => {
    let name = base;
    for (let i = 2; declared.has(name) && !declared.get(name); i++) name = `${base}${i}`;
    return { name, exists: declared.get(name) === true };
  };
  const slices = pick('endpointsOfSlices');
  const read = withRead ? pick('readEndpointsFromSlices') : undefined;
  const add: string[] = [];
  const types = style.typed
    ? {
        V1EndpointSlice: plan.ref('V1EndpointSlice', like),
        V1ObjectReference: plan.ref('V1ObjectReference', like),
        DiscoveryV1Api: plan.ref('DiscoveryV1Api', like),
      }
    : undefined;
  if (!slices.exists) add.push(slicesFunction(slices.name, types));
  if (read && !read.exists) {
    const error = plan.ref(generation === 1 ? 'ApiException' : 'HttpError', like);
    add.push(readFunction(read.name, slices.name, generation, types, error));
  }
  if (add.length > 0) {
    const end = sf.text.length;
    const sep = sf.text.endsWith('\n') ? '\n' : '\n\n';
    plan.replace(end, end, `${sep}${restyle(add.join('\n'), style)}`.replace(/\n$/, sf.text.endsWith('\n') ? '\n' : ''));
  }
  return { slices: slices.name, read: read?.name };
}
