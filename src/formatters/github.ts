/** `--format github`: workflow commands, which GitHub Actions turns into annotations on the pull request. */
import type { Formatter } from './types.js';

/** Escaping as in @actions/core: data escapes %, CR, LF; properties also `:` and `,`. */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export const formatGithub: Formatter = (result) => {
  const lines = result.findings.map((f) => {
    const command = f.severity === 'error' ? 'error' : 'warning';
    const props = [
      `file=${escapeProperty(f.file)}`,
      `line=${f.line}`,
      `col=${f.column}`,
      `endLine=${f.endLine}`,
      `endColumn=${f.endColumn}`,
      `title=${escapeProperty(`slicefix(${f.ruleId})`)}`,
    ];
    return `::${command} ${props.join(',')}::${escapeData(f.message)}`;
  });
  for (const e of result.errors) lines.push(`::error file=${escapeProperty(e.file)},title=slicefix::${escapeData(e.message)}`);
  return lines.length ? lines.join('\n') + '\n' : '';
};
