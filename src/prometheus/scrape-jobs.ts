/**
 * Prometheus scrape jobs with Kubernetes service discovery, wherever a YAML file holds them: a `prometheus.yml`
 * (`scrape_configs`), Helm values written as YAML (`extraScrapeConfigs`, `additionalScrapeConfigs`), the
 * OpenTelemetry Collector's prometheus receiver (`receivers.prometheus.config.scrape_configs`), or a configuration
 * embedded as a string: a ConfigMap's `prometheus.yml: |`, Helm values' `extraScrapeConfigs: |`.
 *
 * A job is any mapping with a `kubernetes_sd_configs` sequence; that is what Prometheus's own config types accept
 * in every one of those places. An embedded configuration is parsed on its own, and its offsets are mapped back to
 * the file, so that a codemod can edit it in place. Only a literal block scalar (`|`) maps line for line; a job in
 * a quoted or folded string is found but not rewritable.
 */
import type { Document, Node, YAMLMap } from 'yaml';
import { directivesIn, type YamlAst } from '../languages/helm.js';
import { isMap, isScalar, isSeq, walkNodes } from '../languages/yaml-nodes.js';
import { mapGet } from '../manifests.js';
import type { Edit } from '../types.js';

/** A configuration embedded in a literal block scalar, with the map from its offsets to the file's. */
export interface EmbeddedConfig {
  text: string;
  /** The file offset of `text`'s offset. */
  toFile(offset: number): number;
  /** Columns the block's lines are indented by in the file: a new line inserted into it needs them. */
  indent: number;
}

export interface ScrapeJob {
  node: YAMLMap;
  /** The text the job's node ranges refer to: the file's, or its embedded configuration's. */
  text: string;
  embedded?: EmbeddedConfig;
  /** Why the job cannot be rewritten in place, when it cannot. */
  notRewritable?: string;
  /** [start, end) in the file to report when the job's own offsets cannot be mapped (a quoted string). */
  fallbackRange?: [number, number];
  /** The file's own text of a node of the job (a template directive as written, not masked), when it maps. */
  source(node: Node): string | undefined;
}

export type ParseAll = (text: string) => Document.Parsed[];

const TRIGGER = 'kubernetes_sd_configs';

function jobsIn(root: unknown, found: (job: YAMLMap) => void): void {
  walkNodes(root, (node) => {
    if (isMap(node) && isSeq(mapGet(node, TRIGGER))) found(node);
  });
}

/**
 * The text of a literal block scalar as YAML reads it, line by line from the file, or undefined when the lines do
 * not give back exactly the scalar's value (tabs, an explicit indentation indicator, a folded block).
 */
export function embeddedConfig(fileText: string, node: Node): EmbeddedConfig | undefined {
  if (!isScalar(node) || node.type !== 'BLOCK_LITERAL' || !node.range || typeof node.value !== 'string') return undefined;
  const [start, end] = node.range;
  const source = fileText.slice(start, end);
  const header = source.indexOf('\n');
  if (header === -1 || /\d/.test(source.slice(0, header).replace(/#.*/, ''))) return undefined;
  const lines: { fileStart: number; text: string }[] = [];
  let at = start + header + 1;
  for (const raw of fileText.slice(at, end).split('\n')) {
    lines.push({ fileStart: at, text: raw.replace(/\r$/, '') });
    at += raw.length + 1;
  }
  const indents = lines.filter((l) => l.text.trim() !== '').map((l) => l.text.length - l.text.trimStart().length);
  if (indents.length === 0) return undefined;
  const indent = indents[0];
  const starts: number[] = [];
  let text = '';
  for (const line of lines) {
    starts.push(text.length);
    text += (line.text.trim() === '' ? '' : line.text.slice(indent)) + '\n';
  }
  if (text.replace(/\n+$/, '') !== node.value.replace(/\n+$/, '')) return undefined;
  const toFile = (offset: number): number => {
    let i = starts.length - 1;
    while (i > 0 && starts[i] > offset) i--;
    const column = offset - starts[i];
    // A blank line has no indentation to skip in the file.
    return lines[i].fileStart + (lines[i].text.trim() === '' ? Math.min(column, lines[i].text.length) : indent + column);
  };
  return { text, toFile, indent };
}

/**
 * Edits made in an embedded configuration's text, moved to the file: a new line gets the block's indentation, but
 * an empty one stays empty (no trailing blanks).
 */
export function toFileEdits(embedded: EmbeddedConfig, edits: Edit[]): Edit[] {
  const pad = ' '.repeat(embedded.indent);
  return edits.map((e) => ({ start: embedded.toFile(e.start), end: embedded.toFile(e.end), text: e.text.replace(/\n(?!\r?\n)/g, `\n${pad}`) }));
}

/** Every scrape job with Kubernetes service discovery in a parsed YAML file, embedded configurations included. */
export function findScrapeJobs(ast: YamlAst, fileText: string, parseAll: ParseAll): ScrapeJob[] {
  const jobs: ScrapeJob[] = [];
  for (const doc of ast.documents) {
    jobsIn(doc.contents, (node) => {
      const [start, end] = node.range ?? [0, 0];
      const templated = directivesIn(ast, start, end).length > 0;
      const source = (n: Node) => (n.range ? fileText.slice(n.range[0], n.range[1]) : undefined);
      jobs.push({ node, text: fileText, source, ...(templated ? { notRewritable: 'the job is partly written by template directives' } : {}) });
    });
    walkNodes(doc.contents, (node) => {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.value.includes(TRIGGER) || !node.range) return;
      const range: [number, number] = [node.range[0], node.range[1]];
      const templated = directivesIn(ast, range[0], range[1]).length > 0;
      // The masked text has the file's offsets, and parses where directives would not.
      const embedded = embeddedConfig(ast.masked, node);
      const text = embedded?.text ?? node.value;
      const source = (n: Node) => (embedded && n.range ? fileText.slice(embedded.toFile(n.range[0]), embedded.toFile(n.range[1])) : undefined);
      let docs: Document.Parsed[];
      try {
        docs = parseAll(text);
      } catch {
        return;
      }
      // A string that merely mentions the key (a comment, a script) holds no job; a broken config is Prometheus's to reject.
      if (docs.some((d) => d.errors.length > 0)) return;
      const why = templated
        ? 'the embedded configuration is written by template directives'
        : embedded
          ? undefined
          : 'the configuration is embedded in a quoted or folded string, which slicefix does not rewrite';
      for (const inner of docs) {
        jobsIn(inner.contents, (job) =>
          jobs.push({ node: job, text, source, ...(embedded ? { embedded } : { fallbackRange: range }), ...(why ? { notRewritable: why } : {}) }),
        );
      }
    });
  }
  return jobs;
}
