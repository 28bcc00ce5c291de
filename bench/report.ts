/** The benchmark's outputs: a Markdown table and an SVG plot of time against N (no plotting dependency). */

export interface SizeResult {
  files: number;
  bytes: number;
  planted: number;
  /** Median wall time by tool name. */
  medianMs: Record<string, number>;
  peakRssKiB: Record<string, number>;
  /** Findings (slicefix, ast-grep) or matching files (ripgrep). */
  counts: Record<string, number>;
  filesRead: number;
  filesMatched: number;
  filesParsed: number;
  phasesMs?: { walk: number; read: number; check: number };
}

export interface BenchReport {
  date: string;
  command: string;
  environment: { node: string; cpus: number; memoryGiB: number; ripgrep: string; astGrep: string; rules: string[] };
  runs: number;
  sizes: SizeResult[];
  precommit?: { repoFiles: number; files: number; medianMs: number; findings: number };
  fix?: { repoFiles: number; medianMs: number; filesFixed: number; findingsLeft: number };
  cache?: { repoFiles: number; fillMs: number; medianMs: number; filesRead: number; findings: number };
}

/** The targets of issue 6. */
export const TARGETS = { vsRipgrep: 3, vsAstGrep: 0.5, precommitMs: 400, rssMiB: 400 };

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const seconds = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? '–' : (ms / 1000).toFixed(2));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b ? '–' : (a / b).toFixed(2));
const mib = (kib: number | undefined) => (kib ? String(Math.round(kib / 1024)) : '–');
const mark = (ok: boolean) => (ok ? '✓' : '✗');

export function renderTable(report: BenchReport): string {
  const lines = [
    `| files | MB | slicefix s | ripgrep s | ast-grep s | slicefix/ripgrep | slicefix/ast-grep | slicefix peak RSS MiB | files read / matched / parsed | findings slicefix / ast-grep (planted) |`,
    `|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`,
  ];
  for (const s of report.sizes) {
    const sf = s.medianMs.slicefix;
    const vsRg = sf / s.medianMs.ripgrep;
    const vsSg = sf / s.medianMs['ast-grep'];
    const rss = (s.peakRssKiB.slicefix ?? 0) / 1024;
    lines.push(
      `| ${s.files.toLocaleString('en-US')} | ${(s.bytes / 1e6).toFixed(0)} | ${seconds(sf)} | ${seconds(s.medianMs.ripgrep)} | ${seconds(s.medianMs['ast-grep'])} | ` +
        `${ratio(sf, s.medianMs.ripgrep)} ${mark(vsRg <= TARGETS.vsRipgrep)} | ${ratio(sf, s.medianMs['ast-grep'])} ${mark(vsSg <= TARGETS.vsAstGrep)} | ` +
        `${mib(s.peakRssKiB.slicefix)} ${mark(rss <= TARGETS.rssMiB)} | ${s.filesRead.toLocaleString('en-US')} / ${s.filesMatched.toLocaleString('en-US')} / ${s.filesParsed.toLocaleString('en-US')} | ` +
        `${s.counts.slicefix ?? '–'} / ${s.counts['ast-grep'] ?? '–'} (${s.planted}) |`,
    );
  }
  const out = [
    `Benchmark of ${report.date}: medians of ${report.runs} interleaved runs; ${report.environment.cpus} cores, ${report.environment.memoryGiB} GiB, Node ${report.environment.node}, ${report.environment.ripgrep}, ast-grep ${report.environment.astGrep.replace(/^ast-grep\s*/, '')}.`,
    `Reproduce: \`${report.command}\`. Targets: slicefix ≤ ${TARGETS.vsRipgrep}× ripgrep and ≤ ${TARGETS.vsAstGrep}× ast-grep, peak RSS ≤ ${TARGETS.rssMiB} MiB (✓ met, ✗ missed).`,
    '',
    ...lines,
    '',
  ];
  const phases = report.sizes.filter((s) => s.phasesMs);
  if (phases.length) {
    out.push(`Where slicefix's time went (warm-up run, ms): ${phases.map((s) => `N=${s.files}: walk ${s.phasesMs!.walk}, read+pre-filter ${s.phasesMs!.read}, parse+rules ${s.phasesMs!.check}`).join('; ')}.`, '');
  }
  if (report.precommit) {
    const p = report.precommit;
    out.push(`Pre-commit run (${p.files} files of the ${p.repoFiles.toLocaleString('en-US')}-file repository, wall time including Node start-up): ${seconds(p.medianMs)} s ${mark(p.medianMs <= TARGETS.precommitMs)} (target ≤ ${(TARGETS.precommitMs / 1000).toFixed(1)} s), ${p.findings} findings.`, '');
  }
  if (report.cache) {
    const c = report.cache;
    out.push(`\`--cache\` on the unchanged ${c.repoFiles.toLocaleString('en-US')}-file repository: ${seconds(c.medianMs)} s (${c.filesRead.toLocaleString('en-US')} files read, ${c.findings} findings; the run that filled the cache took ${seconds(c.fillMs)} s).`, '');
  }
  if (report.fix) {
    const f = report.fix;
    out.push(`\`--fix\` on the ${f.repoFiles.toLocaleString('en-US')}-file repository: ${seconds(f.medianMs)} s, ${f.filesFixed} files rewritten, ${f.findingsLeft} findings left for a person.`, '');
  }
  out.push(`Rules: ${report.environment.rules.join(', ') || '(none registered)'}.`, '');
  return out.join('\n');
}

