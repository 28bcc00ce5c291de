/**
 * The command line. Exit codes follow ESLint: 0 = no error findings left (and warnings within --max-warnings),
 * 1 = findings left or files that could not be checked, 2 = bad usage, bad config or an internal failure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cacheKey, cacheKeyFile, cacheSignature, DEFAULT_CACHE_FILE, FileCache } from './cache.js';
import { compileCacheStats } from './compile-cache.js';
import { ConfigError, defaultConfig, findConfigFile, loadConfig, type Config } from './config.js';
import type { ActiveRule } from './engine.js';
import { formatters } from './formatters/index.js';
import { GitError, gitScope } from './git.js';
import { packageInfo } from './package-info.js';
import { emptyResult } from './result.js';
import { createProgress } from './progress.js';
import { ReportOutputError, resolveReportOutput, writeReport, type ReportOutput } from './report-output.js';
import type { FormatContext } from './formatters/types.js';
import { configureTypeScript } from './languages/typescript-options.js';
import type { Rule, ScanResult } from './types.js';
import { GlobError, gitignorePatterns } from './ignore-globs.js';

export { packageInfo } from './package-info.js';

export class UsageError extends Error {}

/** `--ignore` globs, refused up front when one cannot be matched (see ./ignore-globs.ts). */
function checkedIgnoreGlobs(globs: string[]): string[] {
  try {
    gitignorePatterns(globs);
  } catch (error) {
    if (error instanceof GlobError) throw new UsageError(`--ignore: ${error.message}`);
    throw error;
  }
  return globs;
}

/** `--concurrency`: auto, off, or a whole number of threads ≥ 1. */
export function parseConcurrency(value: string | undefined): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (value === 'off') return 1;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError('--concurrency takes auto, off or a whole number ≥ 1');
  return threads;
}

const HELP = `Usage: slicefix [options] [paths...]

Find uses of the deprecated Kubernetes v1 Endpoints API and rewrite them to
discovery.k8s.io/v1 EndpointSlice. Paths default to the current directory.

Options:
  --fix                 apply every safe rewrite in place
  --dry-run             print the unified diff --fix would apply; write nothing
  --unsafe-fixes        with --fix or --dry-run, also apply rewrites that differ from the original in some
                        cluster state (each names the difference in its message)
  --format FORMAT       text (default), json, sarif or github
  --output FILE         write the report to FILE instead of standard output
  --config FILE         config file (default: nearest .slicefix.yaml upwards)
  --rule ID             run only this rule (repeatable, or comma-separated)
  --disable ID          do not run this rule (repeatable, or comma-separated)
  --ignore GLOB         skip files matching GLOB (repeatable)
  --changed-since REF   report only findings on lines changed since git REF
                        (from its merge base with HEAD; uncommitted and
                        untracked changes count)
  --staged              scan the staged (index) version of staged files
  --max-warnings N      exit 1 when there are more than N warnings
  --quiet               report errors only
  --type-aware          TS/JS: load each project's tsconfig and confirm client-node
                        receivers by type (slower)
  --cache               reuse the verdicts of unchanged files from the last
                        run (content hashes; see README; off with --type-aware)
  --cache-location FILE where --cache keeps them (default .slicefix-cache)
  --concurrency N       threads for reading and checking: auto (default: the
                        cores, from 15000 files on), off, or a number
  --list-rules          list the rules and exit
  --stats               print where the time went (files read, parsed, phases,
                        peak memory) to standard error as one JSON line
  --debug               print a stack trace on internal failures
  --version             print the version and exit
  --help                print this help and exit

Exit codes: 0 no error findings, 1 findings left (or files that could not be
checked), 2 bad usage, bad configuration or an internal failure.`;

export interface CliIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
}

