/**
 * `npm run bench`: times slicefix against ripgrep (the floor: reading every byte for the same trigger texts) and
 * ast-grep (equivalent structural rules, `bench/ast-grep/`) on generated monorepos of N files, interleaved in one
 * run, and writes `bench/results/{results.md,results.json,time-vs-files.svg}`.
 *
 *   node dist/bench/run.js [--sizes 1000,5000,20000,50000] [--runs 5] [--no-fix] [--no-precommit] [--no-cache]
 *
 * Needs `rg` on PATH (Debian package `ripgrep`) and the `@ast-grep/cli` devDependency. Installs nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateRepo, markDirty, planFile, restoreFiles, type RepoManifest } from './generate.js';
import type { ScanStats } from '../src/types.js';
import { median, renderPlot, renderTable, type BenchReport, type SizeResult } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root, whether this runs from `bench/` (tests) or from `dist/bench/`. */
const root = fs.existsSync(path.join(here, '..', 'package.json')) ? path.resolve(here, '..') : path.resolve(here, '..', '..');
const workDir = path.join(root, 'bench', 'work');
const resultsDir = path.join(root, 'bench', 'results');
const slicefixBin = path.join(root, 'bin', 'slicefix.js');
const sgConfig = path.join(root, 'bench', 'ast-grep', 'sgconfig.yml');

