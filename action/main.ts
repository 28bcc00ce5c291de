/**
 * The GitHub Action (`action.yml`): scans the checked-out workspace, prints workflow annotations, writes a job
 * summary, optional SARIF for code scanning, and the outputs `findings` and `fixable`.
 *
 * Bundled by `action/build.mjs` into `action/bundle/index.mjs` (committed), so the action runs without `npm install`.
 * Inputs arrive as `INPUT_<NAME>` variables (upper case, hyphens kept), as the Actions runner sets them.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { rules as allRules } from '../rules/index.js';
import { resolveConfig, selectRules } from '../src/cli.js';
import { emptyResult } from '../src/result.js';
import { scan } from '../src/engine.js';
import { formatGithub } from '../src/formatters/github.js';
import { formatSarif } from '../src/formatters/sarif.js';
import { terminalSafe } from '../src/formatters/terminal-safe.js';
import type { FormatContext } from '../src/formatters/types.js';
import { gitScope } from '../src/git.js';
import type { Finding, Rule, ScanResult } from '../src/types.js';

declare const SLICEFIX_VERSION: string;
const version = typeof SLICEFIX_VERSION === 'string' ? SLICEFIX_VERSION : '0.0.0-dev';
const DOCS_BASE = 'https://github.com/slicefix/slicefix/blob/main';
/** How many findings the job summary lists (the annotations and SARIF carry all of them). */
const SUMMARY_FINDINGS = 20;

export interface ActionIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
}

class InputError extends Error {}

