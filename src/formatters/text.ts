/** `--format text`: grouped by file like ESLint's stylish output; colour only when writing to a terminal. */
import type pc from 'picocolors';
import { bundled, lazyRequire } from '../load-cjs.js';
import { terminalSafe } from './terminal-safe.js';
import type { Formatter } from './types.js';

const picocolors = lazyRequire<typeof pc>('picocolors', bundled ? await import('picocolors') : undefined);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const formatText: Formatter = (result, context) => {
  const c = picocolors().createColors(context.color);
  const out: string[] = [];
  const byFile = new Map<string, typeof result.findings>();
  for (const f of result.findings) {
    const findings = byFile.get(f.file);
    if (findings) findings.push(f);
    else byFile.set(f.file, [f]);
  }
  for (const [file, findings] of byFile) {
    out.push(c.underline(terminalSafe(file)));
    // A loop, not Math.max(...): a file can have more findings than a call can take arguments.
    let width = 0;
    for (const f of findings) width = Math.max(width, `${f.line}:${f.column}`.length);
    for (const f of findings) {
      const where = `${f.line}:${f.column}`.padEnd(width);
      const level = f.severity === 'error' ? c.red('error  ') : c.yellow('warning');
      out.push(`  ${c.dim(where)}  ${level}  ${terminalSafe(f.message)}  ${c.dim(f.ruleId)}`);
    }
    out.push('');
  }
  for (const e of result.errors) out.push(`${c.red('✖')} ${terminalSafe(e.file)}: ${terminalSafe(e.message)}`);
  if (result.errors.length) out.push('');
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.length - errors;
  const fixable = result.summary.fixable;
  const skipped = result.summary.filesSkipped ? `, ${result.summary.filesSkipped} skipped` : '';
  const scanned = `${plural(result.summary.filesScanned, 'file')} scanned${skipped}`;
  const unchecked = new Set(result.errors.map((e) => e.file)).size;
  if (result.findings.length === 0 && unchecked === 0) {
    out.push(c.green(`✔ no problems`) + c.dim(` (${scanned}${result.summary.fixed ? `, ${plural(result.summary.fixed, 'file')} fixed` : ''})`));
  } else if (result.findings.length === 0) {
    // No findings, but files that could not be checked: exit 1, and the summary must not say all is well.
    out.push(c.red(c.bold(`✖ ${plural(unchecked, 'file')} could not be checked`)));
    out.push(c.dim(`  ${scanned}${result.summary.fixed ? `, ${plural(result.summary.fixed, 'file')} fixed` : ''}`));
  } else {
    const unsafe = result.findings.filter((f) => f.unsafeFixable).length;
    const more = unsafe ? `, ${unsafe} more with --fix --unsafe-fixes (review them: each message names what changes)` : '';
    const line = `✖ ${plural(result.findings.length, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')}), ${fixable} fixable with --fix${more}`;
    out.push((errors ? c.red : c.yellow)(c.bold(line)));
    out.push(c.dim(`  ${scanned}${result.summary.fixed ? `, ${plural(result.summary.fixed, 'file')} fixed` : ''}`));
  }
  return out.join('\n') + '\n';
};