const COLORS: Record<string, string> = { slicefix: '#d1495b', ripgrep: '#00798c', 'ast-grep': '#edae49' };

/** A line chart of median seconds against N for each tool. */
export function renderPlot(report: BenchReport): string {
  const width = 640;
  const height = 400;
  const m = { left: 60, right: 120, top: 30, bottom: 50 };
  const sizes = report.sizes;
  const tools = ['slicefix', 'ripgrep', 'ast-grep'];
  const maxX = Math.max(1, ...sizes.map((s) => s.files));
  const top = Math.max(0.1, ...sizes.flatMap((s) => tools.map((t) => (s.medianMs[t] ?? 0) / 1000)));
  // A round tick step (1, 2 or 5 times a power of ten) that gives about five grid lines.
  const magnitude = 10 ** Math.floor(Math.log10(top / 5));
  const step = [1, 2, 5, 10].map((f) => f * magnitude).find((candidate) => top / candidate <= 6)!;
  const ticks = Math.ceil(top / step);
  const maxY = ticks * step;
  const x = (n: number) => m.left + (n / maxX) * (width - m.left - m.right);
  const y = (sec: number) => height - m.bottom - (sec / maxY) * (height - m.top - m.bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="18" font-size="14" text-anchor="middle">Scan time against repository size (median of ${report.runs} runs, ${report.date})</text>`,
    `<line x1="${m.left}" y1="${height - m.bottom}" x2="${width - m.right}" y2="${height - m.bottom}" stroke="black"/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${height - m.bottom}" stroke="black"/>`,
    `<text x="${(m.left + width - m.right) / 2 - 20}" y="${height - 12}">files (N)</text>`,
    `<text x="14" y="${(m.top + height - m.bottom) / 2}" transform="rotate(-90 14 ${(m.top + height - m.bottom) / 2})">seconds</text>`,
  ];
  for (let i = 0; i <= ticks; i++) {
    const sec = step * i;
    const label = Number(sec.toPrecision(6)).toString();
    parts.push(`<line x1="${m.left - 4}" y1="${y(sec)}" x2="${width - m.right}" y2="${y(sec)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.left - 8}" y="${y(sec) + 4}" text-anchor="end">${label}</text>`);
  }
  for (const s of sizes) parts.push(`<text x="${x(s.files)}" y="${height - m.bottom + 16}" text-anchor="middle">${s.files >= 1000 ? `${s.files / 1000}k` : s.files}</text>`);
  tools.forEach((tool, i) => {
    const points = sizes.filter((s) => s.medianMs[tool] !== undefined).map((s) => `${x(s.files).toFixed(1)},${y(s.medianMs[tool] / 1000).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${COLORS[tool]}" stroke-width="2" points="${points.join(' ')}"/>`);
    for (const p of points) {
      const [px, py] = p.split(',');
      parts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${COLORS[tool]}"/>`);
    }
    const ly = m.top + 20 + i * 20;
    parts.push(`<line x1="${width - m.right + 10}" y1="${ly}" x2="${width - m.right + 30}" y2="${ly}" stroke="${COLORS[tool]}" stroke-width="2"/>`);
    parts.push(`<text x="${width - m.right + 36}" y="${ly + 4}">${tool}</text>`);
  });
  parts.push(`</svg>`, '');
  return parts.join('\n');
}
