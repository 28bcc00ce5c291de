/**
 * prometheus-sd-endpoints-role: Prometheus scrape jobs that discover targets through the deprecated v1 Endpoints
 * API (`kubernetes_sd_configs: [{role: endpoints}]`), in every place a platform repository keeps them.
 * Prometheus's endpoints role reads v1 Endpoints, so after Kubernetes 1.33 every such Prometheus draws the
 * deprecation warning, and sees at most 1000 addresses per Service.
 */
import type { Document } from 'yaml';
import { endpointsRoles, rewriteJob } from '../codemods/prometheus-endpointslice-role.js';
import type { YamlAst } from '../src/languages/helm.js';
import { importYaml } from '../src/languages/yaml-import.js';
import { mapGet, mapGetString } from '../src/manifests.js';
import { findScrapeJobs, toFileEdits, type ParseAll, type ScrapeJob } from '../src/prometheus/scrape-jobs.js';
import type { Edit, Rule } from '../src/types.js';

let parseAll: ParseAll | undefined;

/** Edits made in the job's text, in the file's coordinates. */
function jobEdits(job: ScrapeJob, edits: Edit[]): Edit[] {
  return job.embedded ? toFileEdits(job.embedded, edits) : edits;
}

function fileRange(job: ScrapeJob, start: number, end: number): [number, number] {
  if (job.embedded) return [job.embedded.toFile(start), job.embedded.toFile(end)];
  return job.fallbackRange ?? [start, end];
}

export const rule: Rule<YamlAst> = {
  meta: {
    id: 'prometheus-sd-endpoints-role',
    severity: 'warning',
    description: 'Prometheus Kubernetes service discovery with role: endpoints (reads the deprecated v1 Endpoints API)',
    help:
      'Prometheus discovers targets of role: endpoints from v1 Endpoints, deprecated in Kubernetes 1.33 and capped at ' +
      '1000 addresses per Service. role: endpointslice (Prometheus 2.21+) reads discovery.k8s.io/v1 EndpointSlices. ' +
      'The fix switches the role, renames the meta labels the job relabels, and drops terminating endpoints, which ' +
      'Endpoints never listed, so the job keeps scraping the same pods.',
    docs: 'rules/prometheus-sd-endpoints-role.md',
    languages: ['yaml'],
    triggers: ['kubernetes_sd_configs'],
    // `endpoints\b` is not `endpointslice`; quotes and a JSON-style key are allowed.
    mayReport: (text) => /\brole["']?\s*:\s*["']?endpoints\b/.test(text),
    fixable: true,
    codemod: 'prometheus-endpointslice-role',
    messages: {
      endpointsRole:
        'Prometheus job "{{job}}" discovers targets with role: endpoints, which reads the deprecated v1 Endpoints API: ' +
        'use role: endpointslice{{changes}}. Prometheus needs list/watch on endpointslices in discovery.k8s.io (its ' +
        'RBAC), and {{version}}; before Prometheus 3.11 a dual-stack Service yields one target per address family',
      notFixable:
        'Prometheus job "{{job}}" discovers targets with role: endpoints, which reads the deprecated v1 Endpoints API; ' +
        'not fixed because {{why}}. Use role: endpointslice, rename the meta labels its relabel_configs use (see ' +
        'rules/prometheus-sd-endpoints-role.md), and grant list/watch on endpointslices in discovery.k8s.io',
    },
  },
  async prepare() {
    const yaml = await importYaml();
    parseAll ??= (text) => yaml.parseAllDocuments(text, { prettyErrors: false }) as unknown as Document.Parsed[];
  },
  check(context) {
    const { ast, file } = context;
    if (!parseAll) throw new Error('prometheus-sd-endpoints-role: prepare() was not awaited');
    for (const job of findScrapeJobs(ast, file.text, parseAll)) {
      const roles = endpointsRoles(job.node);
      if (roles.length === 0) continue;
      const [start, end] = fileRange(job, roles[0].range![0], roles[0].range![1]);
      const nameNode = mapGet(job.node, 'job_name');
      // In a template the parser saw the name masked: show it as written.
      const name = (job.notRewritable && nameNode ? job.source(nameNode)?.trim() : undefined) ?? mapGetString(job.node, 'job_name') ?? '(unnamed)';
      const outcome = job.notRewritable ? { reason: job.notRewritable } : rewriteJob(job.text, job.node);
      if ('reason' in outcome) {
        context.report({ start, end, messageId: 'notFixable', data: { job: name, why: outcome.reason } });
        continue;
      }
      const { renames, dropsTerminating, edits } = outcome.rewrite;
      const changes = [
        ...renames.map((r) => `${r.from} becomes ${r.to}${r.note ? ` (${r.note})` : ''}`),
        ...(dropsTerminating ? ['a first relabel rule drops terminating endpoints, which Endpoints never listed'] : []),
      ];
      const newest = renames.map((r) => r.since).filter((v): v is string => v !== undefined).sort().pop();
      context.report({
        start,
        end,
        messageId: 'endpointsRole',
        data: {
          job: name,
          changes: changes.length ? `; the fix: ${changes.join('; ')}` : '',
          version: newest ? `Prometheus ${newest} or newer for the renamed labels` : 'Prometheus 2.21 or newer',
        },
        fix: jobEdits(job, edits),
      });
    }
  },
};
