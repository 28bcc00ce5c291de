#!/usr/bin/env node
// Writes the rule table into README.md between the rule-table markers, from the rules' own metadata
// (so the README can never disagree with --list-rules). `--check` exits 1 when the README is out of date.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { rules } = await import(path.join(root, 'dist/rules/index.js'));

export function ruleTable(list) {
  const rows = list.map(
    (r) =>
      `| [\`${r.meta.id}\`](${r.meta.docs}) | ${r.meta.severity} | ${r.meta.fixable ? 'yes' : 'no'} | ${r.meta.languages.join(', ')} | ${r.meta.description} |`,
  );
  return ['| rule | severity | fix | files | what it finds |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

const readme = path.join(root, 'README.md');
const text = fs.readFileSync(readme, 'utf8');
const start = '<!-- rule-table:start -->';
const end = '<!-- rule-table:end -->';
const updated = text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), `${start}\n${ruleTable(rules)}\n${end}`);
if (process.argv.includes('--check')) {
  if (updated !== text) {
    console.error('README.md rule table is out of date: run npm run docs');
    process.exit(1);
  }
} else if (updated !== text) {
  fs.writeFileSync(readme, updated);
}