export interface Measurement {
  ms: number;
  /** Peak resident set in KiB (polled from /proc; slicefix reports its own exactly with --stats). */
  rssKiB: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command and measures its wall time and peak RSS. */
export function measure(command: string, args: string[], cwd: string): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    let rssKiB = 0;
    // VmHWM is the process's own high-water mark, so a late poll still sees an earlier peak.
    const poll = setInterval(() => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+)/.exec(status);
        if (hwm) rssKiB = Math.max(rssKiB, Number(hwm[1]));
      } catch {
        // Gone already.
      }
    }, 5);
    child.on('error', (error) => {
      clearInterval(poll);
      reject(error);
    });
    child.on('close', (code) => {
      const ms = performance.now() - started;
      clearInterval(poll);
      resolve({ ms, rssKiB, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

function which(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function astGrepBinary(): string {
  const require = createRequire(path.join(root, 'package.json'));
  const pkgDir = path.dirname(require.resolve('@ast-grep/cli/package.json'));
  return path.join(pkgDir, process.platform === 'win32' ? 'ast-grep.exe' : 'ast-grep');
}

interface Tool {
  name: 'slicefix' | 'ripgrep' | 'ast-grep';
  command: string;
  args: string[];
  /** Findings (slicefix, ast-grep) or matching files (ripgrep) in the tool's output. */
  count(m: Measurement): number;
}

function tools(triggers: string[]): Tool[] {
  return [
    {
      name: 'slicefix',
      command: process.execPath,
      args: [slicefixBin, '--format', 'json', '--stats', '.'],
      count: (m) => (JSON.parse(m.stdout) as { findings: unknown[] }).findings.length,
    },
    {
      name: 'ripgrep',
      command: 'rg',
      // -l stops reading a file at its first match, as slicefix's pre-filter does; -F: fixed strings.
      args: ['--no-messages', '-F', '-l', ...triggers.flatMap((t) => ['-e', t]), '.'],
      count: (m) => m.stdout.split('\n').filter(Boolean).length,
    },
    {
      name: 'ast-grep',
      command: astGrepBinary(),
      args: ['scan', '--config', sgConfig, '--json=stream', '.'],
      count: (m) => m.stdout.split('\n').filter(Boolean).length,
    },
  ];
}

/** The `--stats` line: the engine's ScanStats plus the process's peak RSS. */
type SlicefixStats = ScanStats & { maxRssKiB: number };

function statsOf(m: Measurement): SlicefixStats | undefined {
  const line = m.stderr.split('\n').find((l) => l.startsWith('slicefix-stats '));
  return line ? (JSON.parse(line.slice('slicefix-stats '.length)) as SlicefixStats) : undefined;
}

/** A generated repository is its own git root, so the walkers do not apply this worktree's .gitignore to it. */
function prepareRepo(files: number, log: (s: string) => void): { dir: string; manifest: RepoManifest } {
  const dir = path.join(workDir, `repo-${files}`);
  const started = performance.now();
  const manifest = generateRepo(dir, { files });
  if (!fs.existsSync(path.join(dir, '.git'))) {
    const init = spawnSync('git', ['init', '-q', dir]);
    if (init.status !== 0) fs.mkdirSync(path.join(dir, '.git'));
  }
  log(`repo-${files}: ${manifest.files} files, ${(manifest.bytes / 1e6).toFixed(1)} MB, ${manifest.planted.length} planted findings (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return { dir, manifest };
}

async function loadTriggers(): Promise<{ triggers: string[]; ruleIds: string[] }> {
  const registry = path.join(root, 'dist', 'rules', 'index.js');
  const { rules } = (await import(pathToFileURL(registry).href)) as { rules: { meta: { id: string; triggers: string[]; collect?: { triggers: string[] } } }[] };
  const triggers = new Set<string>();
  for (const rule of rules) for (const t of [...rule.meta.triggers, ...(rule.meta.collect?.triggers ?? [])]) triggers.add(t);
  return { triggers: [...triggers].sort(), ruleIds: rules.map((r) => r.meta.id) };
}

/** Ten files of the repository as a pre-commit hook would pass them: two with findings, eight ordinary ones. */
function precommitFiles(manifest: RepoManifest): string[] {
  const ordinary = [1, 2, 3, 4, 5, 6, 7, 8].map((index) => planFile(manifest.seed, index).path);
  return [...manifest.planted.slice(0, 2).map((p) => p.path), ...ordinary];
}

const BLOCK_START = '<!-- bench:results:start -->';
const BLOCK_END = '<!-- bench:results:end -->';

/** Puts the table between the markers of a document that has them, so the README shows what the run printed. */
export function updateMarkedBlock(file: string, table: string): boolean {
  if (!fs.existsSync(file)) return false;
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf(BLOCK_START);
  const end = text.indexOf(BLOCK_END);
  if (start === -1 || end < start) return false;
  fs.writeFileSync(file, `${text.slice(0, start + BLOCK_START.length)}\n${table}${text.slice(end)}`);
  return true;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '1000,5000,20000,50000' },
      runs: { type: 'string', default: '5' },
      'no-fix': { type: 'boolean' },
      'no-precommit': { type: 'boolean' },
      'no-cache': { type: 'boolean' },
    },
  });
  const sizes = values.sizes!.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
  const runs = Math.max(1, Number(values.runs));
  const log = (s: string) => process.stderr.write(`${s}\n`);

  if (!fs.existsSync(path.join(root, 'dist', 'src', 'cli.js'))) {
    log('bench: dist/ is missing; run `npm run build` first (npm run bench does).');
    return 2;
  }
  const rg = which('rg');
  if (!rg) {
    log('bench: ripgrep (`rg`) is not on PATH; install it (Debian: apt-get install ripgrep).');
    return 2;
  }
  const sg = astGrepBinary();
  if (!fs.existsSync(sg)) {
    log('bench: the ast-grep binary is missing; run `npm install` (it comes with the @ast-grep/cli devDependency).');
    return 2;
  }
  const { triggers, ruleIds } = await loadTriggers();
  if (ruleIds.length === 0) log('bench: warning: no rules are registered in rules/index.ts; slicefix will read files and find nothing.');
  log(`bench: ${ruleIds.length} rules, ripgrep triggers: ${triggers.map((t) => JSON.stringify(t)).join(' ') || '(none)'}`);
  fs.mkdirSync(workDir, { recursive: true });
  fs.mkdirSync(resultsDir, { recursive: true });

  const results: SizeResult[] = [];
  let largest: { dir: string; manifest: RepoManifest } | undefined;
  for (const files of [...sizes].sort((a, b) => a - b)) {
    const repo = prepareRepo(files, log);
    largest = repo;
    const tl = triggers.length ? tools(triggers) : tools(['slicefix-bench: no rule registered']);
    const times: Record<string, number[]> = {};
    const rss: Record<string, number[]> = {};
    const counts: Record<string, number> = {};
    let stats: SlicefixStats | undefined;
    // A warm-up run of each tool (page cache, lazy loads) that is not timed; it also gives the counts.
    for (const tool of tl) {
      const m = await measure(tool.command, tool.args, repo.dir);
      counts[tool.name] = tool.count(m);
      if (tool.name === 'slicefix') stats = statsOf(m);
    }
    for (let run = 0; run < runs; run++) {
      // Rotate the order every run: none of the three always runs first after the others warmed the cache.
      const order = tl.map((_, i) => tl[(i + run) % tl.length]);
      for (const tool of order) {
        const m = await measure(tool.command, tool.args, repo.dir);
        (times[tool.name] ??= []).push(m.ms);
        const own = tool.name === 'slicefix' ? statsOf(m)?.maxRssKiB ?? 0 : 0;
        (rss[tool.name] ??= []).push(Math.max(m.rssKiB, own));
      }
      log(`  N=${files} run ${run + 1}/${runs}: ${order.map((t) => `${t.name} ${(times[t.name].at(-1)! / 1000).toFixed(2)} s`).join(', ')}`);
    }
    results.push({
      files,
      bytes: repo.manifest.bytes,
      planted: repo.manifest.planted.length,
      medianMs: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])),
      peakRssKiB: Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, Math.max(...v)])),
      counts,
      filesRead: stats?.filesRead ?? 0,
      filesMatched: stats?.filesMatched ?? 0,
      filesParsed: stats?.filesParsed ?? 0,
      phasesMs: stats ? { walk: stats.walkMs, read: stats.readMs, check: stats.checkMs } : undefined,
    });
  }

  const report: BenchReport = {
    date: new Date().toISOString().slice(0, 10),
    command: argv.length ? `npm run bench -- ${argv.join(' ')}` : 'npm run bench',
    environment: {
      node: process.version,
      cpus: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      ripgrep: spawnSync('rg', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0],
      astGrep: spawnSync(sg, ['--version'], { encoding: 'utf8' }).stdout.trim(),
      rules: ruleIds,
    },
    runs,
    sizes: results,
  };

  if (largest && !values['no-precommit']) {
    const files = precommitFiles(largest.manifest);
    const times: number[] = [];
    let found = 0;
    await measure(process.execPath, [slicefixBin, '--format', 'json', ...files], largest.dir);
    for (let run = 0; run < runs; run++) {
      const m = await measure(process.execPath, [slicefixBin, '--format', 'json', ...files], largest.dir);
      times.push(m.ms);
      found = (JSON.parse(m.stdout) as { findings: unknown[] }).findings.length;
    }
    report.precommit = { repoFiles: largest.manifest.files, files: files.length, medianMs: median(times), findings: found };
    log(`  pre-commit (${files.length} files of ${largest.manifest.files}): ${(median(times) / 1000).toFixed(2)} s`);
  }

  if (largest && !values['no-cache']) {
    // A repeated scan of the unchanged repository with --cache (the cache lives outside the repository).
    const location = path.join(workDir, `cache-${largest.manifest.files}.json`);
    fs.rmSync(location, { force: true });
    const args = [slicefixBin, '--cache', '--cache-location', location, '--format', 'json', '--stats', '.'];
    const fill = await measure(process.execPath, args, largest.dir);
    const times: number[] = [];
    let read = 0;
    let findings = 0;
    for (let run = 0; run < runs; run++) {
      const m = await measure(process.execPath, args, largest.dir);
      times.push(m.ms);
      read = statsOf(m)?.filesRead ?? 0;
      findings = (JSON.parse(m.stdout) as { findings: unknown[] }).findings.length;
    }
    report.cache = { repoFiles: largest.manifest.files, fillMs: fill.ms, medianMs: median(times), filesRead: read, findings };
    log(`  --cache on ${largest.manifest.files} files: ${(fill.ms / 1000).toFixed(2)} s to fill, ${(median(times) / 1000).toFixed(2)} s again`);
  }

  if (largest && !values['no-fix']) {
    const times: number[] = [];
    let fixed = 0;
    let remaining = 0;
    for (let run = 0; run < Math.min(runs, 3); run++) {
      markDirty(largest.dir, true);
      const m = await measure(process.execPath, [slicefixBin, '--fix', '--format', 'json', '.'], largest.dir);
      restoreFiles(largest.dir, largest.manifest);
      markDirty(largest.dir, false);
      times.push(m.ms);
      const out = JSON.parse(m.stdout) as { findings: unknown[]; summary: { fixed: number } };
      fixed = out.summary.fixed;
      remaining = out.findings.length;
    }
    report.fix = { repoFiles: largest.manifest.files, medianMs: median(times), filesFixed: fixed, findingsLeft: remaining };
    log(`  --fix on ${largest.manifest.files} files: ${(median(times) / 1000).toFixed(2)} s, ${fixed} files fixed`);
  }

  const table = renderTable(report);
  fs.writeFileSync(path.join(resultsDir, 'results.md'), table);
  fs.writeFileSync(path.join(resultsDir, 'results.json'), JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(path.join(resultsDir, 'time-vs-files.svg'), renderPlot(report));
  for (const doc of ['README.md', path.join('docs', 'benchmark.md')]) updateMarkedBlock(path.join(root, doc), table);
  process.stdout.write(table);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