function input(env: NodeJS.ProcessEnv, name: string, fallback = ''): string {
  const value = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

function booleanInput(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = input(env, name, 'false').toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(`input ${name} must be true or false, not "${value}"`);
}

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Text the job summary shows as it is (file names and messages come from the scanned repository): every ASCII
 * punctuation character backslash-escaped, so no Markdown, HTML or link can start in it.
 */
const plainText = (s: string) => terminalSafe(s).replace(/[!-/:-@[-`{-~]/g, '\\$&');

/**
 * A Markdown code span that shows `s` literally: its fence is longer than any run of backticks in it, so nothing
 * in it can close the span (CommonMark), and a space pads a leading or trailing backtick.
 */
function codeSpan(s: string): string {
  const text = terminalSafe(s);
  const longest = (text.match(/`+/g) ?? []).reduce((most, run) => Math.max(most, run.length), 0);
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A path segment for a URL in Markdown: also `(`, `)` and the other characters encodeURIComponent keeps. */
const urlSegment = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function fileLink(env: NodeJS.ProcessEnv, finding: Finding): string {
  const label = codeSpan(`${finding.file}:${finding.line}`);
  const { GITHUB_SERVER_URL: server = 'https://github.com', GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = env;
  if (!repo || !sha) return label;
  const file = finding.file.split('/').map(urlSegment).join('/');
  return `[${label}](${server}/${repo}/blob/${sha}/${file}#L${finding.line})`;
}

/**
 * `$GITHUB_OUTPUT` lines in the multi-line form `name<<DELIMITER`, with a random delimiter the value does not
 * contain (as @actions/core writes them): a line break in a value cannot start another output.
 */
export function outputLines(outputs: Record<string, string | number>): string {
  return Object.entries(outputs)
    .map(([name, raw]) => {
      const value = String(raw);
      const delimiter = `ghadelimiter_${randomUUID()}`;
      if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`output ${name} contains its delimiter`);
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
}

/** The Markdown job summary: counts by rule, the first findings with links, and how to fix locally. */
export function jobSummary(result: ScanResult, rules: Rule[], env: NodeJS.ProcessEnv, paths: string[], fixed: boolean): string {
  const out: string[] = [];
  const { findings, errors, summary } = result;
  const errorCount = findings.filter((f) => f.severity === 'error').length;
  const scanned = `${plural(summary.filesScanned, 'file')} scanned`;
  if (findings.length === 0) {
    out.push(`## slicefix: no v1 Endpoints uses found`, '', `${scanned}${summary.fixed ? `, ${plural(summary.fixed, 'file')} fixed` : ''}.`);
  } else {
    out.push(
      `## slicefix: ${plural(findings.length, 'finding')} (${plural(errorCount, 'error')}, ${plural(findings.length - errorCount, 'warning')}), ${summary.fixable} fixable`,
      '',
      `${scanned}${summary.fixed ? `, ${plural(summary.fixed, 'file')} fixed by this run` : ''}. The Kubernetes v1 Endpoints API is deprecated since 1.33: use \`discovery.k8s.io/v1\` EndpointSlices, found by the label \`kubernetes.io/service-name\`.`,
      '',
      '| Rule | Findings | Fixable | Description |',
      '| --- | ---: | ---: | --- |',
    );
    const byRule = new Map<string, Finding[]>();
    for (const f of findings) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
    for (const [ruleId, list] of byRule) {
      const meta = rules.find((r) => r.meta.id === ruleId)?.meta;
      const name = meta ? `[${ruleId}](${DOCS_BASE}/${meta.docs})` : ruleId;
      out.push(`| ${name} | ${list.length} | ${list.filter((f) => f.fixable).length} | ${cell(meta?.description ?? '')} |`);
    }
    out.push('', findings.length > SUMMARY_FINDINGS ? `### First ${SUMMARY_FINDINGS} findings` : '### Findings', '');
    for (const f of findings.slice(0, SUMMARY_FINDINGS)) {
      out.push(`- ${fileLink(env, f)} **${f.severity}** ${f.ruleId}${f.fixable ? ' (fixable)' : ''}: ${plainText(f.message)}`);
    }
    if (findings.length > SUMMARY_FINDINGS) out.push(`- … and ${findings.length - SUMMARY_FINDINGS} more (see the annotations)`);
  }
  if (errors.length) {
    out.push('', '### Files that could not be checked', '');
    for (const e of errors) out.push(`- ${codeSpan(e.file)}: ${plainText(e.message)}`);
  }
  if (findings.length && !fixed) {
    const where = paths.join(' ');
    out.push(
      '',
      '### Fix locally',
      '',
      // Not `npx slicefix`: no release is on the npm registry, and npx would fetch whatever package takes the name.
      'With slicefix installed from its repository (its README, "Quick start"):',
      '',
      '```sh',
      `slicefix --dry-run ${where}   # show the rewrite as a diff`,
      `slicefix --fix ${where}       # apply it`,
      '```',
      '',
      'Findings that are not fixable explain what to change by hand.',
    );
  }
  return out.join('\n') + '\n';
}

/** Runs the action; returns the process exit code. */
export async function runAction(io: ActionIo): Promise<number> {
  const { env } = io;
  try {
    const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd());
    const paths = input(env, 'paths', '.').split(/[\s,]+/).filter(Boolean);
    const fix = booleanInput(env, 'fix');
    const failOn = input(env, 'fail-on', 'error');
    if (!['error', 'warning', 'never'].includes(failOn)) throw new InputError(`input fail-on must be error, warning or never, not "${failOn}"`);
    const sarifFile = input(env, 'sarif-file');
    const changedSince = input(env, 'changed-since') || undefined;
    if (fix && changedSince) throw new InputError('inputs fix and changed-since cannot be combined: --fix rewrites whole files');

    const config = await resolveConfig(workspace, input(env, 'config') || undefined, paths, allRules);
    const active = selectRules(allRules, config, [], []);
    const scope = await gitScope({ cwd: workspace, paths, changedSince });
    const result = scope.paths.length === 0
      ? emptyResult()
      : await scan({ paths: scope.paths, cwd: workspace, config, rules: active, fix, keepFinding: scope.keepFinding });
    if (scope.keepError) result.errors = result.errors.filter(scope.keepError);

    const context: FormatContext = {
      rules: active.map((a) => ({ ...a.rule.meta, severity: a.severity })),
      toolVersion: version,
      docsBaseUrl: DOCS_BASE,
      color: false,
    };
    io.stdout(formatGithub(result, context));
    if (sarifFile) {
      const file = path.resolve(workspace, sarifFile);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, formatSarif(result, context));
    }
    if (env.GITHUB_STEP_SUMMARY) fs.appendFileSync(env.GITHUB_STEP_SUMMARY, jobSummary(result, allRules, env, paths, fix));
    if (env.GITHUB_OUTPUT) {
      const outputs = { findings: result.summary.findings, fixable: result.summary.fixable, fixed: result.summary.fixed, 'sarif-file': sarifFile };
      fs.appendFileSync(env.GITHUB_OUTPUT, outputLines(outputs));
    }
    const errorCount = result.findings.filter((f) => f.severity === 'error').length;
    io.stdout(
      `slicefix ${version}: ${plural(result.summary.findings, 'finding')} (${result.summary.fixable} fixable) in ${plural(result.summary.filesScanned, 'file')}` +
        `${result.summary.fixed ? `; ${plural(result.summary.fixed, 'file')} fixed` : ''}\n`,
    );
    const failed =
      failOn === 'never' ? false : failOn === 'warning' ? result.findings.length > 0 || result.errors.length > 0 : errorCount > 0 || result.errors.length > 0;
    if (failed) io.stdout(`::error title=slicefix::${escapeData(`slicefix found ${plural(result.summary.findings, 'finding')} (fail-on: ${failOn})`)}\n`);
    return failed ? 1 : 0;
  } catch (error) {
    io.stdout(`::error title=slicefix::${escapeData((error as Error).message)}\n`);
    return 2;
  }
}
