/** `--format json`: a contract for scripts; keys and their order are fixed (see README). */
import type { Formatter } from './types.js';

export const formatJson: Formatter = (result, context) =>
  JSON.stringify({
    version: 1,
    tool: { name: 'slicefix', version: context.toolVersion },
    findings: result.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      message: f.message,
      fixable: f.fixable,
      ...(f.unsafeFixable ? { unsafeFixable: true } : {}),
    })),
    errors: result.errors.map((e) => ({ file: e.file, message: e.message })),
    summary: {
      filesScanned: result.summary.filesScanned,
      filesSkipped: result.summary.filesSkipped,
      findings: result.summary.findings,
      fixable: result.summary.fixable,
      fixed: result.summary.fixed,
    },
    // Only with --dry-run, and last, so that the keys before it never move.
    ...(context.dryRun ? { diffs: result.diffs.map((d) => ({ file: d.file, patch: d.patch })) } : {}),
  }) + '\n';
