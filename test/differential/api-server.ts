/**
 * A local stand-in for kube-apiserver that serves one cluster state (cluster-states.ts) on the REST paths
 * @kubernetes/client-node calls, so that code written for client-node 1.x and 0.x runs unchanged against it:
 * - core v1 Endpoints: GET one by name (a 404 Status object when absent, as the API server answers), list in a
 *   namespace, list across namespaces;
 * - discovery.k8s.io/v1 EndpointSlices: the same three;
 * - v1 Services by name (so that code that checks the Service first runs too);
 * - `labelSelector` (equality, `!=`, `in`, `notin`, existence, several terms) and `fieldSelector`
 *   (`metadata.name`, `metadata.namespace`);
 * - `?watch=true`: one ADDED event per object as a JSON line, then the stream ends or stays open
 *   (`watchMode`), which is what client-node's Watch class and its informers read.
 * It listens on 127.0.0.1, port 0, with bounded connections and request times, and `close()` ends every open
 * watch so the tests leave nothing behind.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterState, Json } from './cluster-states.js';

export interface ApiServer {
  url: string;
  /** The state served from now on. */
  serve(state: ClusterState): void;
  /** `end`: a watch sends the current objects as ADDED events and ends; `open`: it stays open until close(). */
  watchMode: 'end' | 'open';
  /** Request lines (`GET /path?query`) received since the last serve(), for tests of the server itself. */
  requests: string[];
  close(): Promise<void>;
}

type Requirement = { key: string; op: 'in' | 'notin' | 'exists' | '!exists'; values: string[] };

/** Parses a Kubernetes label selector (k8s.io/apimachinery/pkg/labels `Parse`); throws on a syntax error. */
export function parseLabelSelector(selector: string): Requirement[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of selector) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += c;
  }
  terms.push(current);
  const out: Requirement[] = [];
  for (const raw of terms) {
    const term = raw.trim();
    if (term === '') {
      if (terms.length === 1) continue; // the empty selector selects everything
      throw new Error(`empty term in label selector "${selector}"`);
    }
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      out.push({ key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()) });
    } else if ((m = /^([\w./-]+)\s*(!=|==|=)\s*([\w./-]*)$/.exec(term))) {
      out.push({ key: m[1], op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]] });
    } else if ((m = /^!\s*([\w./-]+)$/.exec(term))) {
      out.push({ key: m[1], op: '!exists', values: [] });
    } else if ((m = /^([\w./-]+)$/.exec(term))) {
      out.push({ key: m[1], op: 'exists', values: [] });
    } else {
      throw new Error(`unable to parse requirement "${term}" of label selector "${selector}"`);
    }
  }
  return out;
}

export function matchesLabels(requirements: Requirement[], labels: Record<string, string> | undefined): boolean {
  return requirements.every((r) => {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    const value = has ? labels![r.key] : undefined;
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return has && r.values.includes(value!);
      case 'notin':
        return !has || !r.values.includes(value!);
    }
  });
}

/** `metadata.name=x,metadata.namespace!=y`: the two fields every object supports. */
function matchesFields(selector: string, metadata: Json): boolean {
  for (const term of selector.split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^(metadata\.name|metadata\.namespace)\s*(!=|==|=)\s*(.*)$/.exec(term);
    if (!m) throw new Error(`field label not supported: ${term}`);
    const actual = metadata[m[1] === 'metadata.name' ? 'name' : 'namespace'];
    if ((actual === m[3]) !== (m[2] !== '!=')) return false;
  }
  return true;
}

const RESOURCES: Record<string, { group: string; kind: string; of: (s: ClusterState) => Json[] }> = {
  endpoints: { group: 'v1', kind: 'Endpoints', of: (s) => s.endpoints },
  endpointslices: { group: 'discovery.k8s.io/v1', kind: 'EndpointSlice', of: (s) => s.endpointSlices },
  services: { group: 'v1', kind: 'Service', of: (s) => s.services },
};

function status(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** `/api/v1/...` or `/apis/discovery.k8s.io/v1/...` → resource, namespace (undefined: all), name. */
function route(pathname: string): { resource: string; namespace?: string; name?: string } | undefined {
  const m = /^\/(?:api\/v1|apis\/discovery\.k8s\.io\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?$/.exec(pathname);
  if (!m || !RESOURCES[m[2]]) return undefined;
  const group = pathname.startsWith('/api/v1') ? 'v1' : 'discovery.k8s.io/v1';
  if (RESOURCES[m[2]].group !== group) return undefined;
  return { resource: m[2], namespace: m[1] && decodeURIComponent(m[1]), name: m[3] && decodeURIComponent(m[3]) };
}

export async function startApiServer(): Promise<ApiServer> {
  let state: ClusterState | undefined;
  const watches = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    api.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (code: number, body: Json) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const where = route(url.pathname);
    if (req.method !== 'GET' || !where || !state) {
      send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const { group, kind, of } = RESOURCES[where.resource];
    const inScope = of(state).filter((o) => where.namespace === undefined || (o.metadata as Json).namespace === where.namespace);
    if (where.name !== undefined) {
      const found = inScope.find((o) => (o.metadata as Json).name === where.name);
      if (found) send(200, found);
      else send(404, status(404, 'NotFound', `${where.resource} "${where.name}" not found`, { name: where.name, kind: where.resource }));
      return;
    }
    let items: Json[];
    try {
      const labels = parseLabelSelector(url.searchParams.get('labelSelector') ?? '');
      const fields = url.searchParams.get('fieldSelector') ?? '';
      items = inScope.filter(
        (o) => matchesLabels(labels, (o.metadata as Json).labels as Record<string, string> | undefined) && matchesFields(fields, o.metadata as Json),
      );
    } catch (error) {
      send(400, status(400, 'BadRequest', (error as Error).message));
      return;
    }
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      // An open watch with no event yet must still answer: the client waits for the headers before it returns.
      res.flushHeaders();
      for (const object of items) res.write(`${JSON.stringify({ type: 'ADDED', object })}\n`);
      if (api.watchMode === 'end') res.end();
      else {
        watches.add(res);
        res.on('close', () => watches.delete(res));
      }
      return;
    }
    send(200, { apiVersion: group, kind: `${kind}List`, metadata: { resourceVersion: '1' }, items });
  });
  // Bounded: a test that forgets a request or a watch must not keep the process (and CI) waiting.
  server.maxConnections = 64;
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const api: ApiServer = {
    url: `http://127.0.0.1:${port}`,
    watchMode: 'end',
    requests: [],
    serve(next) {
      state = next;
      api.requests = [];
    },
    async close() {
      for (const res of watches) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}

/** The options of a KubeConfig that points at the server (client-node's loadFromOptions, 1.x and 0.x alike). */
export function kubeConfigOptions(url: string) {
  return {
    clusters: [{ name: 'differential', server: url, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 'differential' }],
    contexts: [{ name: 'differential', cluster: 'differential', user: 'tester', namespace: 'default' }],
    currentContext: 'differential',
  };
}
