/**
 * The TS/JS side of the differential harness (issue 15): build a fixture project's code (before and after
 * `--fix`) with esbuild, load it against the local API server, call its functions on a cluster state, and record
 * what a caller could observe: a value, an error by the class a caller tests for (a 404 of the client's own error
 * type), or a crash.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import * as k8s from '@kubernetes/client-node';
import * as k8s0 from 'client-node-0';
import { repoRoot } from '../helpers.js';
import { kubeConfigOptions } from './api-server.js';

export type Generation = 0 | 1;

/** How a result is compared: as it is, or (where the function's contract is a set) sorted and de-duplicated. */
export type Contract = 'exact' | 'set';

export type Outcome =
  | { kind: 'value'; value: unknown }
  | { kind: 'error'; error: string }
  | { kind: 'crash'; error: string };

const CLIENT_ENTRY: Record<Generation, string> = {
  1: path.join(repoRoot, 'node_modules/@kubernetes/client-node/dist/index.js'),
  0: path.join(repoRoot, 'node_modules/client-node-0/dist/index.js'),
};

/**
 * Bundles each entry of a project directory (its local imports included) into `out`, with client-node left
 * external and pointed at the installed package of the project's generation: 1.x as ESM (it is ESM only), 0.x as
 * CommonJS. Returns the built file of each entry.
 */
export async function buildProject(dir: string, entries: string[], generation: Generation, out: string): Promise<Map<string, string>> {
  const built = new Map<string, string>();
  for (const entry of entries) {
    const outfile = path.join(out, entry.replace(/\.[cm]?[jt]sx?$/, generation === 1 ? '.mjs' : '.cjs'));
    await esbuild.build({
      entryPoints: [path.join(dir, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: generation === 1 ? 'esm' : 'cjs',
      target: 'node20',
      logLevel: 'silent',
      plugins: [
        {
          name: 'client-node',
          setup(build) {
            build.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: CLIENT_ENTRY[generation], external: true }));
          },
        },
      ],
    });
    built.set(entry, outfile);
  }
  return built;
}

export async function loadModule(file: string): Promise<Record<string, unknown>> {
  if (file.endsWith('.cjs')) return createRequire(import.meta.url)(file) as Record<string, unknown>;
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, unknown>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Code under test configures its own KubeConfig (loadFromDefault, loadFromCluster, or none at all): in the harness
 * each of these reaches the local server, in both generations. Returns the function that undoes it.
 */
export function pointClientsAt(url: string): () => void {
  const undo: (() => void)[] = [];
  for (const KubeConfig of [k8s.KubeConfig, k8s0.KubeConfig] as unknown as { prototype: Record<string, (...a: unknown[]) => unknown> }[]) {
    const proto = KubeConfig.prototype;
    const saved = { loadFromDefault: proto.loadFromDefault, loadFromCluster: proto.loadFromCluster, makeApiClient: proto.makeApiClient };
    proto.loadFromDefault = function (this: { loadFromOptions(o: unknown): void }) {
      this.loadFromOptions(kubeConfigOptions(url));
    };
    proto.loadFromCluster = proto.loadFromDefault;
    proto.makeApiClient = function (this: { getCurrentCluster(): unknown; loadFromOptions(o: unknown): void }, ...args: unknown[]) {
      // `new KubeConfig().makeApiClient(...)` with nothing loaded: what a default environment would give.
      if (!this.getCurrentCluster()) this.loadFromOptions(kubeConfigOptions(url));
      return saved.makeApiClient.apply(this, args);
    };
    undo.push(() => Object.assign(proto, saved));
  }
  return () => undo.forEach((u) => u());
}

export function kubeConfigFor(generation: Generation, url: string): k8s.KubeConfig | k8s0.KubeConfig {
  const kc = generation === 1 ? new k8s.KubeConfig() : new k8s0.KubeConfig();
  kc.loadFromOptions(kubeConfigOptions(url));
  return kc;
}

function parsedBody(body: unknown): Record<string, unknown> | undefined {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
}

/**
 * An error as the caller's checks see it: 1.x callers test `err instanceof ApiException` and `err.code`; 0.x
 * callers `err.statusCode`, `err.response.statusCode` or `err.body.reason`. A TypeError or ReferenceError is a crash.
 */
export function classifyError(error: unknown): Outcome {
  if (error instanceof TypeError || error instanceof ReferenceError) return { kind: 'crash', error: `${error.name}: ${error.message}` };
  if (error instanceof k8s.ApiException) {
    const body = parsedBody(error.body);
    return { kind: 'error', error: `ApiException code=${error.code} reason=${body?.reason}` };
  }
  if (error instanceof k8s0.HttpError) {
    const body = parsedBody(error.body);
    return { kind: 'error', error: `HttpError statusCode=${error.statusCode} response.statusCode=${error.response?.statusCode} reason=${body?.reason}` };
  }
  return { kind: 'error', error: `other ${(error as Error)?.name ?? typeof error}` };
}

function canonical(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

export function normalize(outcome: Outcome, contract: Contract): Outcome {
  if (outcome.kind !== 'value') return outcome;
  const value = canonical(outcome.value);
  if (contract === 'set' && Array.isArray(value)) {
    const unique = [...new Set(value.map((v) => JSON.stringify(v)))].sort();
    return { kind: 'value', value: unique.map((v) => JSON.parse(v)) };
  }
  return { kind: 'value', value };
}

export async function observe(call: () => Promise<unknown>, contract: Contract): Promise<Outcome> {
  try {
    return normalize({ kind: 'value', value: await call() }, contract);
  } catch (error) {
    return classifyError(error);
  }
}

/** A short text of an outcome, for the per-(function, state) report. */
export function describeOutcome(outcome: Outcome): string {
  if (outcome.kind !== 'value') return `${outcome.kind}: ${outcome.error}`;
  const text = JSON.stringify(outcome.value) ?? 'undefined';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
