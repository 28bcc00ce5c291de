/**
 * `--format sarif`: SARIF 2.1.0 for GitHub code scanning. Every rule that ran is listed, and `results` is always
 * present, even empty (kube-linter #213: an empty run without it broke uploads).
 */
import type { Fix, Log, ReportingDescriptor, Result } from 'sarif';
import type { FileDiff } from '../types.js';
import type { Formatter } from './types.js';

/** What --fix would change in one file, as a SARIF fix (--dry-run). */
function fileFix(diff: FileDiff): Fix {
  return {
    description: { text: `The changes slicefix --fix makes to ${diff.file}, for every fixable finding in it.` },
    artifactChanges: [
      {
        artifactLocation: { uri: encodeURI(diff.file), uriBaseId: '%SRCROOT%' },
        replacements: diff.replacements.map((r) => ({
          deletedRegion: { startLine: r.startLine, startColumn: r.startColumn, endLine: r.endLine, endColumn: r.endColumn },
          insertedContent: { text: r.text },
        })),
      },
    ],
  };
}

export const formatSarif: Formatter = (result, context) => {
  const rules: ReportingDescriptor[] = context.rules.map((meta) => ({
    id: meta.id,
    name: meta.id.replace(/(^|-)([a-z])/g, (_, __, ch: string) => ch.toUpperCase()),
    shortDescription: { text: meta.description },
    fullDescription: { text: meta.help },
    help: { text: meta.help, markdown: `${meta.help}\n\n[Rule documentation](${context.docsBaseUrl}/${meta.docs})` },
    helpUri: `${context.docsBaseUrl}/${meta.docs}`,
    defaultConfiguration: { level: meta.severity === 'error' ? 'error' : 'warning' },
    properties: { fixable: meta.fixable, tags: ['kubernetes', 'deprecation', 'endpoints'] },
  }));
  const index = new Map(context.rules.map((meta, i) => [meta.id, i]));
  const results: Result[] = result.findings.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: index.get(f.ruleId),
    level: f.severity === 'error' ? 'error' : 'warning',
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
        },
      },
    ],
    properties: { fixable: f.fixable },
  }));
  if (context.dryRun) {
    // A fix covers its whole file (fixes are applied together, in passes), so it goes on the file's first fixable
    // result only: applying every result's fixes then applies each change once.
    const diffs = new Map(result.diffs.map((d) => [d.file, d]));
    result.findings.forEach((f, i) => {
      const diff = f.fixable ? diffs.get(f.file) : undefined;
      if (!diff) return;
      results[i].fixes = [fileFix(diff)];
      diffs.delete(f.file);
    });
  }
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'slicefix',
            version: context.toolVersion,
            semanticVersion: context.toolVersion,
            informationUri: context.docsBaseUrl,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: result.errors.map((e) => ({
              level: 'error' as const,
              message: { text: e.message },
              locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(e.file), uriBaseId: '%SRCROOT%' } } }],
            })),
          },
        ],
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
};