function listOption(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

export function selectRules(all: Rule[], config: Config, only: string[], disabled: string[]): ActiveRule[] {
  const ids = all.map((r) => r.meta.id);
  for (const id of [...only, ...disabled]) {
    if (!ids.includes(id)) throw new UsageError(`unknown rule "${id}" (see --list-rules)`);
  }
  return all
    .filter((r) => (only.length === 0 || only.includes(r.meta.id)) && !disabled.includes(r.meta.id))
    .map((rule) => ({ rule, setting: config.rules[rule.meta.id] ?? rule.meta.severity }))
    .filter((r) => r.setting !== 'off')
    .map(({ rule, setting }) => ({ rule, severity: setting === 'off' ? rule.meta.severity : setting }));
}

function listRules(all: Rule[]): string {
  const width = Math.max(...all.map((r) => r.meta.id.length));
  return all
    .map((r) => `${r.meta.id.padEnd(width)}  ${r.meta.severity.padEnd(7)}  ${r.meta.fixable ? 'fixable' : '       '}  ${r.meta.description}`)
    .join('\n') + '\n';
}

/** The config named by `--config`, else the nearest `.slicefix.yaml` above the first path, else the defaults. */
export async function resolveConfig(cwd: string, configOption: string | undefined, paths: string[], rules: Rule[]): Promise<Config> {
  const knownRules = rules.map((r) => r.meta.id);
  if (configOption) {
    const file = path.resolve(cwd, configOption);
    if (!fs.existsSync(file)) throw new UsageError(`config file ${configOption} does not exist`);
    return loadConfig(file, knownRules);
  }
  const found = findConfigFile(path.resolve(cwd, paths[0] ?? '.'));
  return found ? loadConfig(found, knownRules) : defaultConfig();
}

/**
 * Runs the command line. The rules may be given as a loader, called only past `--version` and `--help`, so that
 * these load no rule (nor the scan engine, imported only once there is something to scan). `rulesModule`: the URL
 * of a module exporting `rules` (the same list), from which worker threads load them; without it every scan runs
 * in one thread.
 */
export async function runCli(
  argv: string[],
  io: CliIo,
  ruleSource: Rule[] | (() => Promise<Rule[]>),
  rulesModule?: string,
): Promise<number> {
  let debug = argv.includes('--debug');
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        fix: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        'unsafe-fixes': { type: 'boolean' },
        format: { type: 'string' },
        output: { type: 'string' },
        config: { type: 'string' },
        rule: { type: 'string', multiple: true },
        disable: { type: 'string', multiple: true },
        ignore: { type: 'string', multiple: true },
        'changed-since': { type: 'string' },
        staged: { type: 'boolean' },
        'max-warnings': { type: 'string' },
        quiet: { type: 'boolean' },
        'type-aware': { type: 'boolean' },
        cache: { type: 'boolean' },
        'cache-location': { type: 'string' },
        concurrency: { type: 'string' },
        'list-rules': { type: 'boolean' },
        debug: { type: 'boolean' },
        stats: { type: 'boolean' },
        version: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).valueOf() as { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
    debug = values.debug === true;
    const info = packageInfo();
    if (values.help) {
      io.stdout(HELP + '\n');
      return 0;
    }
    if (values.version) {
      io.stdout(info.version + '\n');
      return 0;
    }
    const rules = typeof ruleSource === 'function' ? await ruleSource() : ruleSource;
    if (values['list-rules']) {
      io.stdout(listRules(rules));
      return 0;
    }
    const format = (values.format as string | undefined) ?? 'text';
    const formatter = formatters[format];
    if (!formatter) throw new UsageError(`unknown format "${format}" (text, json, sarif, github)`);
    let maxWarnings = -1;
    if (values['max-warnings'] !== undefined) {
      maxWarnings = Number(values['max-warnings']);
      if (!Number.isInteger(maxWarnings) || maxWarnings < 0) throw new UsageError('--max-warnings takes a whole number ≥ 0');
    }
    if (values.fix && values['dry-run']) throw new UsageError('--fix and --dry-run exclude each other');
    // --fix writes working-tree files; what it would fix is not what --staged read or --changed-since selected.
    if (values.fix && values.staged) throw new UsageError('--fix cannot be combined with --staged (it would overwrite unstaged changes)');
    if (values.fix && values['changed-since'] !== undefined) {
      throw new UsageError('--fix rewrites whole files, not only changed lines: run --fix without --changed-since');
    }

    // Checked before the scan: --fix must not rewrite files and then fail to write the report.
    let output: ReportOutput | undefined;
    try {
      output = values.output === undefined ? undefined : resolveReportOutput(io.cwd, values.output as string);
    } catch (error) {
      throw error instanceof ReportOutputError ? new UsageError(error.message) : error;
    }

    const threads = parseConcurrency(values.concurrency as string | undefined);
    if (values['type-aware']) configureTypeScript({ typeAware: true });
    const paths = positionals.length ? positionals : ['.'];
    const config = await resolveConfig(io.cwd, values.config as string | undefined, paths, rules);
    const active = selectRules(rules, config, listOption(values.rule as string[]), listOption(values.disable as string[]));

    const scope = await gitScope({ cwd: io.cwd, paths, changedSince: values['changed-since'] as string | undefined, staged: values.staged === true });
    // Type-aware findings depend on other files' types (tsconfig, node_modules), which no per-file hash covers.
    const key = values.cache && !values['type-aware'] ? cacheKey(io.env) : undefined;
    if (values.cache && !values['type-aware'] && !key) {
      io.stderr(`slicefix: --cache is off: its key could not be read or created at ${cacheKeyFile(io.env)} (set SLICEFIX_CACHE_KEY)\n`);
    }
    const cache = key
      ? FileCache.load(
          path.resolve(io.cwd, (values['cache-location'] as string | undefined) ?? DEFAULT_CACHE_FILE),
          cacheSignature(info.version, active.map((a) => ({ id: a.rule.meta.id, severity: a.severity })), config.settings, io.cwd),
          key,
        )
      : undefined;
    if (cache?.rejected) {
      const why = cache.rejected === 'unsigned' ? 'was not written by slicefix for this user (committed to the repository, or copied?)' : 'holds malformed entries';
      io.stderr(`slicefix: ignoring the cache ${path.relative(io.cwd, cache.location) || cache.location}: it ${why}; it is rebuilt (keep it out of git: add it to .gitignore)\n`);
    }
    const { scan } = await import('./engine.js');
    const progress = createProgress({ write: io.stderr, isTTY: io.stderrIsTTY, env: io.env, quiet: values.quiet === true });
    let result: ScanResult;
    try {
      // `--staged` with nothing staged under the paths: nothing to scan (an empty path list would mean ".").
      result = scope.paths.length === 0 ? emptyResult() : await scan({
        paths: scope.paths,
        files: scope.files,
        readBytes: scope.readBytes,
        keepFinding: scope.keepFinding,
        cwd: io.cwd,
        config,
        rules: active,
        fix: values.fix === true,
        dryRun: values['dry-run'] === true,
        unsafeFixes: values['unsafe-fixes'] === true,
        ignore: checkedIgnoreGlobs((values.ignore as string[] | undefined) ?? []),
        onProgress: progress?.update,
        cache,
        // Type-aware checking is configured in this thread only (and loads whole projects, which threads would repeat).
        concurrency: { threads: values['type-aware'] ? 1 : threads, rulesModule },
      });
    } finally {
      progress?.stop();
    }
    cache?.save();

    if (scope.keepError) result.errors = result.errors.filter(scope.keepError);
    if (values.stats && result.stats) {
      // maxRSS is the peak resident set of this process so far, in KiB: the benchmark's memory figure.
      io.stderr(`slicefix-stats ${JSON.stringify({
        ...result.stats,
        walkMs: Math.round(result.stats.walkMs),
        readMs: Math.round(result.stats.readMs),
        checkMs: Math.round(result.stats.checkMs),
        maxRssKiB: process.resourceUsage().maxRSS,
        compileCache: compileCacheStats(),
      })}\n`);
    }
    if (values.quiet) {
      result.findings = result.findings.filter((f) => f.severity === 'error');
      result.summary.findings = result.findings.length;
      result.summary.fixable = result.findings.filter((f) => f.fixable).length;
    }
    // A machine format's stdout is one document: --dry-run puts the changes into it (JSON `diffs`, SARIF `fixes`).
    if (values['dry-run'] && (format === 'text' || format === 'github')) for (const d of result.diffs) io.stdout(d.patch);

    const context: FormatContext = {
      rules: active.map((a) => ({ ...a.rule.meta, severity: a.severity })),
      toolVersion: info.version,
      docsBaseUrl: info.docsBaseUrl,
      color: !values.output && io.stdoutIsTTY && !io.env.NO_COLOR,
      dryRun: values['dry-run'] === true,
    };
    const report = formatter(result, context);
    if (output) writeReport(output, report, io);
    else io.stdout(report);

    const missingPath = result.errors.some((e) => e.message.startsWith('no such file or directory') && paths.some((p) => path.resolve(io.cwd, p) === path.resolve(io.cwd, e.file)));
    if (missingPath) return 2;
    const errors = result.findings.filter((f) => f.severity === 'error').length;
    const warnings = result.findings.length - errors;
    if (errors > 0 || result.errors.length > 0) return 1;
    if (maxWarnings >= 0 && warnings > maxWarnings) return 1;
    return 0;
  } catch (error) {
    if (error instanceof GitError) {
      io.stderr(`slicefix: ${error.message}\n`);
    } else if (error instanceof ConfigError) {
      io.stderr(`slicefix: bad config: ${error.message}\n`);
    } else if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith?.('ERR_PARSE_ARGS')) {
      io.stderr(`slicefix: ${(error as Error).message}\nRun slicefix --help for usage.\n`);
    } else {
      io.stderr(`slicefix: internal error: ${(error as Error).message}\n`);
      if (debug) io.stderr(`${(error as Error).stack}\n`);
      else io.stderr('Run again with --debug for a stack trace.\n');
    }
    return 2;
  }
}
